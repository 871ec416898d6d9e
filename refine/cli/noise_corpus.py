"""`python -m refine.cli.noise_corpus OUT [--corpus data/corpus]`: prepare the noise corpus
(`refine.data.noise_corpus`: recorded noise from Debian packages and noise made from real
material). Exit status 2 with the install line when a package is missing, and when OUT was
prepared with other settings or holds anything but the noise corpus."""

import argparse
import logging
import sys
from pathlib import Path

from refine.cli.arguments import refuse_below
from refine.data.noise_corpus import prepare_noise, train_sources

CLEAN_CORPUS = Path("data/corpus")  # refine.cli.prepare's usual folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the noise corpus.")
    parser.add_argument("out", type=Path, help="noise corpus folder (created; kept files reused)")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="the clean corpus (refine.cli.prepare): its speech joins the babble, its music "
        f"is the music interference (default: {CLEAN_CORPUS} where it exists)",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    args = parser.parse_args(argv)
    if args.corpus is not None and not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: no such folder (prepare it with refine.cli.prepare)")
    refuse_below(parser, ("--seed", args.seed, 0))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    missing = sorted({s.package for s in train_sources() if not Path(s.root).exists()})
    if missing:
        print(
            "refine.cli.noise_corpus: missing Debian packages; install with: apt-get install "
            f"{' '.join(missing)} (or make noise-packages)",
            file=sys.stderr,
        )
        return 2
    corpus = args.corpus or (CLEAN_CORPUS if CLEAN_CORPUS.is_dir() else None)
    try:
        prepare_noise(args.out, corpus, args.seed)
    except ValueError as error:  # OUT made with other settings, or not a noise corpus
        print(f"refine.cli.noise_corpus: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
