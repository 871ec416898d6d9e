#!/usr/bin/env bash
# The shipped model (refine/pretrained/refine_default.pt), end to end: prepare the corpus,
# train, export, and measure it on real recordings against the oracle IRM. Run from the
# repository root after `make setup` and `make system-packages`; the real recordings need
#   apt-get install alsa-utils asterisk-core-sounds-en-wav asterisk-moh-opsound-wav lomiri-sounds
# Every stage is cached: the corpus files, the training run (resumes or returns), the evals.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/pretrained
RUN=runs/pretrained
SHIPPED=refine/pretrained/refine_default.pt
STEPS=${STEPS:-16000}  # optimiser steps: about an hour on 2 cores

# 1. Clean corpus: rendered scores, synthetic speech, synthetic music (about 2.8 h of audio).
$BIN/python -m refine.data.prepare data/corpus

# 2. Train in the STFT magnitude domain (experiment 4's winner) with T = 4 (experiment 1:
#    fewer steps train better in a fixed time; 4 keep a refinement curve to study), the
#    bin gate (a per-bin threshold in the output gain), on 0.5 s clips of the corpus in
#    white/pink/brown/mixed noise at 0-20 dB.
$BIN/refine-train data=clean_folders data.clean_dir=data/corpus domain=stft_magnitude \
  model.steps=4 model.bin_gate=true train.steps=$STEPS train.val_every=2000 hydra.run.dir=$RUN

# 3. Ship the inference part of the checkpoint inside the package.
$BIN/python -c "from refine.checkpoint import export_checkpoint as e; e('$RUN/checkpoint.pt', '$SHIPPED')"

# 4. Real recordings in white and pink noise at 0 and 5 dB: the model's per-step SI-SDR and
#    the oracle ideal ratio mask's.
$BIN/python $OUT/real_recordings.py data/real
bash $OUT/eval_real.sh $SHIPPED $OUT/real 4

# 5. Speed of the shipped model with its default steps: 10 s at 16 kHz, 2 threads.
$BIN/python benchmarks/denoise_speed.py --hour | tee $OUT/speed.txt
