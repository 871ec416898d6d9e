"""refine-denoise: denoise audio files and folders with a trained refiner.

    refine-denoise take1.wav take2.flac -o cleaned/              # the shipped model
    refine-denoise recordings/ -o cleaned/ --checkpoint runs/main/checkpoint.pt --steps 4
    refine-denoise noisy.wav -o out/ --steps 8 --save-steps      # out/noisy_steps/step_01.wav …
    refine-denoise noisy.wav -o out/ --schedule-steps 1 --steps 3  # one step, two past it
    refine-denoise noisy.wav -o out/ --threads 2      # not the default: a probe's choice
    refine-denoise band.wav -o out/ --checkpoint runs/content/checkpoint.pt --content music

Files keep their names in OUT (a folder's files keep their paths below it) and their format,
subtype, sample rate, channel count and length (`refine.inference.enhance`). Every problem is
one line that names the file: a bad file is reported and skipped, the others are still
denoised. Nothing is overwritten without --force: not an input, not an existing file in OUT; outputs
are written atomically. Exit status: 0 all files denoised, 1 some failed, 2 none could be
(bad arguments, no model, no usable input, an output folder that cannot be written).
"""

import argparse
import logging
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf
import torch
from tqdm import tqdm

from refine.audio import AudioError
from refine.cli.arguments import refuse_below
from refine.data import find_audio_files
from refine.inference.enhance import (
    enhance_file,
    load_model,
    refine_settings,
    respace,
    step_paths,
)
from refine.inference.threads import denoising_probe, quicker_threads
from refine.networks.content import CONTENTS
from refine.process.checkpoint import CheckpointError
from refine.runtime import tune_allocator

log = logging.getLogger("refine-denoise")
AUDIO_SUFFIXES = {f".{name.lower()}" for name in sf.available_formats()} | {".oga", ".opus"}


@dataclass
class Job:
    source: Path
    destination: Path


def plan(inputs: list[Path], out_dir: Path) -> tuple[list[Job], list[str]]:
    """(the files to denoise and where each goes, the problems found), inputs in order.

    A folder contributes its audio files (by suffix, recursively), each placed at its path
    relative to the folder. Refused: missing inputs, two inputs aimed at one output."""
    jobs, problems, taken = [], [], {}
    for item in inputs:
        if item.is_dir():
            try:
                files = find_audio_files(item, AUDIO_SUFFIXES)
            except ValueError:
                problems.append(f"{item}: no audio files in this folder")
                continue
            pairs = [(p, out_dir / p.relative_to(item)) for p in files]
        elif item.is_file():
            pairs = [(item, out_dir / item.name)]
        elif item.exists():
            problems.append(f"{item}: not a file or a folder")
            continue
        else:
            problems.append(f"{item}: no such file or folder")
            continue
        for source, destination in pairs:
            if destination.resolve() in taken:
                problems.append(
                    f"{source}: its output {destination} is already the output of "
                    f"{taken[destination.resolve()]}: denoise them into different folders"
                )
                continue
            taken[destination.resolve()] = source
            jobs.append(Job(source, destination))
    return jobs, problems


def overwrites(job: Job, save_steps: int) -> str | None:
    """Why writing this job would overwrite something (None if it would not)."""
    targets = [job.destination, *step_paths(job.destination, save_steps)]
    for target in targets:
        if target.exists() and target.resolve() == job.source.resolve():
            return f"{job.source}: the output would overwrite this input (use --force to allow)"
        if target.exists():
            return f"{job.source}: {target} exists (use --force to overwrite it)"
    return None


