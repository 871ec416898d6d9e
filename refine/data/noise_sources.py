"""Where a training clip's noise comes from: generated colours, the kinds of a noise corpus, or
the files of a noise folder. The folder datasets (refine.data.datasets) compose a clean
`ClipFolder` with one of these.

- `NoiseKinds`: a kind drawn uniformly per clip from `kinds`, each either a generated colour
  (white, pink, brown, mix: refine.data.noise.colored_noise, independent per channel) or a
  recorded kind, a subfolder of `noise_dir` (the noise corpus of refine.data.noise_corpus:
  babble, typing, hum, music, ambience), whose files are windowed (looped when short) and
  copied to every channel. `only_under` keeps a kind to clean files under given subfolders
  of the clean folder: music as interference under speech ({"music": "speech"}), not music
  over music, where nothing says which music is the signal. `kinds_under` gives the clips
  of a clean subfolder a mix of their own: voices over music more often than the whole
  corpus's mix would put them there ({"music": [..., "babble", "babble"]}). `layers` puts a
  second kind under a share of clips (refine.data.noise_layers: scenes of two sources).
- `NoiseFiles`: every file of a folder, drawn uniformly; its kind is its path.

Both draw only audible windows of a recording (`audible_window`): typing or clatter falls
silent between events, and a clip whose noise window is digital silence has no noise to
remove and an error normalised by a noise energy of zero (in a first real-noise training run
it was 22 % of typing clips, and the loss of a quarter of all batches).
"""

import os
from pathlib import Path

import torch

from refine.data.folders import ClipFolder, looped_window
from refine.data.noise import NOISE_KINDS, colored_noise
from refine.data.noise_layers import NoiseLayers, layered
from refine.data.noise_perturbation import NoisePerturbation, perturb_window, source_length

AUDIBLE = 1e-3  # a window is audible when its mean power is at least this share of the file's


def audible_starts(audio: torch.Tensor, length: int) -> torch.Tensor | None:
    """The starts of the windows of `length` in audio (C, N) whose mean power is at least
    AUDIBLE times the recording's: (S,); None when every window is audible or none is, or
    when the recording is not longer than the window (it is then looped whole)."""
    return audible_starts_of(power_sums(audio), length)


