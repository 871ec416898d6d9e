#!/usr/bin/env bash
# Experiment 7, part 4: the field's architectures against the shipped recipe, each trained
# from scratch on the shipped model's corpus (data/corpus in the nine noise kinds of the
# real-noise model, -5...20 dB) for the same wall-clock on this machine, and scored on the
# real recordings (white/pink, and the held-out real noise) against the oracle IRM, with
# PESQ/STOI on speech. Run from the repository root after experiments/pretrained/run.sh's
# stage 1 (the corpora) and `make field-models`:
#   bash experiments/anytime/field.sh
# - refine: the shipped recipe (STFT magnitudes, T = 4, the bin gate) with the convergent
#   update of refine-train's default (the bounded mask, K ~ U{0..12} steps past T, step decay
#   0.5): its 1500 steps set the budget (about the default run's time here);
# - demucs: Demucs (the denoiser package's class), causal, H = 32 (the paper's H = 48 has
#   18.9 M parameters, which a budget of minutes on 2 cores cannot train), its paper's
#   learning rate 3e-4;
# - attenuate: aTENNuate (the attenuate package's class) at its package's size, its paper's
#   learning rate 5e-3.
# Each trains with refine-train's loop and loss (its own T = 1 step: x − f(x) = D(x)).
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime/field
CORPUS="data=clean_folders data.clean_dir=data/corpus data.noise_dir=data/noise \
data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,music,ambience] \
data.noise_only_under={music:[speech,voices]} data.snr_range=[-5.0,20.0] \
data.noise_seconds=8.0 train.val_every=1000"
REFERENCE=refine REFERENCE_STEPS=1500 bash experiments/equal_budget.sh $OUT \
  "refine: domain=stft_magnitude model.steps=4 train.extra_steps=12 $CORPUS" \
  "demucs: model=demucs domain=waveform model.hidden=32 train.lr=3e-4 $CORPUS" \
  "attenuate: model=attenuate domain=waveform train.lr=5e-3 $CORPUS"
# The real recordings: each model at its own T; the speech in white/pink noise also by PESQ
# and STOI.
for model in refine:4 demucs:1 attenuate:1; do
  name=${model%%:*} steps=${model#*:}
  SPEECH_METRICS=auto MAX_STEPS=$steps bash experiments/pretrained/eval_real.sh \
    runs/field/$name/checkpoint.pt $OUT/$name/real "$steps" data/real
  MAX_STEPS=$steps bash experiments/pretrained/eval_real.sh \
    runs/field/$name/checkpoint.pt $OUT/$name/real_noise "$steps" data/real_noise
done
"$BIN/python" experiments/anytime/field.py $OUT refine demucs attenuate \
  --shipped experiments/pretrained/real2_model \
  --shipped-label "real_noise model, fifth restart (hours of training)" > $OUT/field.md
