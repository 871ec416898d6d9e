"""A second noise under a share of training clips: a scene of two sources instead of one.

Why: a recording made in a street, a café or a garden holds several sources at once (traffic
under voices, a room's hum under clatter, wind under birds), while every training clip drawn
from the noise corpus holds one kind: one package's recording, or one generated colour. A
network that has met each source alone has not met them on top of each other, which is what
the held-out street, nature and clatter recordings are.

On `share` of the clips a second kind is drawn from `kinds`, or from the same list as the first
where it is None (the clip's subfolder's), kept to where it may cover as NoiseKinds keeps any
kind: `kinds` of steady beds (colours, hum, ambience) put events and voices over a background
without adding more of them. `over` keeps the second layer to clips whose first kind it names
(the recorded kinds, say), so that clips of the others stay as they were. Each noise is brought
to unit RMS over the clip, and the second is added at `level_db` (drawn uniformly) against the
first. The sum's level is left to the mixing, which sets the clip's SNR. Clips with one noise
are made exactly as without the option, and with `share` 0 not one draw changes.
"""

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class NoiseLayers:
    """How often a clip's noise gets a second layer (`share`, 0 to 1), at what level against
    the first, a range of dB drawn uniformly (`level_db`), of which kinds (`kinds`, drawn
    uniformly; None: the clip's own list), and under which first kinds (`over`; None: any);
    `identity` when no clip gets one."""

    share: float = 0.0
    level_db: tuple[float, float] = (-10.0, 0.0)
    kinds: tuple[str, ...] | None = None
    over: tuple[str, ...] | None = None

    def __post_init__(self):
        if not 0 <= self.share <= 1:
            raise ValueError(
                f"noise_layer_share must be between 0 and 1 (the share of clips with a second "
                f"noise), got {self.share}"
            )
        low, high = self.level_db
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise ValueError(
                f"noise_layer_db must be [low, high] in dB with low <= high, got "
                f"{list(self.level_db)}: e.g. [-10, 0] adds the second noise 0 to 10 dB below "
                "the first"
            )

    @property
    def identity(self) -> bool:
        return self.share == 0

    def covers(self, kind: str) -> bool:
        """Whether a clip whose first noise is of `kind` may get a second."""
        return self.over is None or kind in self.over

    @classmethod
    def from_settings(cls, share: float, level_db, kinds=None, over=None) -> "NoiseLayers":
        """From the data config's noise_layer_share, noise_layer_db ([low, high]),
        noise_layer_kinds and noise_layer_over (lists, or None)."""
        level = tuple(float(value) for value in level_db)
        if len(level) != 2:
            raise ValueError(f"noise_layer_db must be [low, high] in dB, got {level_db}")
        kinds, over = (None if given is None else tuple(given) for given in (kinds, over))
        return cls(float(share), level, kinds, over)

    def draw_gain(self, generator: torch.Generator) -> float | None:
        """The second layer's amplitude against the first, or None for a clip with one noise:
        one draw of the generator, and one more when layered."""
        if torch.rand((), generator=generator, dtype=torch.float64).item() >= self.share:
            return None
        low, high = self.level_db
        share = torch.rand((), generator=generator, dtype=torch.float64).item()
        return 10.0 ** ((low + share * (high - low)) / 20)


def _at_unit_rms(noise: torch.Tensor) -> torch.Tensor:
    """noise (C, T) over its RMS across all of it; a silent noise stays silent."""
    rms = noise.double().square().mean().sqrt()
    return noise if rms == 0 else noise / rms.to(noise.dtype)


def layered(first: torch.Tensor, second: torch.Tensor, gain: float) -> torch.Tensor:
    """The two noises (C, T) at unit RMS each, the second times `gain`, added: (C, T)."""
    return _at_unit_rms(first) + gain * _at_unit_rms(second)
