"""`python -m refine.cli.prepare OUT`: prepare the shipped model's clean training corpus
(`refine.data.prepare`: rendered music, synthetic speech, synthetic music, and with
--voices recorded speech, with --soundtracks produced music, from Debian packages:
refine.data.voices, refine.data.soundtracks). Exit status 2 with the install line when a
tool, every voices package or every soundtracks package is missing, and when OUT was
prepared with another seed or rate or holds anything but this corpus."""

import argparse
import logging
import sys
from pathlib import Path

from refine.cli.arguments import refuse_below
from refine.data import soundtracks, voices
from refine.data.prepare import prepare
from refine.data.scores import missing_music_tools
from refine.data.speech import missing_speech_tools


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Prepare the shipped model's clean training corpus."
    )
    parser.add_argument("out", type=Path, help="corpus folder (created; kept files are reused)")
    parser.add_argument("--music", type=int, default=240, help="rendered scores (30 s each)")
    parser.add_argument("--speech", type=int, default=600, help="spoken utterances (1-3 sentences)")
    parser.add_argument("--synth", type=int, default=240, help="synthetic music clips (8 s each)")
    parser.add_argument(
        "--voices", type=int, default=0,
        help="recorded human speech files (apt-get install " + " ".join(voices.PACKAGES) + ")",
    )  # fmt: skip
    parser.add_argument(
        "--soundtracks", type=int, default=0,
        help="pieces of games' recorded soundtracks, 30 s each (apt-get install "
        + " ".join(soundtracks.PACKAGES) + ")",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--sample-rate", type=int, default=16000, help="Hz")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    counts = {"music": args.music, "speech": args.speech, "synth": args.synth,
              "voices": args.voices, "soundtracks": args.soundtracks}  # fmt: skip
    if any(count < 0 for count in counts.values()):
        parser.error("--music, --speech, --synth, --voices and --soundtracks must be >= 0")
    refuse_below(parser, ("--seed", args.seed, 0))
    if args.sample_rate < 8000:
        parser.error(f"--sample-rate must be at least 8000 Hz, got {args.sample_rate}")
    missing = (missing_music_tools() if args.music else []) + (
        missing_speech_tools() if args.speech else []
    )
    if missing:
        print(
            f"refine.cli.prepare: missing {', '.join(missing)}; install with: apt-get install "
            "fluidsynth fluid-soundfont-gm espeak-ng flite && pip install 'refine[data]'",
            file=sys.stderr,
        )
        return 2
    recorded = {}
    for kind, made, packages in (
        ("voices", voices.voice_recordings, voices.PACKAGES),
        ("soundtracks", soundtracks.soundtrack_pieces, soundtracks.PACKAGES),
    ):
        if counts[kind]:
            recorded[kind] = made(args.seed, args.sample_rate)
            if not recorded[kind]:
                print(
                    f"refine.cli.prepare: no recordings for --{kind}; install with: apt-get "
                    f"install {' '.join(packages)}",
                    file=sys.stderr,
                )
                return 2
    try:
        prepare(args.out, {kind: count for kind, count in counts.items() if count}, args.seed,
                args.sample_rate, recorded)  # fmt: skip
    except ValueError as error:  # OUT made with other settings, or not a clean corpus
        print(f"refine.cli.prepare: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
