#!/usr/bin/env bash
# Experiment 7, part 1 on the real recordings: the same models as the synthetic front (the
# T = 8 weights at 1 ... 8T steps, respaced below T, and respaced to one step and iterated
# on past it; the one-shot family trained for equal time) scored on data/real (real speech
# and music in white/pink noise at 0 and 5 dB, whole files, written by
# experiments/pretrained/real_recordings.py), so the front can be read on audio that no
# choice here was tuned on. Run after run.sh's parts 1 to 1c (budget_4x.sh runs it on its
# own models: the T = 8 checkpoint, the folder of its one-shot runs and the records' folder):
#   bash experiments/anytime/real.sh [T8_CHECKPOINT ONE_SHOT_RUNS OUT]   # about 20 min
# Writes OUT/<model>/<set>/{model,irm}/ (eval_real.sh's records) and OUT/front.{md,csv,png};
# a one-shot run not finished yet (no eval/summary.json) is left out, and said so. Records
# already in OUT are kept, so a model whose run folder is gone (a fresh clone) is not lost,
# and a rerun scores only what is new.
set -euo pipefail
BIN=${BIN:-.venv/bin}
ITERATIVE=${1:-runs/main/checkpoint.pt}
ONE_SHOT=${2:-runs/anytime}
OUT=${3:-experiments/anytime/real}
real() {  # CHECKPOINT RECORDS STEPS MAX_STEPS [refine-eval settings]
  MODEL_OVERRIDES=${5:-} MAX_STEPS=$4 bash experiments/pretrained/eval_real.sh "$1" "$2" \
    "$3" data/real > /dev/null
}
scored() {  # READY RECORDS: the model's file READY is here to score it, or its records are kept
  [ -f "$1" ] || [ -f "$2/ceiling.csv" ]
}
# To 2T and at the compute points only: a pass over the whole files (up to 90 s) costs what
# 13 of the synthetic test set's do, and the synthetic curves are flat past t = 12.
if scored "$ITERATIVE" $OUT/T8; then
  real "$ITERATIVE" $OUT/T8 8 16
  for n in 1 2 4; do
    real "$ITERATIVE" $OUT/respaced/N$n $n $n "schedule_steps=$n"
  done
  real "$ITERATIVE" $OUT/iterated 1 8 "schedule_steps=1"  # as run.sh's part 1c
else
  echo "real.sh: no $ITERATIVE and no records in $OUT/T8: the iterative model is left out" >&2
fi
for k in 1 2 4 8; do
  if scored "$ONE_SHOT/S$k/eval/summary.json" $OUT/S$k; then  # a finished run, or its records
    real "$ONE_SHOT/S$k/checkpoint.pt" $OUT/S$k 1 1
  else
    echo "real.sh: $ONE_SHOT/S$k has not finished training: left out of $OUT" >&2
  fi
done
if [ -f $OUT/T8/ceiling.csv ]; then
  "$BIN/python" experiments/anytime/front.py $OUT
else
  echo "real.sh: the front waits for the iterative model's records ($OUT/T8)" >&2
fi
