"""`python -m refine.cli.noise_corpus OUT [--corpus data/corpus]`: prepare the noise corpus
(`refine.data.noise_corpus`: recorded noise from Debian packages and noise made from real
material). Exit status 2 with the install line when a package is missing."""

import argparse
import logging
import sys
from pathlib import Path

from refine.data.noise_corpus import AMBIENCE, KEYS, SPEECH, prepare_noise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the noise corpus.")
    parser.add_argument("out", type=Path, help="noise corpus folder (created; kept files reused)")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path("data/corpus"),
        help="the clean corpus (refine.cli.prepare): its speech joins the babble, its music "
        "is the music interference",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    missing = sorted({s.package for s in (*SPEECH, KEYS, *AMBIENCE) if not Path(s.root).exists()})
    if missing:
        print(
            "refine.cli.noise_corpus: missing Debian packages; install with: apt-get install "
            f"{' '.join(missing)} (or make noise-packages)",
            file=sys.stderr,
        )
        return 2
    prepare_noise(args.out, args.corpus if args.corpus.is_dir() else None, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
