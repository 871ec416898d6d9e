#!/usr/bin/env bash
# Why the shipped model has the bin gate (model.bin_gate): its training configuration for
# 2000 steps without and with the gate, both measured on the real recordings against the
# oracle IRM. Writes experiments/pretrained/bin_gate/{false,true}/ceiling.md; about 20 min.
# Needs the corpus and data/real that run.sh prepares (its steps 1 and 4).
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/pretrained
for gate in false true; do
  run=runs/pretrained_gate_$gate
  $BIN/refine-train data=clean_folders data.clean_dir=data/corpus domain=stft_magnitude \
    model.steps=4 model.bin_gate=$gate train.steps=2000 train.val_every=1000 hydra.run.dir=$run
  bash $OUT/eval_real.sh $run/checkpoint.pt $OUT/bin_gate/$gate 4
done
