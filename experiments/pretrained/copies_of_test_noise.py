"""Is any recording of the training noise a copy of a held-out test noise? The held-out
test (real_noise.py) and the noise corpus read different Debian packages, but games and
children's programs share free sound collections, so the same recording can ship twice
under two names. For every recording of the scattered training kinds (events, impacts,
everyday, vehicles: refine.data.noise_corpus) against every recording of the test's typing,
clatter, street and nature kinds: the peak of their normalised cross-correlation over all
lags (1 for a copy, whatever its level or where it was cut; a few tenths for two unrelated
short sounds), at 8 kHz. Prints the closest pairs as a markdown table.

    python experiments/pretrained/copies_of_test_noise.py [--top 10]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from real_noise import TEST_SOURCES  # noqa: E402

from refine.data.noise_corpus import load_recordings, scattered_sources  # noqa: E402

RATE = 8000
TEST_KINDS = ("typing", "clatter", "street", "nature")  # recorded transients and ambience
LONGEST = 60  # s of a test recording compared (the street and nature ambiences are longer)


def peak_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """max over lags of |Σ a[n] b[n − lag]| / (‖a‖ ‖b‖)."""
    n = len(a) + len(b)
    spectrum = np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n))
    peak = np.abs(np.fft.irfft(spectrum, n)).max()
    return float(peak / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="closest pairs printed")
    args = parser.parse_args()
    scattered = [source for sources in scattered_sources().values() for source in sources]
    training = load_recordings(scattered, RATE, min_seconds=0.0)
    test_sources = [source for kind in TEST_KINDS for source in TEST_SOURCES[kind]]
    test = load_recordings(test_sources, RATE, min_seconds=0.0)
    if not training or not test:
        sys.exit("copies_of_test_noise.py: packages missing (see the warnings above)")
    pairs = []
    for name, audio, source in training:
        closest = max(
            (peak_correlation(audio, other[: LONGEST * RATE]), other_name)
            for other_name, other, _ in test
        )
        pairs.append((*closest, name, source.package))
    pairs.sort(reverse=True)
    print(f"{len(training)} training recordings against {len(test)} test recordings\n")
    print("| peak correlation | training recording | package | closest test recording |")
    print("|--:|---|---|---|")
    for peak, test_name, name, package in pairs[: args.top]:
        print(f"| {peak:.3f} | {Path(name).name} | {package} | {Path(test_name).name} |")


if __name__ == "__main__":
    main()
