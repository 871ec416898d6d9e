#!/usr/bin/env bash
# The eighth restart (run.sh stage 3, runs/pretrained_clean_end: the seventh restart, the
# shipped real_noise model, continued up to 30 dB with the capped normalisation and without
# music as a noise kind) against the seventh restart and against its 23-minute pilot
# (clean_end_pilot.sh part 2), measured at step 4 on the nearly clean real recordings
# (data/real_clean_end), the real recordings in white and pink noise (data/real) and the
# held-out real noise (data/real_noise: reported, never chosen on), paired clip by clip.
# Run after run.sh and clean_end_pilot.sh; about 20 minutes on 2 cores:
#   bash experiments/pretrained/eighth_stage.sh
# Writes eighth_stage/<test>/ (eval_real.sh records) and eighth_stage/<test>_{shipped,pilot}.md
# ("shipped": the seventh restart, shipped when this was measured).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/eighth_stage
RUN=runs/pretrained_clean_end
tests=(real_clean_end:$P/real_noise_model/real_clean_end
       real:$P/context_stage/real
       real_noise:$P/context_stage/real_noise)
for test in "${tests[@]}"; do
  IFS=: read -r name seventh <<< "$test"
  MAX_STEPS=4 bash $P/eval_real.sh $RUN/checkpoint.pt $OUT/$name 4 data/$name > /dev/null
  "$BIN/python" $P/paired.py "$seventh" $OUT/$name --steps 4 \
    --names "seventh restart" "eighth restart" > $OUT/${name}_shipped.md
  "$BIN/python" $P/paired.py $P/clean_end_pilot/no_music/$name $OUT/$name --steps 4 \
    --names "23 min pilot" "eighth restart" > $OUT/${name}_pilot.md
done
