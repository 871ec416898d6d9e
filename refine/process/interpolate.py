"""A checkpoint between two of the same architecture: θ(α) = (1 − α)·θ_a + α·θ_b.

A fine-tuned model and the model it was fine-tuned from often lie in one basin, and the
weights between them trade what each is good at more gently than a straight line would
(WiSE-FT, Wortsman et al. 2022, arXiv 2109.01903). Here: the default model (white, pink,
nearly clean audio) and the real_noise model trained from it (recorded noise), to ask
whether some α keeps both (experiments/pretrained/interpolate.sh).
"""

from pathlib import Path

from refine.process.checkpoint import CheckpointError, load_checkpoint, save_checkpoint


def interpolated_checkpoint(a: str | Path, b: str | Path, alpha: float, target: str | Path) -> None:
    """Write (1 − α)·a + α·b to `target`, with b's spec, config, step and inference defaults
    (α = 1 is b's file again) and what it was made from: {"a", "b", "alpha"}, each file by
    its path, nested where it was made this way itself (a soup of soups says all its
    ingredients). Floating-point tensors are mixed, others taken from b. Refuses α outside
    [0, 1], checkpoints whose weights differ in names or shapes, and a target that exists."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if Path(target).exists():
        raise FileExistsError(f"{target} exists: name a new file for the interpolated checkpoint")
    first, second = load_checkpoint(a), load_checkpoint(b)
    shapes = [{name: tuple(w.shape) for name, w in c["model"].items()} for c in (first, second)]
    if shapes[0] != shapes[1]:
        differ = sorted(set(shapes[0].items()) ^ set(shapes[1].items()))[:4]
        raise CheckpointError(f"{a} and {b} are not one architecture (e.g. {differ})")
    weights = {
        name: (1 - alpha) * first["model"][name] + alpha * w if w.is_floating_point() else w
        for name, w in second["model"].items()
    }
    kept = {key: second[key] for key in ("config", "step", "inference") if key in second}
    made_from = {"a": _origin(a, first), "b": _origin(b, second), "alpha": float(alpha)}
    save_checkpoint(target, spec=second["spec"], model=weights, made_from=made_from, **kept)


def _origin(path: str | Path, contents: dict) -> str | dict:
    """A checkpoint's path, or {"path", "made_from"} when it was interpolated itself."""
    if "made_from" not in contents:
        return str(path)
    return {"path": str(path), "made_from": contents["made_from"]}
