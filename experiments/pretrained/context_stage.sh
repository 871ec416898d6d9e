#!/usr/bin/env bash
# Issue 19's seventh restart against what came before it: the 2 s clip pilot
# (noise_pilots.sh part 2: +0.18 dB held-in, +0.24 dB on the held-out real noise after 741 s)
# run as a shipped stage for an hour (run.sh stage 3, runs/pretrained_context), measured at
# step 4 on the pilot's tests: the held-in test (the corpora's own speech in the noise
# corpus's own noise), the real recordings in white and pink noise, and the held-out real
# noise (recordings no run trains on: reported, never chosen on), each paired clip by clip
# with the fifth restart (the real_noise model it replaced: run.sh's records of it) and with
# the 741 s pilot. Run after run.sh and noise_pilots.sh; about 15 minutes on 2 cores:
#   bash experiments/pretrained/context_stage.sh
# Writes context_stage/<test>/ (eval_real.sh records) and context_stage/<test>_{shipped,
# pilot}.md ("shipped": the fifth restart, shipped when this was measured).
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/pretrained/context_stage
PILOTS=experiments/pretrained/noise_pilots
RUN=runs/pretrained_context
fifth=experiments/pretrained
tests=(held_in_synthetic:data/held_in/synthetic:$fifth/held_in/real2/synthetic
       held_in_recorded:data/held_in/recorded:$fifth/held_in/real2/recorded
       real:data/real:$fifth/real2_model/real
       real_noise:data/real_noise:$fifth/real2_model/real_noise)
for test in "${tests[@]}"; do
  IFS=: read -r name data reference <<< "$test"
  MAX_STEPS=4 bash experiments/pretrained/eval_real.sh $RUN/checkpoint.pt $OUT/$name 4 $data \
    > /dev/null
  "$BIN/python" experiments/pretrained/paired.py "$reference" $OUT/$name --steps 4 \
    --names "fifth restart" "seventh restart" > $OUT/${name}_shipped.md
  "$BIN/python" experiments/pretrained/paired.py $PILOTS/clips_2s_corpus5/$name $OUT/$name \
    --steps 4 --names "741 s pilot" "seventh restart" > $OUT/${name}_pilot.md
done
