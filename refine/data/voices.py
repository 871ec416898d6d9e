"""Recorded human speech for the clean corpus: the `voices` part of refine.cli.prepare.

Every other clean speech file is synthetic (espeak-ng, flite), while the noise corpus's
babble is made of recorded voices. A model trained on both can learn that a recorded human
voice is noise, and so remove the speech it is meant to keep: the first real-noise model
gained nothing under babble (experiments/pretrained). These are recorded speakers as the
signal, from packages whose speakers are neither in the noise corpus (Czech voice acting,
June's French and Carlo's Italian prompts) nor in the held-out tests (alsa-utils, Allison's
English prompts, Dutch voice acting, Russian prompts; experiments/pretrained), and without
Dutch or Russian, the held-out babble's languages.
"""

from refine.data.noise_corpus import Source, load_recordings
from refine.data.prepare import item_rng

KLETTRES_LANGUAGES = (
    "ar", "cs", "da", "de", "en", "en_GB", "es", "fr", "he", "hu", "id", "it", "lt", "ml",
    "nb", "nds", "nn", "pt_BR", "tn", "uk",
)  # fmt: skip
WARZONE = "/usr/share/games/warzone2100/base.wz"
WARZONE_SPEECH = ("audio/tutorial", "audio/memressp/*", "audio/extra", "audio/countdown",
                  "sequenceaudio")  # fmt: skip
VOICES = (
    Source(
        "asterisk-prompt-it-menardi-wav", "CC-BY-SA-3.0",
        "/usr/share/asterisk/sounds/it_IT_f_Menardi", "**/*.wav",
        "Italian telephone prompts, a female voice (Menardi; 8 kHz)",
    ),
    *(
        Source(
            "klettres-data", "GPL-2+", f"/usr/share/klettres/{language}", "*/*.ogg",
            f"letters and syllables read by a native speaker ({language})",
        )
        for language in KLETTRES_LANGUAGES
    ),
    *(
        Source(
            "warzone2100-data", "GPL-2+", WARZONE, f"{folder}/*.ogg",
            "English voice lines: tutorial, mission messages, briefings",
        )
        for folder in WARZONE_SPEECH
    ),
)  # fmt: skip
PACKAGES = sorted({source.package for source in VOICES})


def voice_recordings(seed: int, rate: int) -> list:
    """[((T,) float64 at `rate`, what it holds)] of every installed VOICES recording of at
    least a second, in an order drawn by `seed` (item i of the corpus's voices is the i-th);
    "what" names the recording, its package and licence, for the manifest."""
    recordings = load_recordings(VOICES, rate)
    order = item_rng(seed, "voices-order", 0).permutation(len(recordings))
    ordered = [recordings[i] for i in order]
    return [(audio, describe(name, source)) for name, audio, source in ordered]


def describe(name: str, source: Source) -> str:
    """What a voices file holds: the recording and its package's licence."""
    return f"{source.what}: {name.split(':')[-1]} ({source.package}, {source.licence})"
