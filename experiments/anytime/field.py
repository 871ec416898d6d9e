"""The field's architectures beside the shipped recipe on the real recordings: cost, speed and
quality in one table, the differences paired clip by clip.

    python experiments/anytime/field.py experiments/anytime/field refine demucs attenuate \
        --shipped experiments/pretrained/real2_model \
        --shipped-label "real_noise model, fifth restart (hours of training)"

Each NAME is a folder OUT/NAME holding eval_real.sh destinations `real` (real speech and
music in white/pink noise) and `real_noise` (the held-out real noise), and trained in
runs/field/NAME. The first NAME is the reference the others are paired against. Per model:
parameters, MACs per second of audio for all its steps (torch's FlopCounterMode: matrix
products and convolutions; FFTs are not counted, so aTENNuate's FFT convolutions are not,
and its count is a floor), the real-time factor of all its steps on 10 s at 16 kHz with 2
threads (best of 5, measured here), the share of the oracle IRM's SI-SDR gain (mean over
conditions), PESQ and STOI on the real speech in white/pink noise, and the difference of
its SI-SDR gain from the first model's on the same clips (mean [95 % bootstrap interval]).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "pretrained"))
from paired import interval, paired_rows  # noqa: E402

from refine.data import SyntheticDataset  # noqa: E402
from refine.inference.enhance import enhance, load_model  # noqa: E402
from refine.runtime import tune_allocator  # noqa: E402
from refine.timing import best_time  # noqa: E402

TESTS = ("real", "real_noise")


def model_summary(folder: Path) -> dict:
    """The summary.json of any of the model's evaluations under `folder` (its T, parameters
    and MACs are the same in each)."""
    return json.loads(next(folder.glob("*/model/summary.json")).read_text())


def real_time_factor(checkpoint: Path) -> float:
    """Wall time of all the model's steps on 10 s of 16 kHz audio over 10 s (2 threads)."""
    torch.set_num_threads(2)
    model = load_model(str(checkpoint))
    noisy = SyntheticDataset(1, segment_seconds=10.0, split="test", snr_values=[5.0])[0]["noisy"]
    return best_time(lambda: enhance(noisy, 16000, model), repeats=5) / 10


def speech_scores(folder: Path, step: int) -> tuple[float, float]:
    """Clip-weighted mean PESQ and STOI at `step` over the speech sets of an eval_real.sh
    destination (NaN when they were evaluated without speech metrics)."""
    pesq, stoi, clips = 0.0, 0.0, 0
    for path in sorted(folder.glob("speech_*/model/per_step.json")):
        record = json.loads(path.read_text())[step]
        if record.get("pesq") is None:
            return float("nan"), float("nan")
        pesq += record["n"] * record["pesq"]
        stoi += record["n"] * record["stoi"]
        clips += record["n"]
    return (pesq / clips, stoi / clips) if clips else (float("nan"), float("nan"))


def comparison(reference: Path, ref_steps: int, other: Path, steps: int, test: str) -> dict:
    """The other model's mean share of the IRM over the conditions of `test` and the paired
    difference other − reference of the SI-SDR gain over all its clips."""
    rows, every = paired_rows(reference / test, other / test, ref_steps, steps)
    low, high = interval(every)
    return {"share": np.mean([row[3] for row in rows]), "difference": (every.mean(), low, high)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder of the models' evaluations")
    parser.add_argument("names", nargs="+", help="models; the first is the reference")
    parser.add_argument("--shipped", type=Path, help="the shipped model's eval_real.sh folder")
    parser.add_argument(
        "--shipped-label",
        default="shipped real_noise model (hours of training)",
        help="the --shipped row's name in the table",
    )
    parser.add_argument("--runs", type=Path, default=Path("runs/field"), help="their runs")
    args = parser.parse_args()
    tune_allocator()
    reference = args.out / args.names[0]
    ref_steps = model_summary(reference / "real")["trained_steps"]
    print(
        "| model | parameters (M) | MACs/s, all steps (M) | RTF, all steps | real white/pink: "
        "share of the IRM | minus the first, per clip (dB) | held-out real noise: share of "
        "the IRM | minus the first, per clip (dB) | PESQ (speech) | STOI (speech) |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name in args.names:
        folder = args.out / name
        summary = model_summary(folder / "real")
        steps = summary["trained_steps"]
        rtf = real_time_factor(args.runs / name / "checkpoint.pt")
        cells = [
            name,
            f"{summary['parameters'] / 1e6:.2f}",
            f"{steps * summary['macs_per_second_per_step'] / 1e6:.0f}",
            f"{rtf:.4f}",
        ]
        for test in TESTS:
            found = comparison(reference, ref_steps, folder, steps, test)
            mean, low, high = found["difference"]
            cells += [f"{found['share']:.1%}", f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"]
        pesq, stoi = speech_scores(folder / "real", steps)
        cells += [f"{pesq:.2f}", f"{stoi:.3f}"]
        print("| " + " | ".join(cells) + " |")
    if args.shipped:
        cells = [args.shipped_label, "", "", ""]
        for test in TESTS:
            shipped_steps = model_summary(args.shipped / "real")["trained_steps"]
            found = comparison(reference, ref_steps, args.shipped, shipped_steps, test)
            mean, low, high = found["difference"]
            cells += [f"{found['share']:.1%}", f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"]
        print("| " + " | ".join(cells + ["", ""]) + " |")
    noisy_pesq, noisy_stoi = speech_scores(reference / "real", 0)
    print(f"\nNoisy input (speech, white/pink): PESQ {noisy_pesq:.2f}, STOI {noisy_stoi:.3f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
