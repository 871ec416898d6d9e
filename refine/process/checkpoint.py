"""Checkpoints that describe themselves and are written atomically.

A checkpoint holds the refiner's constructor spec (`refine.process.build`), its weights, the
optimiser and scheduler states, the training step, the resolved config, the history and the
package version, all as plain containers and tensors, so `torch.load(weights_only=True)` reads
it: a file carrying an arbitrary pickle is refused rather than executed.
"""

from pathlib import Path

import torch

from refine._version import __version__
from refine.files import atomic_path
from refine.process.build import build_refiner
from refine.process.refiner import Refiner, checked_past_decay

FORMAT = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: unreadable, unsafe, or of another format."""


def save_checkpoint(path: str | Path, **contents) -> None:
    """Write `contents` (+ format and version) to `path` atomically: temp file, then rename."""
    contents = {"format": FORMAT, "version": __version__, **contents}
    with atomic_path(path) as temporary:
        torch.save(contents, temporary)


def load_checkpoint(path: str | Path) -> dict:
    """Read a checkpoint safely (weights_only); CheckpointError says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        contents = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for bad or unsafe files
        raise CheckpointError(
            f"{path}: not a loadable refine checkpoint ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200]})"
        ) from None
    if not isinstance(contents, dict) or contents.get("format") != FORMAT:
        raise CheckpointError(
            f"{path}: not a refine checkpoint of format {FORMAT} "
            f"(found {contents.get('format') if isinstance(contents, dict) else type(contents)})"
        )
    return contents


def load_refiner(path: str | Path) -> tuple[Refiner, dict]:
    """The trained refiner stored at `path` (in eval mode) and the checkpoint contents. A
    step-fraction decay past T that refine-eval stored (write_defaults) replaces the trained
    one, so every tool that loads the checkpoint runs the same iteration."""
    contents = load_checkpoint(path)
    refiner = build_refiner(contents["spec"])
    decay = (contents.get("inference") or {}).get("past_decay")
    if decay is not None:
        refiner.past_decay = decay
    try:
        refiner.load_state_dict(contents["model"])
    except RuntimeError as error:
        raise CheckpointError(
            f"{path}: weights do not fit the architecture its spec describes: "
            f"{str(error).splitlines()[0][:200]}"
        ) from None
    return refiner.eval(), contents


def store_inference(path: str | Path, **settings) -> dict:
    """Merge `settings` (steps, tol, max_steps, eta, past_decay, anderson, chosen_by) into the
    inference defaults of the checkpoint at `path`, atomically; the weights are untouched.
    Returns the defaults now stored."""
    contents = load_checkpoint(path)
    if "past_decay" in settings:
        checked_past_decay(settings["past_decay"])
    contents["inference"] = {**(contents.get("inference") or {}), **settings}
    contents.pop("format"), contents.pop("version")
    save_checkpoint(path, **contents)
    return contents["inference"]


# What inference needs; the optimiser, scheduler and history stay in the training run.
SHIPPED_KEYS = ("spec", "model", "config", "step", "inference")


def export_checkpoint(source: str | Path, target: str | Path) -> None:
    """Write the inference part of the checkpoint at `source` to `target` (atomically): the
    spec, the weights, the config, the step and any refine-eval defaults. A third of the
    training checkpoint's size: AdamW keeps two moments per weight."""
    contents = load_checkpoint(source)
    save_checkpoint(target, **{key: contents[key] for key in SHIPPED_KEYS if key in contents})


def rewrite_checkpoint(source, target, what: str, rewrite, kept=("step", "inference")) -> None:
    """Write the checkpoint at `source` to `target` with its weights rewritten by
    `rewrite(weights, spec_model) -> (weights, settings)`: the model `settings` set in its
    spec and in its training config (where it has one, which names the architecture), and the
    keys in `kept` carried over. A ValueError of `rewrite` is refused as a CheckpointError
    naming `source`, and a target that exists is refused (`what` names the new file's kind):
    the one path of the rewrites that keep a network's function (widen, bidirectional,
    content)."""
    if Path(target).exists():
        raise FileExistsError(f"{target} exists: name a new file for the {what} checkpoint")
    contents = load_checkpoint(source)
    spec = {**contents["spec"], "model": dict(contents["spec"]["model"])}
    try:
        weights, settings = rewrite(contents["model"], spec["model"])
    except ValueError as error:
        raise CheckpointError(f"{source}: {error}") from None
    spec["model"].update(settings)
    carried = {key: contents[key] for key in kept if key in contents}
    if "config" in contents:
        model = {**contents["config"].get("model", {}), **settings}
        carried["config"] = {**contents["config"], "model": model}
    save_checkpoint(target, spec=spec, model=weights, **carried)


def trained_sample_rate(contents: dict) -> int:
    """The rate (Hz) a checkpoint's model was trained at: its data config's, else 16 kHz."""
    return int(contents.get("config", {}).get("data", {}).get("sample_rate", 16000))
