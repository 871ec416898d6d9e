"""Noise made from real material: several talkers at once, typing at a human rhythm, mains
hum, and music or recorded ambience cut to length. The noise corpus (refine.data.noise_corpus)
writes these to files; each maker is a pure function of its material and a numpy generator,
so a corpus is the same on every machine.

Why these: recorded noise is what people record in, and it is not stationary. A crowd is
several voices whose gaps never line up (babble); a keyboard is short clicks at the irregular
rhythm of typing, bursts of keys and pauses between words; mains hum is a 50 or 60 Hz tone
and its harmonics whose level drifts. A model trained only on white, pink and brown noise
learns to remove a steady floor and nothing else.

Every maker returns (1, T) float32 at the material's rate, scaled to unit RMS (the mixing
sets the level), or raises ValueError when its material cannot make one.
"""

import math

import numpy as np
import torch

TYPING_KEYS_PER_SECOND = (3.0, 7.0)  # a typist's mean rate, drawn per clip
TYPING_PAUSE = (0.15, 1.5)  # s: the pause between words and phrases
TYPING_WORD = (2, 9)  # keys per burst
MAINS = (50.0, 60.0)  # Hz


def unit_rms(audio: np.ndarray) -> torch.Tensor:
    """(T,) float -> (1, T) float32 of unit RMS; ValueError when it is silent."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    if not rms > 0:
        raise ValueError("the made noise is silent")
    return torch.from_numpy((audio / rms).astype(np.float32))[None]


def window(audio: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """A random window of `length` samples of (T,) audio, looped when it is shorter."""
    if len(audio) == 0:
        raise ValueError("empty material")
    start = int(rng.integers(len(audio)))
    return np.take(audio, np.arange(start, start + length), mode="wrap")


def babble(
    utterances: list[np.ndarray], rng: np.random.Generator, length: int, rate: int
) -> torch.Tensor:
    """Several talkers at once: each chains utterances (T_i,) drawn from the pool with short
    gaps, at its own level (±6 dB), and the talkers are summed. Two to eight talkers span a
    conversation behind you to a crowded room."""
    if not utterances:
        raise ValueError("babble needs speech utterances")
    count = int(rng.integers(2, 9))
    total = np.zeros(length)
    for _ in range(count):
        voice, filled = np.zeros(length), int(rng.integers(0, rate))  # a talker starts late
        while filled < length:
            utterance = utterances[int(rng.integers(len(utterances)))]
            utterance = utterance / max(1e-9, float(np.sqrt(np.mean(utterance**2))))
            piece = utterance[: length - filled]
            voice[filled : filled + len(piece)] = piece
            filled += len(piece) + int(rng.uniform(0.1, 0.8) * rate)
        total += voice * 10 ** (rng.uniform(-6, 6) / 20)
    return unit_rms(total)


def typing(
    keys: list[np.ndarray], rng: np.random.Generator, length: int, rate: int
) -> torch.Tensor:
    """Key clicks (T_i,) at a typist's rhythm: bursts of TYPING_WORD keys at a drawn rate with
    ±40 % jitter, separated by TYPING_PAUSE pauses, each click at its own level (±4 dB)."""
    if not keys:
        raise ValueError("typing needs key-click recordings")
    out = np.zeros(length)
    mean_interval = rate / rng.uniform(*TYPING_KEYS_PER_SECOND)  # samples between keys
    position = int(rng.integers(0, rate // 2))
    while position < length:
        for _ in range(int(rng.integers(*TYPING_WORD))):
            click = keys[int(rng.integers(len(keys)))] * 10 ** (rng.uniform(-4, 4) / 20)
            piece = click[: max(0, length - position)]
            out[position : position + len(piece)] += piece
            position += int(mean_interval * rng.uniform(0.6, 1.4))
            if position >= length:
                break
        position += int(rng.uniform(*TYPING_PAUSE) * rate)
    return unit_rms(out)


def scattered(
    events: list[np.ndarray], rng: np.random.Generator, length: int, rate: int, per_second: float
) -> torch.Tensor:
    """Transients (T_i,) at random times, a Poisson process of `per_second` events per second,
    each at its own level (±6 dB): clatter, doors, objects put down."""
    if not events:
        raise ValueError("scattered noise needs transient recordings")
    out = np.zeros(length)
    count = max(1, int(rng.poisson(per_second * length / rate)))
    for start in np.sort(rng.integers(0, length, count)):
        event = events[int(rng.integers(len(events)))] * 10 ** (rng.uniform(-6, 6) / 20)
        piece = event[: length - start]
        out[start : start + len(piece)] += piece
    return unit_rms(out)


def mains_hum(rng: np.random.Generator, length: int, rate: int) -> torch.Tensor:
    """A 50 or 60 Hz hum (the mains frequency off by up to 0.5 %) with its harmonics below
    the Nyquist frequency, their levels falling at a drawn rate (a buzz keeps its odd
    harmonics), each with a slow level drift, over a faint broadband floor (−30 dB)."""
    t = np.arange(length) / rate
    base = MAINS[int(rng.integers(2))] * (1 + rng.uniform(-0.005, 0.005))
    fall = rng.uniform(3.0, 12.0)  # dB per harmonic
    odd = rng.random() < 0.5
    hum = np.zeros(length)
    for k in range(1, int(rate / 2 / base)):
        if odd and k % 2 == 0 and k > 1:
            continue
        level = 10 ** (-fall * (k - 1) / 20)
        if level < 1e-3:
            break
        drift = 1 + 0.2 * np.sin(2 * math.pi * rng.uniform(0.05, 0.5) * t + rng.uniform(0, 6.3))
        hum += level * drift * np.sin(2 * math.pi * k * base * t + rng.uniform(0, 2 * math.pi))
    hum /= np.sqrt(np.mean(hum**2))
    return unit_rms(hum + 10 ** (-30 / 20) * rng.standard_normal(length))


def cut(material: np.ndarray, rng: np.random.Generator, length: int) -> torch.Tensor:
    """A window of a recording (music, ambience) of `length` samples, looped if shorter."""
    return unit_rms(window(material, length, rng))
