"""Split the real recordings' test sets into two halves by recording: one to choose on, one
kept out of every choice and reported. A number chosen on the same recordings it is reported
on overstates; a choice made on one half and measured on the other does not.

    python experiments/pretrained/split_real.py data/real data/real_choice data/real_report

Each <content>_<noise>/{noisy,clean}/<name>_snr<S>.wav of SOURCE (real_recordings.py's
layout) is linked, not copied, into CHOICE or REPORT under the same path. A recording goes
to one half with all its SNRs, its noise colours (music_white and music_pink hold the same
pieces) and, for music on hold, both of its windows (`<track>_30s`, `<track>_90s`); each
content's recordings are halved by a seeded draw. Halves already written the same way are
kept; anything else at CHOICE or REPORT is refused, never overwritten.
"""

import argparse
import re
import sys
from pathlib import Path

from refine.data.prepare import item_rng

PARTS = ("noisy", "clean")
WINDOW = re.compile(r"_\d+s$")  # music on hold: two windows of one track


def recording(path: Path) -> str:
    """The recording a test file was cut from: its name without the SNR and the window."""
    return WINDOW.sub("", path.stem.rsplit("_snr", 1)[0])


def halves(source: Path, seed: int = 0) -> dict[str, set[str]]:
    """{"choice": recordings, "report": recordings}: each content's recordings (sorted, then
    permuted by a generator seeded with the content) split in two, the odd one to report."""
    sets = sorted(folder for folder in source.iterdir() if (folder / "noisy").is_dir())
    if not sets:
        raise ValueError(f"{source} holds no <content>_<noise>/noisy/ test sets")
    chosen, reported = set(), set()
    for content in sorted({folder.name.split("_")[0] for folder in sets}):
        names = sorted(
            {
                recording(path)
                for folder in sets
                if folder.name.split("_")[0] == content
                for path in (folder / "noisy").glob("*.wav")
            }
        )
        order = item_rng(seed, f"real-halves-{content}", 0).permutation(len(names))
        chosen |= {names[i] for i in order[: len(names) // 2]}
        reported |= {names[i] for i in order[len(names) // 2 :]}
    return {"choice": chosen, "report": reported}


def planned_links(source: Path, seed: int = 0) -> dict[str, dict[Path, Path]]:
    """{half: {link path relative to the half's folder: the file it points to}}."""
    split = halves(source, seed)
    links = {half: {} for half in split}
    for path in sorted(source.glob("*/noisy/*.wav")):
        half = next(name for name, recordings in split.items() if recording(path) in recordings)
        for part in PARTS:
            target = path.parent.parent / part / path.name
            if not target.is_file():
                raise ValueError(f"{path} has no {part} twin at {target}")
            links[half][target.relative_to(source)] = target.resolve()
    return links


def written(folder: Path, links: dict[Path, Path]) -> bool | None:
    """True when folder holds exactly these links, None when it does not exist, else False."""
    if not folder.exists():
        return None
    present = {path.relative_to(folder): path for path in folder.rglob("*") if not path.is_dir()}
    return present.keys() == links.keys() and all(
        path.is_symlink() and path.resolve() == links[name] for name, path in present.items()
    )


def write_halves(source: Path, choice: Path, report: Path, seed: int = 0) -> str:
    """Link the halves (see the module docstring); returns what was done, in a line."""
    links = planned_links(source, seed)
    folders = {"choice": choice, "report": report}
    states = {half: written(folders[half], links[half]) for half in folders}
    refused = [str(folders[half]) for half, state in states.items() if state is False]
    if refused:
        raise ValueError(
            f"{' and '.join(refused)} already exist{'s' * (len(refused) == 1)} and "
            f"{'is' if len(refused) == 1 else 'are'} not this split of {source}: remove "
            "or name other folders"
        )
    missing = [half for half, state in states.items() if state is None]
    for half in missing:
        for name, target in links[half].items():
            (folders[half] / name).parent.mkdir(parents=True, exist_ok=True)
            (folders[half] / name).symlink_to(target)
    if not missing:
        return f"kept {choice} and {report}"
    chosen, reported = (len(links[half]) // len(PARTS) for half in folders)
    return f"{chosen} test files to choose on in {choice}, {reported} to report in {report}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="real_recordings.py's folder of test sets")
    parser.add_argument("choice", type=Path, help="the half to choose on")
    parser.add_argument("report", type=Path, help="the half kept out of every choice")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        print(write_halves(args.source, args.choice, args.report, args.seed))
    except ValueError as error:
        print(f"split_real.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
