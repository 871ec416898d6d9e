#!/usr/bin/env bash
# The records of this folder: benchmarks/gpu.sh on one NVIDIA H200 (the device tool's
# machine, torch 2.11.0+cu130, 16 cores), in two calls of 2026-12-04, then the same main job
# on the 2-core CPU for the pair. On the GPU the tool sets OUT; here it is this folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-experiments/gpu}
# 1. machine.txt, tests.txt, train_{float32,bfloat16}.log (trimmed to their validation and
#    last progress lines), history_{float32,bfloat16}.json: the trainings stopped at 150 s.
OUT=$OUT TRAIN_LIMIT=150 bash benchmarks/gpu.sh
# 2. train_step.txt: the step's time and split, float32 and bf16 (the --compile run did not
#    finish compiling within its 70 s and printed nothing).
OUT=$OUT PARTS=step STEP_LIMIT=70 bash benchmarks/gpu.sh
# 3. history_cpu_float32.json: the main job's training on the 2-core CPU (AVX-512 EPYC).
refine-train hydra.run.dir=runs/main_cpu
cp runs/main_cpu/history.json "$OUT/history_cpu_float32.json"
