#!/usr/bin/env bash
# The ninth restart (run.sh stage 3, runs/pretrained_retrained: the shipped default rewritten
# as a mask model, default_as_mask.sh, then trained on real noise) against the affine
# default, against its own starting point (the default as a mask, untrained) and against the
# seventh restart (the shipped real_noise model), at step 4, paired clip by clip: first on
# the held-in tests it is chosen on (held_in.py: the corpus's rendered music in white and
# pink noise, its synthetic speech in the noise corpus's babble, typing and ambience), then
# on the tests it is not: the real recordings in white and pink noise (data/real), the
# held-out real noise (data/real_noise) and the nearly clean recordings (data/real_clean_end).
# Run after run.sh and default_as_mask.sh; about 20 minutes on 2 cores:
#   bash experiments/pretrained/ninth_stage.sh
# Writes ninth_stage/<test>/ (eval_real.sh records) and ninth_stage/<test>_{default,
# start,seventh}.md.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/ninth_stage
RUN=runs/pretrained_retrained
A=$P/default_as_mask
tests=(held_in_music:data/held_in/music:$A/held_in_affine:$A/held_in_c8:$P/music_slide/seventh/music
       held_in_synthetic:data/held_in/synthetic:$A/held_in_synthetic_affine:$A/held_in_synthetic:$P/context_stage/held_in_synthetic
       real:data/real:$P/real:$A/real:$P/context_stage/real
       real_noise:data/real_noise:$P/real_noise:$A/real_noise:$P/context_stage/real_noise
       real_clean_end:data/real_clean_end:$P/real_clean_end:$A/real_clean_end:$P/real_noise_model/real_clean_end)
for test in "${tests[@]}"; do
  IFS=: read -r name data default start seventh <<< "$test"
  MAX_STEPS=4 bash $P/eval_real.sh $RUN/checkpoint.pt $OUT/$name 4 $data > /dev/null
  for against in "default:$default:default (affine)" \
                 "start:$start:default as a mask" \
                 "seventh:$seventh:seventh restart"; do
    IFS=: read -r short records label <<< "$against"
    "$BIN/python" $P/paired.py "$records" $OUT/$name --steps 4 \
      --names "$label" "ninth restart" > $OUT/${name}_$short.md
  done
done