def power_sums(audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """What audible_starts reads of audio (C, N) for any window length: the running sums of
    its power over channels (N + 1,), from 0, and its mean power ()."""
    power = audio.double().square().mean(0)  # (N,)
    return torch.cat([power.new_zeros(1), power.cumsum(0)]), power.mean()


def audible_starts_of(sums: tuple[torch.Tensor, torch.Tensor], length: int) -> torch.Tensor | None:
    """audible_starts from a recording's power_sums."""
    running, mean = sums
    if len(running) - 1 <= length:
        return None
    energies = running[length:] - running[:-length]  # (N − length + 1,): each window's energy
    audible = torch.nonzero(energies >= AUDIBLE * mean * length).flatten()
    return None if len(audible) in (0, len(energies)) else audible


def audible_window(
    audio: torch.Tensor, length: int, generator: torch.Generator, starts: torch.Tensor | None
) -> torch.Tensor:
    """(C, N) -> (C, length): a random window as looped_window draws it, among the audible
    `starts` (audible_starts(audio, length); AudibleWindows caches what they are worked out
    from). One draw of the generator; the same window as looped_window's when every window
    is audible (None)."""
    if starts is None:
        return looped_window(audio, length, generator)
    offset = torch.randint(0, 2**31 - 1, (), generator=generator).item()
    start = starts[offset % len(starts)].item()
    return audio[:, start : start + length]


class AudibleWindows:
    """audible_window over the files of a ClipFolder, with each file's power_sums worked out
    once per process (per data-loader worker, like the folder's own cache), so that the
    audible starts of any window length cost one pass (a perturbed window's length changes
    with its drawn speed); perturbed when `perturbation` changes anything
    (refine.data.noise_perturbation): then the speed and equaliser are drawn first and the
    window covers what that speed plays."""

    def __init__(self, folder: ClipFolder, perturbation: NoisePerturbation | None = None):
        self.folder, self.sums = folder, {}
        self.perturbation = None if perturbation is None or perturbation.identity else perturbation

    def __call__(self, path: Path, length: int, generator: torch.Generator) -> torch.Tensor:
        if self.perturbation is None:
            return self._window(path, length, generator)
        speed, gains = self.perturbation.draw(generator)
        recorded = self._window(path, source_length(length, speed), generator)
        return perturb_window(recorded, length, speed, gains, self.folder.sample_rate)

    def _window(self, path: Path, length: int, generator: torch.Generator) -> torch.Tensor:
        audio = self.folder.load(path)  # (C, N)
        if path not in self.sums:
            self.sums[path] = power_sums(audio)
        starts = audible_starts_of(self.sums[path], length)
        return audible_window(audio, length, generator, starts)


class NoiseKinds:
    """Noise of kinds drawn uniformly per clip (see the module docstring).

    Args:
        kinds: generated colours and/or subfolders of noise_dir.
        sample_rate: Hz.
        noise_dir: the noise corpus (needed when a kind is not a generated colour).
        period: generated noise is a window of a noise this many samples long (None: the
            clip's length); see colored_noise.
        only_under: {kind: subfolder or list of subfolders of the clean folder} the kind is
            restricted to (music under speech: {"music": ["speech", "voices"]}).
        kinds_under: {subfolder of the clean folder: kinds} clips of files under the
            subfolder draw their kind from this list instead of `kinds` (None: every clip
            from `kinds`, with the same draws as before the option existed).
        perturbation: how the recorded kinds' windows are perturbed (None: as recorded); the
            generated colours never are.
        layers: a second kind under a share of the clips (`with_second_layer`; None: one
            kind per clip).
    """

    def __init__(
        self,
        kinds,
        sample_rate: int,
        noise_dir: str | os.PathLike | None = None,
        period: int | None = None,
        only_under: dict[str, str | list[str]] | None = None,
        perturbation: NoisePerturbation | None = None,
        kinds_under: dict[str, list[str]] | None = None,
        layers: NoiseLayers | None = None,
    ):
        self.kinds, self.period = _kind_list(kinds, "noise_kinds"), period
        self.layers = None if layers is None or layers.identity else layers
        self.lists = {None: self.kinds}  # {clean subfolder or None for the rest: kinds}
        for part, listed in (kinds_under or {}).items():
            self.lists[part] = _kind_list(listed, f"noise_kinds_under.{part}")
        self.layer_kinds = None  # the second layer's own list (None: the clip's list)
        if self.layers is not None and self.layers.kinds is not None:
            self.layer_kinds = _kind_list(self.layers.kinds, "noise_layer_kinds")
        every = dict.fromkeys(sum(self.lists.values(), ()) + (self.layer_kinds or ()))
        recorded = [kind for kind in every if kind not in NOISE_KINDS]
        if recorded and noise_dir is None:
            raise ValueError(
                f"noise_kinds {recorded} are not generated colours {NOISE_KINDS}: set "
                "data.noise_dir to a noise corpus holding them as subfolders "
                "(python -m refine.cli.noise_corpus data/noise)"
            )
        self.folders = {}
        for kind in recorded:
            folder = Path(noise_dir) / kind
            if not folder.is_dir():
                raise ValueError(
                    f"noise kind {kind!r}: {folder} is not a folder; kinds are generated colours "
                    f"{NOISE_KINDS} or subfolders of data.noise_dir"
                )
            self.folders[kind] = ClipFolder(folder, sample_rate)
        self.windows = {
            kind: AudibleWindows(folder, perturbation) for kind, folder in self.folders.items()
        }
        self.only_under = {
            kind: (under,) if isinstance(under, str) else tuple(under)
            for kind, under in (only_under or {}).items()
        }
        unknown = sorted(set(self.only_under) - set(every))
        if unknown:
            raise ValueError(f"noise_only_under names kinds {unknown} that are not in noise_kinds")
        self.free = {}  # {part: the kinds of its list that no noise_only_under restricts}
        for part, listed in self.lists.items():
            self.free[part] = [kind for kind in listed if kind not in self.only_under]
            barred = [kind for kind in listed if part not in self.only_under.get(kind, (part,))]
            if barred and not self.free[part]:
                where = "noise_kinds" if part is None else f"noise_kinds_under.{part}"
                raise ValueError(
                    f"every kind of {where} is restricted by noise_only_under and {barred} "
                    f"may not cover {'every file' if part is None else part}: leave one free"
                )
        if self.layers is not None and self.layers.over is not None:
            _kind_list(self.layers.over, "noise_layer_over")
            firsts = sum(self.lists.values(), ())
            never = [kind for kind in self.layers.over if kind not in firsts]
            if never:
                raise ValueError(
                    f"noise_layer_over names kinds {never} that no clip's first noise is: "
                    f"name kinds of noise_kinds or noise_kinds_under {sorted(set(firsts))}"
                )
        if self.layer_kinds is not None:
            self.layer_free = [kind for kind in self.layer_kinds if kind not in self.only_under]
            if not self.layer_free:
                raise ValueError(
                    f"every kind of noise_layer_kinds {list(self.layer_kinds)} is restricted by "
                    "noise_only_under, and a second layer may go under any file: leave one free"
                )

    def draw_kind(self, generator: torch.Generator, clean: Path | None = None) -> str:
        """A kind for a clip of the clean file at `clean` (a path relative to the clean
        folder), from its subfolder's list (kinds_under) or `kinds`: one draw, and one more
        when the first is restricted to another subfolder."""
        part = None if clean is None else clean.parts[0]
        listed = part if part in self.lists else None
        return self._drawn(self.lists[listed], self.free[listed], generator, part)

    def _drawn(self, kinds, free, generator: torch.Generator, part: str | None) -> str:
        """A kind of `kinds` for a file under `part`, redrawn from `free` (the kinds no
        noise_only_under restricts) when the first may not cover that subfolder."""
        kind = kinds[torch.randint(len(kinds), (), generator=generator)]
        allowed = self.only_under.get(kind)
        if allowed is not None and part not in allowed:
            kind = free[torch.randint(len(free), (), generator=generator)]
        return kind

    def noise(self, kind: str, generator: torch.Generator, channels: int, length: int):
        """Noise of `kind` for a clip of (channels, length): (C, T)."""
        if kind in NOISE_KINDS:
            return torch.stack(
                [colored_noise(kind, length, generator, self.period) for _ in range(channels)]
            )
        path = self.folders[kind].draw(generator)
        window = self.windows[kind](path, length, generator)  # (C', T)
        return window.mean(0, keepdim=True).expand(channels, -1)

    def with_second_layer(
        self, noise: torch.Tensor, kind: str, generator: torch.Generator, clean: Path | None
    ) -> tuple[torch.Tensor, str]:
        """The clip's noise (C, T) of `kind` and its label, with a second kind drawn for the
        same clean file under it on the layers' share of clips ("babble+typing"), from the
        layers' own kinds or else the clip's list, else as they were; no draw at all without
        layers or under a first kind they do not cover."""
        covered = self.layers is not None and self.layers.covers(kind)
        gain = self.layers.draw_gain(generator) if covered else None
        if gain is None:
            return noise, kind
        if self.layer_kinds is None:
            second_kind = self.draw_kind(generator, clean)
        else:
            part = None if clean is None else clean.parts[0]
            second_kind = self._drawn(self.layer_kinds, self.layer_free, generator, part)
        second = self.noise(second_kind, generator, *noise.shape)  # (C, T)
        return layered(noise, second, gain), f"{kind}+{second_kind}"


def _kind_list(kinds, name: str) -> tuple[str, ...]:
    """kinds as a tuple, refused by `name` unless it is a non-empty list."""
    if isinstance(kinds, str) or not kinds:
        raise ValueError(f"{name} must be a non-empty list of kinds, got {kinds!r}")
    return tuple(kinds)


class NoiseFiles(ClipFolder):
    """Every audio file under a folder as noise, drawn uniformly, mixed to mono and copied to
    every channel of the clip when its channels differ; the kind is the file's path relative
    to the folder, without extension. `perturbation` (keyword): how each window is perturbed
    (None: as recorded)."""

    def __init__(self, *args, perturbation: NoisePerturbation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.windows = AudibleWindows(self, perturbation)

    def noise(self, path: Path, generator: torch.Generator, channels: int, length: int):
        recording = self.windows(path, length, generator)  # (C', T)
        if recording.shape[0] != channels:
            recording = recording.mean(0, keepdim=True).expand(channels, -1)
        return recording

    def kind(self, path: Path) -> str:
        return path.relative_to(self.folder).with_suffix("").as_posix()
