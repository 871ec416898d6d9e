#!/usr/bin/env bash
# Weights between the two shipped models (refine.process.interpolate: (1 − α)·default +
# α·real_noise, WiSE-FT): does some α keep the default's white/pink quality and most of the
# real_noise model's gain under recorded noise? Measured on the held-in tests only (held_in.py:
# the corpus's rendered music in white/pink noise, its synthetic speech in the noise corpus's
# babble, typing and ambience), at step 4, paired clip by clip with the default. The rule,
# fixed before looking: the largest α within 0.1 dB of the default on held-in music would
# be a candidate default, measured then on the tests. Run after run.sh; about 5 minutes:
#   bash experiments/pretrained/interpolate.sh
# Writes interpolate/a<α>/<test>/ (eval_real.sh records) and interpolate/held_in.md.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/interpolate
RUNS=runs/interpolate
mkdir -p $RUNS $OUT
table=$OUT/held_in.md
printf '| α | held-in music / IRM | − default (dB) [95 %%] | held-in speech in real noise / IRM | − default (dB) [95 %%] |\n|--:|--:|--:|--:|--:|\n' > $table
for alpha in 0.25 0.5 0.75; do
  [ -f $RUNS/a$alpha.pt ] || "$BIN/python" -c "from refine.process.interpolate import \
    interpolated_checkpoint as i; i('refine/pretrained/refine_default.pt', \
    'runs/pretrained_retrained/refine_ninth.pt', $alpha, '$RUNS/a$alpha.pt')"
  row="| $alpha |"
  for test in music:held_in_c8 synthetic:held_in_synthetic; do
    IFS=: read -r name default <<< "$test"
    MAX_STEPS=4 bash $P/eval_real.sh $RUNS/a$alpha.pt $OUT/a$alpha/$name 4 data/held_in/$name \
      > /dev/null
    all=$("$BIN/python" $P/paired.py $P/default_as_mask/$default $OUT/a$alpha/$name --steps 4 \
      | grep '\*\*all')
    row="$row $(echo "$all" | awk -F'|' '{print $5 "|" $6 "|"}')"
  done
  echo "$row" >> $table
done
