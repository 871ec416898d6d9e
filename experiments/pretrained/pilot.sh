#!/usr/bin/env bash
# A pilot of one change to the shipped model's recipe (train.sh): 2000 steps with the given
# overrides, measured on the real recordings against the oracle IRM in
# experiments/pretrained/pilots/NAME/ceiling.md. About 10 minutes on 2 cores; training is
# deterministic here, so a rerun gives the same tables. Needs the corpus and data/real
# (run.sh's steps 1 and 4). With no overrides: the recipe itself, the baseline of the others.
#   bash experiments/pretrained/pilot.sh NAME [key=value ...]
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/pretrained
NAME=$1
shift
bash $OUT/train.sh runs/pilot_$NAME 2000 train.val_every=1000 "$@"
bash $OUT/eval_real.sh runs/pilot_$NAME/checkpoint.pt $OUT/pilots/$NAME 4
$BIN/python $OUT/pilots.py $OUT/pilots
