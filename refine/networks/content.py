"""What a clip holds, as a content-conditioned step network is told it.

A denoiser that does not know whether the signal is a voice or a band has to guess which of
two overlapping things to keep: music under voices and a voice under music are the same
mixture with the roles swapped. The shipped model kept 4 % of the oracle's gain on music
under babble and 10 % on speech under babble (experiments/pretrained/babble_music). A
content label removes the guess where the user knows the answer, which a person denoising a
recording nearly always does. "unknown" is a label of its own, trained by label dropout, so
a model told nothing still works.

Labels are indices into CONTENTS; `content_labels` turns what a user or a dataset gives (a
name, an index, a tensor of indices) into a (n,) long tensor, and `labels_for_batch`
broadcasts n labels over a batch of B = k·n (one label for every clip, or one per clip of
a batch repeated k times, as the teacher-forced refiner stacks its steps).
"""

import torch

CONTENTS = ("unknown", "speech", "music")
UNKNOWN = 0


def content_index(name: str) -> int:
    """The label of a content name; a clear error for any other name."""
    if name not in CONTENTS:
        raise ValueError(f"content must be one of {', '.join(CONTENTS)}, got {name!r}")
    return CONTENTS.index(name)


def content_labels(content) -> torch.Tensor | None:
    """None, a name, an index or a tensor of indices -> (n,) long labels (None stays None)."""
    if content is None:
        return None
    if isinstance(content, str):
        return torch.tensor([content_index(content)])
    labels = torch.as_tensor(content).reshape(-1)
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise ValueError(f"content labels must be integers, got {labels.dtype}")
    if labels.numel() == 0 or labels.min() < 0 or labels.max() >= len(CONTENTS):
        raise ValueError(
            f"content labels must be indices 0-{len(CONTENTS) - 1} of {CONTENTS}, got "
            f"{labels.tolist()}"
        )
    return labels.long()


def labels_for_batch(labels: torch.Tensor | None, batch: int, device) -> torch.Tensor:
    """(n,) labels (None: unknown) over a batch of `batch` = k·n examples -> (batch,)."""
    if labels is None:
        return torch.full((batch,), UNKNOWN, dtype=torch.long, device=device)
    if batch % len(labels):
        raise ValueError(f"{len(labels)} content labels do not divide a batch of {batch}")
    return labels.to(device).repeat(batch // len(labels))


def dropped_labels(labels: torch.Tensor, rate: float, generator: torch.Generator) -> torch.Tensor:
    """Label dropout: each label replaced by unknown with probability `rate`, drawn from
    `generator` (its own stream, so the batches a run draws do not move): (n,) -> (n,)."""
    if not 0 <= rate <= 1:
        raise ValueError(f"content dropout must be in [0, 1], got {rate}")
    dropped = torch.rand(labels.shape, generator=generator) < rate
    return labels.masked_fill(dropped.to(labels.device), UNKNOWN)
