#!/usr/bin/env bash
# The shipped model's training recipe, in one place for run.sh and the pilots: the STFT
# magnitude domain (experiment 4's winner), T = 4 (experiment 1: fewer steps train better
# in a fixed time; 4 keep a refinement curve to study), the bin gate (a per-bin threshold in
# the output gain), 0.5 s clips of the corpus in white/pink/brown/mixed noise at 0-20 dB.
# It starts from +experiment=affine_reference (the affine update and a constant step past T,
# refine-train's default when the shipped models were trained), so that a rerun trains what
# was measured, and names clean_folders' SNRs, which the reference's own would replace.
# Extra arguments override any key. The run resumes or returns if RUN already holds it.
#   bash experiments/pretrained/train.sh RUN STEPS [key=value ...]
set -euo pipefail
BIN=${BIN:-.venv/bin}
RUN=$1
STEPS=$2
shift 2
$BIN/refine-train +experiment=affine_reference data=clean_folders data.clean_dir=data/corpus \
  data.snr_range=[0.0,20.0] domain=stft_magnitude \
  model.steps=4 model.bin_gate=true train.steps=$STEPS train.val_every=2000 "$@" \
  hydra.run.dir=$RUN
