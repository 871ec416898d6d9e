"""The training settings checked before any work starts: a bad value is refused with one line
per key, naming it and what it may be, instead of a traceback from deep inside the model or a
refusal after the progress bar has started (refine-train turns the ValueError into exit 2)."""

from omegaconf import DictConfig

from refine.device import DEVICES, PRECISIONS
from refine.process.refiner import NORMALISATIONS, TRAINING_MODES


def _whole(value, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def training_problems(cfg: DictConfig) -> list[str]:
    """One line per setting of cfg (refine-train's composed config) that no run can use."""
    t, problems = cfg.train, []

    def need(ok: bool, key: str, allowed: str, value) -> None:
        if not ok:
            problems.append(f"{key}={value!r}: must be {allowed}")

    need(_whole(cfg.model.steps, 1), "model.steps", "a whole number >= 1 (T)", cfg.model.steps)
    if t.epochs is None:
        need(_whole(t.steps, 1), "train.steps", "a whole number >= 1", t.steps)
    else:
        ok = _number(t.epochs) and t.epochs > 0  # a fraction of an epoch is allowed
        need(ok, "train.epochs", "a number > 0 (passes over the training set) or null", t.epochs)
    if t.stop_at is not None:
        need(_whole(t.stop_at, 1), "train.stop_at", "a whole number >= 1 or null", t.stop_at)
    for key in ("batch_size", "val_every", "log_every", "extra_grad_steps"):
        need(_whole(t[key], 1), f"train.{key}", "a whole number >= 1", t[key])
    for key in ("extra_steps", "extra_steps_from", "warmup_steps", "num_workers", "bursts"):
        need(_whole(t[key], 0), f"train.{key}", "a whole number >= 0", t[key])
    for key in ("lr", "weight_decay", "jacobian_weight", "grad_clip"):
        need(_number(t[key]) and t[key] >= 0, f"train.{key}", "a number >= 0", t[key])
    if t.threads is not None:
        need(_whole(t.threads, 1), "train.threads", "a whole number >= 1 or null (all cores)",
             t.threads)  # fmt: skip
    if t.max_minutes is not None:
        ok = _number(t.max_minutes) and t.max_minutes > 0
        need(ok, "train.max_minutes", "a number > 0 or null (no limit)", t.max_minutes)
    need(t.mode in TRAINING_MODES, "train.mode", f"one of {', '.join(TRAINING_MODES)}", t.mode)
    need(
        t.normalise_by in NORMALISATIONS,
        "train.normalise_by",
        f"one of {', '.join(NORMALISATIONS)}",
        t.normalise_by,
    )
    if t.mode == "truncated":
        need(_whole(t.segment, 1), "train.segment", "steps between detaches (>= 1)", t.segment)
    elif t.mode == "full":
        readers = "null with mode=full (truncated and teacher_forced read it)"
        need(t.segment is None, "train.segment", readers, t.segment)
    elif t.segment is not None:
        need(_whole(t.segment, 1), "train.segment", "a whole number >= 1 or null", t.segment)
    if t.mode == "teacher_forced":
        need(t.extra_steps == 0, "train.extra_steps", "0 with teacher forcing", t.extra_steps)
    need(t.device in DEVICES, "train.device", f"one of {', '.join(DEVICES)}", t.device)
    need(t.precision in PRECISIONS, "train.precision", f"one of {', '.join(PRECISIONS)}",
         t.precision)  # fmt: skip
    if cfg.domain.name == "waveform":
        for key in ("n_fft", "hop_length", "window"):
            if key in cfg.domain:  # a +domain.KEY= override: waveform has no STFT
                problems.append(f"domain.{key}: the waveform domain has no STFT; drop it")
    low, high = cfg.data.snr_range
    need(low <= high, "data.snr_range", "[low, high] with low <= high", [low, high])
    seconds = cfg.data.segment_seconds
    need(seconds is None or seconds > 0, "data.segment_seconds", "> 0 (or null)", seconds)
    dropout = t.content_dropout
    ok = _number(dropout) and 0 <= dropout <= 1
    need(ok, "train.content_dropout", "a number in [0, 1]", dropout)
    content, labels = cfg.model.get("content", False), cfg.data.get("content_of")
    if content and labels is None:
        problems.append(
            "model.content=true: the model learns from content labels, which only "
            "data.content_of gives ({clean subfolder: speech or music}, data=clean_folders)"
        )
    if labels is not None and not content:
        problems.append(
            "data.content_of: content labels are read by a content-conditioned model only: "
            "set model.content=true, or leave data.content_of unset"
        )
    return problems


def check_training(cfg: DictConfig) -> None:
    """Raise ValueError naming every unusable training setting of cfg, one per line."""
    problems = training_problems(cfg)
    if problems:
        raise ValueError("unusable settings:\n  " + "\n  ".join(problems))
