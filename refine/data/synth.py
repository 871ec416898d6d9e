"""Synthetic music-like clean signals, so that training needs no downloaded corpus.

A clip is an excerpt of a short generated piece in one key and one tempo (60–180 BPM):

    harmony:  a chord progression (I, ii, IV, V, vi) changing every 1, 2 or 4 beats
    voices:   1–3 of bass (chord roots), chords (2–4 notes, struck or re-struck) and a
              melody (a random walk on the scale, musical note lengths, short rests),
              each with its own timbre, envelope, articulation and level
    note:     Σ_k a_k sin(r_k φ(t) + θ_k) · env(t), with φ the fundamental's phase

Timbre per voice: 1–12 partials with amplitudes a_k ∝ k^−p (p random), optionally weakened
even partials (clarinet-like), and slight stiff-string inharmonicity r_k = k √(1 + B k²).
Envelopes: a 2–30 ms attack, then an exponential decay (plucked), an ADSR decay to a sustain
level, or a held level (organ), and a linear release after note-off. Some notes carry vibrato
(4–7 Hz, up to ±0.5 semitone) that fades in, applied to the instantaneous frequency so every
partial follows it.

Anti-aliasing is by construction: a partial whose highest frequency (vibrato included) is at
or above Nyquist is never synthesised. Fundamentals stay in 55–1760 Hz (A1–A6), which is why
the sample rate must be at least 4 kHz.

Every random draw comes from the torch.Generator passed in, so a clip is a pure function of
the generator's state. Notes are rendered one at a time, vectorised over samples and partials.
"""

import math
from dataclasses import dataclass

import torch

MIN_SAMPLE_RATE = 4000
LOWEST_MIDI, HIGHEST_MIDI = 33, 93  # A1 = 55 Hz, A6 = 1760 Hz
MAX_VIBRATO_SEMITONES = 0.5