def writable_folder(out_dir: Path) -> str | None:
    """Why OUT cannot receive files (None if it can): created here if missing, unless its
    name is an audio file's (`-o clean.wav` asks for a file, and would get a folder)."""
    if not out_dir.exists() and out_dir.suffix.lower() in AUDIO_SUFFIXES:
        return (
            f"-o {out_dir}: -o names an output folder, where each file keeps its name and "
            f"format; give a folder (-o {out_dir.parent / 'cleaned'})"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"{out_dir}: cannot create the output folder ({error.strerror or error})"
    if not out_dir.is_dir():
        return f"{out_dir}: not a folder"
    if not os.access(out_dir, os.W_OK | os.X_OK):
        return f"{out_dir}: the output folder is not writable"
    return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="refine-denoise",
        description="Denoise audio files (any format soundfile reads, any rate and channel "
        "count) with a trained refiner.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="files or folders")
    parser.add_argument("-o", "--out-dir", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="a refine-train checkpoint, or a shipped model's name: default (stationary "
        "noise, used when none is given) or real_noise (also typing, traffic, voices)",
    )
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument("--steps", type=int, help="refinement steps (default: the model's)")
    steps.add_argument("--tol", type=float, help="refine until ‖Δx‖/‖x‖ < TOL instead")
    parser.add_argument(
        "--schedule-steps",
        type=int,
        metavar="N",
        help="spread the trained schedule over N steps (1: the one-step answer); --steps or "
        "--tol beyond N run on as fixed-point steps",
    )
    parser.add_argument(
        "--save-steps", action="store_true", help="also write x̂_1 … x̂_N to OUT/<name>_steps/"
    )
    parser.add_argument(
        "--content",
        choices=[name for name in CONTENTS if name != "unknown"],
        help="what the recordings hold, for a model trained with content labels "
        "(model.content): it keeps that and removes the rest (default: not told)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument(
        "--chunk-seconds", type=float, default=30.0, help="refined at once (memory), default 30"
    )
    parser.add_argument(
        "--threads",
        type=thread_count,
        default="auto",
        help="torch threads, or auto (the default): all cores or one, whichever a probe step "
        "runs quicker with now (one, when another program keeps a core busy)",
    )
    args = parser.parse_args(argv)
    if args.save_steps and args.tol is not None:
        parser.error("--save-steps needs a fixed number of steps (--steps), not --tol")
    refuse_below(parser, ("--schedule-steps", args.schedule_steps, 1), ("--steps", args.steps, 0))
    if args.tol is not None and not args.tol > 0:
        parser.error(f"--tol must be > 0, got {args.tol}")
    if not 2.0 <= args.chunk_seconds < math.inf:
        parser.error(
            f"--chunk-seconds must be a finite number of seconds, at least 2 (twice the 1 s "
            f"overlap), got {args.chunk_seconds}"
        )
    return args


def thread_count(text: str) -> int | str:
    """--threads: a positive count, or "auto"."""
    if text == "auto":
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a positive number of threads or auto, got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)  # one line per message, whatever logging holds
    handler.setFormatter(logging.Formatter("refine-denoise: %(levelname)s: %(message)s"))
    log.handlers, log.propagate = [handler], False
    log.setLevel(logging.INFO)
    tune_allocator()
    if isinstance(args.threads, int):
        torch.set_num_threads(args.threads)
    jobs, problems = plan(args.inputs, args.out_dir)
    for problem in problems:
        log.error("%s", problem)
    if not jobs:
        sys.exit(2)
    folder_problem = writable_folder(args.out_dir)
    if folder_problem:
        log.error("%s", folder_problem)
        sys.exit(2)
    try:
        model = load_model(args.checkpoint)
        if args.schedule_steps is not None:
            model = respace(model, args.schedule_steps)
        told = model.refiner.content_is(args.content)
    except (CheckpointError, ImportError, ValueError) as error:  # ImportError: a field
        log.error("%s", error)  # model's package; ValueError: a model that cannot be
        sys.exit(2)  # respaced, or told a content it was not trained with
    if args.threads == "auto":
        most = torch.get_num_threads()
        chosen, seconds = quicker_threads(denoising_probe(model), most)
        timed = ", ".join(f"{n}: {t * 1e3:.0f} ms" for n, t in seconds.items()) or "one core"
        log.info("threads: %d of %d, the quicker on a probe step now (%s)", chosen, most, timed)
    steps_to_save = refine_settings(model, args.steps)["steps"] if args.save_steps else 0
    failed = len(problems)
    done = 0
    total = sum(_frames(job.source) for job in jobs)
    progress = tqdm(total=total, unit="frame", unit_scale=True, desc="denoising", leave=False)
    with progress as bar, told:
        for job in jobs:
            refusal = None if args.force else overwrites(job, steps_to_save)
            if refusal:
                log.error("%s", refusal)
                failed += 1
                continue
            try:
                report = enhance_file(
                    job.source,
                    job.destination,
                    model,
                    steps=args.steps,
                    tol=args.tol,
                    save_steps=args.save_steps,
                    chunk_seconds=args.chunk_seconds,
                    progress=bar,
                )
            except (AudioError, ValueError, OSError, RuntimeError) as error:
                log.error("%s", _one_line(error, job.source))
                failed += 1
                continue
            for warning in report.warnings:
                log.warning("%s: %s", job.source, warning)
            done += 1
            log.info(
                "%s -> %s (%.1f s, %d steps)",
                job.source,
                job.destination,
                report.frames / report.sample_rate,
                report.steps,
            )
    if failed:
        log.error("%d of %d inputs failed; %d denoised", failed, failed + done, done)
    sys.exit(0 if not failed else (1 if done else 2))


def _frames(path: Path) -> int:
    """Frames of a file for the progress bar (0 when unreadable: its error comes later)."""
    try:
        return sf.info(path).frames
    except (sf.SoundFileError, RuntimeError):
        return 0


def _one_line(error: Exception, source: Path) -> str:
    """The error's first line, prefixed by the file unless it already names it."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if str(source) in text else f"{source}: {text}"


if __name__ == "__main__":
    main()
