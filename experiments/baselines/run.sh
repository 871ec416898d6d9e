#!/usr/bin/env bash
# Issue 5: the seed systems and the classical baselines side by side. Every network trains
# on the same synthetic data (music in white and pink noise, -5 to 10 dB) for the same
# wall-clock time on this CPU (budget.csv: the default run's 1200 steps), and every system is
# evaluated by refine-eval on one test set: 0, 5 and 10 dB in white, pink and brown noise
# (brown is unseen in training, by all of them alike), 6 clips per condition. Run from the
# repository root:
#   bash experiments/baselines/run.sh
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/baselines
TEST="data.noise_kinds=[white,pink,brown] data.examples=54 tolerances=[]"
# lru_unet_T8 is the default recipe when these records were made (the affine update:
# configs/experiment/affine_reference.yaml), so a rerun after the default changed trains it.
REFERENCE=lru_unet_T8 EVAL_OVERRIDES="$TEST" bash experiments/equal_budget.sh $OUT \
  "lru_unet_T8: +experiment=affine_reference" \
  "conv_unet_lru: model=conv_unet_lru model.steps=1 domain=waveform" \
  "wave_unet: model=wave_unet model.steps=1 domain=waveform" \
  "patch_conv_rnn: model=patch_conv_rnn domain=stft_magnitude"
# shellcheck source=experiments/records.sh
source experiments/records.sh  # kept, keep
for method in spectral_subtraction wiener spectral_gating oracle_irm oracle_psm; do
  evals=runs/baselines/$method/eval
  ! kept "$evals" $OUT/$method || continue
  # shellcheck disable=SC2086  # TEST: space-separated refine-eval settings
  [ -f "$evals/summary.json" ] || "$BIN/refine-eval" method=$method hydra.run.dir="$evals" $TEST
  keep "$evals" $OUT/$method
done
"$BIN/python" $OUT/table.py $OUT