SCALES = {  # semitone offsets from the key's root
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
CHORD_DEGREES = (0, 0, 3, 4, 4, 5, 1)  # I, IV, V, vi, ii as scale degrees; I and V favoured
# Register (lowest, highest MIDI note) and note lengths in beats of each voice role.
REGISTERS = {"bass": (33, 52), "chords": (48, 76), "melody": (60, 93)}
MELODY_BEATS = (0.25, 0.5, 0.5, 0.75, 1.0, 1.0, 1.5, 2.0)
BASS_BEATS = (0.5, 1.0, 1.0, 2.0)

Chords = list[tuple[float, float, int]]  # [(onset s, length s, chord root scale degree)]


class _Draws:
    """Uniform draws from a torch.Generator, fetched in batches: one .tolist() per 256
    draws instead of one .item() per draw. The sequence is fixed by the generator's seed."""

    def __init__(self, generator: torch.Generator):
        self.generator = generator
        self.buffer: list[float] = []

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        if not self.buffer:
            batch = torch.rand(256, generator=self.generator, dtype=torch.float64)
            self.buffer = batch.tolist()[::-1]
        return low + (high - low) * self.buffer.pop()

    def integer(self, low: int, high: int) -> int:
        """Uniform on low..high inclusive."""
        return min(low + int(self.uniform() * (high - low + 1)), high)

    def choice(self, options: tuple | list):
        return options[self.integer(0, len(options) - 1)]

    def chance(self, probability: float) -> bool:
        return self.uniform() < probability


@dataclass
class Timbre:
    """How a voice sounds: partials, envelope and articulation."""

    num_partials: int  # 1–12
    rolloff: float  # partial k has amplitude k^−rolloff
    even_gain: float  # extra gain on even partials (< 1: hollow, clarinet-like)
    inharmonicity: float  # B in r_k = k √(1 + B k²)
    envelope: str  # "pluck" (exponential decay), "adsr" or "sustain"
    attack: float  # seconds
    decay: float  # seconds: time constant (pluck) or decay time to sustain (adsr)
    sustain: float  # sustain level, for "adsr" and "sustain"
    release: float  # seconds of linear fade after note-off
    legato: float  # fraction of the nominal note length held before release
    vibrato_chance: float  # probability that a note carries vibrato


@dataclass
class Note:
    onset: float  # seconds from the start of the clip; may be negative
    length: float  # nominal seconds (before legato and release)
    midi: int
    velocity: float  # amplitude factor


def midi_to_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def random_timbre(draws: _Draws) -> Timbre:
    envelope = draws.choice(("pluck", "adsr", "sustain"))
    return Timbre(
        num_partials=draws.integer(1, 12),
        rolloff=draws.uniform(0.5, 2.5),
        even_gain=draws.uniform(0.1, 0.5) if draws.chance(0.3) else 1.0,
        inharmonicity=draws.uniform(0.0, 5e-4) if draws.chance(0.5) else 0.0,
        envelope=envelope,
        attack=draws.uniform(0.002, 0.030),
        decay=draws.uniform(0.15, 1.0) if envelope == "pluck" else draws.uniform(0.05, 0.4),
        sustain=1.0 if envelope == "sustain" else draws.uniform(0.3, 0.8),
        release=draws.uniform(0.02, 0.3),
        legato=draws.uniform(0.6, 1.0),
        vibrato_chance=draws.uniform(0.0, 0.7),
    )


def partial_ratios(timbre: Timbre) -> tuple[torch.Tensor, torch.Tensor]:
    """Frequency ratios r_k = k √(1 + B k²) and amplitudes a_k (Σ a_k = 1): (K,), (K,)."""
    k = torch.arange(1, timbre.num_partials + 1, dtype=torch.float64)  # (K,)
    ratios = k * torch.sqrt(1.0 + timbre.inharmonicity * k**2)
    amps = k ** (-timbre.rolloff)
    amps = torch.where(k % 2 == 0, amps * timbre.even_gain, amps)
    return ratios, amps / amps.sum()


def envelope(timbre: Timbre, t: torch.Tensor, gate: float) -> torch.Tensor:
    """Amplitude envelope at note times t (L,) for a note released at `gate` seconds: (L,)."""
    attack = (t / timbre.attack).clamp(max=1.0)
    after_attack = (t - timbre.attack).clamp(min=0.0)
    if timbre.envelope == "pluck":
        body = torch.exp(-after_attack / timbre.decay)
    else:  # adsr and sustain: linear decay to the sustain level, then hold
        progress = (after_attack / timbre.decay).clamp(max=1.0)
        body = 1.0 - (1.0 - timbre.sustain) * progress
    release = (1.0 - (t - gate).clamp(min=0.0) / timbre.release).clamp(min=0.0)
    return attack * body * release


def render_note(
    note: Note,
    timbre: Timbre,
    sample_rate: int,
    vibrato: tuple[float, float, float] | None,
    phases: torch.Tensor,
    num_samples: int,
    partials: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[int, torch.Tensor]:
    """The part of one note that falls inside a clip of num_samples, with every partial below
    Nyquist: (first sample in the clip, waveform (L,) float64), L = 0 if none falls inside.

    vibrato: (rate Hz, depth semitones, phase) or None. phases: (≥ K,) partial start phases.
    partials: `partial_ratios(timbre)`, when the caller renders many notes of one timbre.
    """
    gate = note.length * timbre.legato
    onset = round(note.onset * sample_rate)
    length = max(1, round((gate + timbre.release) * sample_rate))
    first, last = max(onset, 0), min(onset + length, num_samples)  # visible: [first, last)
    if first >= last:
        return first, torch.zeros(0, dtype=torch.float64)
    f0 = midi_to_hz(note.midi)
    t = torch.arange(first - onset, last - onset, dtype=torch.float64) / sample_rate  # (L,)
    if vibrato is None:
        depth = 0.0
        phase = 2 * math.pi * f0 * t  # (L,)
    else:
        # The phase integrates the instantaneous frequency from the note's start, so the
        # cumulative sum runs over the hidden part too; only the partials are cropped.
        rate, depth, start = vibrato
        t_all = torch.arange(last - onset, dtype=torch.float64) / sample_rate  # (L',)
        fade_in = (t_all / 0.2).clamp(max=1.0)
        semitones = depth * fade_in * torch.sin(2 * math.pi * rate * t_all + start)  # (L',)
        frequency = f0 * 2.0 ** (semitones / 12)  # (L',) instantaneous Hz
        phase = 2 * math.pi * torch.cumsum(frequency, 0)[first - onset :] / sample_rate  # (L,)
    ratios, amps = partials or partial_ratios(timbre)  # (K,), (K,)
    # Anti-aliasing: keep a partial only if its highest frequency stays below Nyquist.
    keep = ratios * f0 * 2.0 ** (depth / 12) < sample_rate / 2
    ratios, amps = ratios[keep], amps[keep]
    partials = torch.sin(ratios[:, None] * phase + phases[: len(ratios), None])  # (K, L)
    wave = (amps @ partials) * envelope(timbre, t, gate)  # (L,)
    return first, note.velocity * wave


def chord_progression(draws: _Draws, beat: float, start: float, end: float) -> Chords:
    """[(onset s, length s, chord degree)] covering start..end."""
    changes = draws.choice((1, 2, 2, 4, 4))  # beats per chord
    chords, time = [], start
    while time < end:
        chords.append((time, changes * beat, draws.choice(CHORD_DEGREES)))
        time += changes * beat
    return chords


def _degree_to_midi(key: int, scale: tuple, degree: int) -> int:
    return key + scale[degree % len(scale)] + 12 * (degree // len(scale))


def _fit_register(midi: int, role: str) -> int:
    """Shift by octaves into the role's register."""
    low, high = REGISTERS[role]
    while midi < low:
        midi += 12
    while midi > high:
        midi -= 12
    return midi


def bass_line(draws: _Draws, key: int, scale: tuple, beat: float, chords: Chords) -> list[Note]:
    notes = []
    for onset, length, degree in chords:
        time = onset
        while time < onset + length - 1e-9:
            step = min(draws.choice(BASS_BEATS) * beat, onset + length - time)
            # Mostly the chord's root, sometimes its fifth or the octave above.
            offset = draws.choice((0, 0, 0, 4, 7))
            midi = _fit_register(_degree_to_midi(key, scale, degree + offset), "bass")
            notes.append(Note(time, step, midi, draws.uniform(0.7, 1.0)))
            time += step
    return notes


def chord_part(draws: _Draws, key: int, scale: tuple, beat: float, chords: Chords) -> list[Note]:
    size = draws.integer(2, 4)  # notes per chord: stacked thirds
    restrikes = draws.choice((0.0, 1.0, 0.5))  # 0: held for the whole chord, else every n beats
    strum = draws.uniform(0.0, 0.03)  # seconds between successive chord notes
    notes = []
    for onset, length, degree in chords:
        low, _ = REGISTERS["chords"]
        root = _fit_register(_degree_to_midi(key, scale, degree), "chords")
        root = root - 12 if root - 12 >= low and draws.chance(0.5) else root
        pitches = [root] + [
            root - _degree_to_midi(0, scale, degree) + _degree_to_midi(0, scale, degree + 2 * i)
            for i in range(1, size)
        ]
        step = length if restrikes == 0.0 else restrikes * beat
        time = onset
        while time < onset + length - 1e-9:
            velocity = draws.uniform(0.6, 1.0)
            for i, midi in enumerate(pitches):
                if midi <= HIGHEST_MIDI:
                    notes.append(Note(time + i * strum, step, midi, velocity))
            time += step
    return notes


def melody(
    draws: _Draws, key: int, scale: tuple, beat: float, start: float, end: float
) -> list[Note]:
    low, high = REGISTERS["melody"]
    base = _fit_register(key, "melody")
    degree = draws.integer(0, len(scale) + 3)  # start in the register's lower half
    notes, time, rested = [], start, False
    while time < end:
        # Short rests (≤ half a beat, never two in a row), so no long stretch is silent.
        if not rested and draws.chance(0.12):
            time += draws.choice((0.25, 0.5)) * beat
            rested = True
            continue
        rested = False
        length = draws.choice(MELODY_BEATS) * beat
        step = draws.choice((-2, -1, -1, 0, 1, 1, 2, -3, 3))
        if not low <= _degree_to_midi(base, scale, degree + step) <= high:
            step = -step  # turn back at the register's edges
        degree += step
        midi = _fit_register(_degree_to_midi(base, scale, degree), "melody")
        notes.append(Note(time, length, midi, draws.uniform(0.6, 1.0)))
        time += length
    return notes


def synth_music(num_samples: int, sample_rate: int, generator: torch.Generator) -> torch.Tensor:
    """A music-like clip: (T,) float32, peak-normalised to a random peak in [0.3, 0.9].

    Deterministic given the generator's state. The clip is silent (all zeros) only if it is
    too short to reach any note's first sample.
    """
    if num_samples < 1:
        raise ValueError(f"num_samples must be positive, got {num_samples}")
    if sample_rate < MIN_SAMPLE_RATE:
        raise ValueError(
            f"synth_music needs sample_rate >= {MIN_SAMPLE_RATE} so that fundamentals up to "
            f"{midi_to_hz(HIGHEST_MIDI):.0f} Hz (with vibrato) lie below Nyquist, "
            f"got {sample_rate}"
        )
    draws = _Draws(generator)
    duration = num_samples / sample_rate
    beat = 60.0 / draws.uniform(60.0, 180.0)  # seconds per beat
    key = draws.integer(LOWEST_MIDI, LOWEST_MIDI + 11)
    scale = SCALES[draws.choice(tuple(SCALES))]
    # The clip is an excerpt: the piece starts up to 4 beats before it, so notes may already
    # be sounding at the first sample.
    start = -draws.uniform(0.0, 4.0) * beat
    chords = chord_progression(draws, beat, start, duration)

    roles = ["bass", "chords", "melody"]
    num_voices = draws.integer(1, 3)
    chosen = []
    for _ in range(num_voices):
        chosen.append(roles.pop(draws.integer(0, len(roles) - 1)))

    out = torch.zeros(num_samples, dtype=torch.float64)  # (T,)
    for role in chosen:
        timbre = random_timbre(draws)
        level = 10.0 ** (draws.uniform(-12.0, 0.0) / 20)
        if role == "bass":
            notes = bass_line(draws, key, scale, beat, chords)
        elif role == "chords":
            notes = chord_part(draws, key, scale, beat, chords)
        else:
            notes = melody(draws, key, scale, beat, start, duration)
        phase_table = torch.rand(len(notes), 12, generator=generator, dtype=torch.float64)
        partials = partial_ratios(timbre)  # the voice's, for all its notes
        for note, phases in zip(notes, 2 * math.pi * phase_table, strict=True):
            vibrato = None
            if note.length >= 0.25 and draws.chance(timbre.vibrato_chance):
                vibrato = (
                    draws.uniform(4.0, 7.0),
                    draws.uniform(0.05, MAX_VIBRATO_SEMITONES),
                    draws.uniform(0.0, 2 * math.pi),
                )
            first, wave = render_note(
                note, timbre, sample_rate, vibrato, phases, num_samples, partials
            )
            out[first : first + len(wave)] += level * wave

    peak = out.abs().max()
    if peak > 0:
        out = out * (draws.uniform(0.3, 0.9) / peak)
    return out.float()
