#!/usr/bin/env bash
# bf16 autocast in training on a CPU that computes bf16 dot products natively (AVX512_BF16;
# `train.precision=bfloat16`): how much faster is the default training step, and what does
# the precision cost the default recipe (the main job: complex STFT, T = 8, 0.5 s clips)?
# Two questions, two comparisons, paired clip by clip at T on the synthetic test set:
#   - equal wall-clock: bf16 trains the steps that cost the main job's 1200 float32 steps
#     (equal_budget.sh; budget.csv holds each precision's measured seconds per step);
#   - equal steps: bf16 for 1200 steps on seeds 0 and 1, beside float32 on the same seeds,
#     against the seed-to-seed spread of float32 itself (seed 1 against seed 0).
# Run from the repository root; about 35 minutes on 2 cores (the main job's run is made by
# `make train` if missing). On a CPU without bf16 instructions bf16 matmuls are emulated and
# a step takes several times as long: the budget then gives bf16 a few hundred steps.
#   bash experiments/precision/run.sh
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/precision
bash experiments/equal_budget.sh $OUT "float32:" "bfloat16: train.precision=bfloat16"
# shellcheck source=experiments/records.sh
source experiments/records.sh
for seed in 0 1; do
  record $OUT/bfloat16_1200_seed$seed runs/precision/bfloat16_1200_seed$seed \
    runs/precision/bfloat16_1200_seed$seed/eval \
    train.precision=bfloat16 train.steps=1200 train.seed=$seed
done
record $OUT/float32_seed1 runs/precision/float32_seed1 runs/precision/float32_seed1/eval \
  train.seed=1
# Seed 0 at equal steps against float32 seed 0 (the main job), and float32's own spread.
"$BIN/refine-plot" $OUT/float32 $OUT/bfloat16_1200_seed0 $OUT/float32_seed1 \
  --labels float32 bfloat16_1200_seed0 float32_seed1 -o $OUT/equal_steps_seed0
"$BIN/refine-plot" $OUT/float32_seed1 $OUT/bfloat16_1200_seed1 \
  --labels float32_seed1 bfloat16_1200_seed1 -o $OUT/equal_steps_seed1
