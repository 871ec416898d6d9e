#!/usr/bin/env bash
# The eleventh restart, a candidate to replace the shipped real_noise model (the tenth
# restart): the tenth continued for 3000 steps on its own recipe (plateau_recipe.sh, 2 s
# clips, train.seed=13 as events.sh's arms) with every recorded kind of the noise corpus,
# babble, typing, hum, ambience and the three packages of sound events at random times
# (events, impacts, everyday; events.sh), and the four colours listed twice: colours are
# drawn 8/15 of the time, near the tenth's 4/8, where events.sh's everyday arm (the same
# kinds, each colour once) draws them 4/11 and each added kind gave back a little in white
# and pink noise. Against that arm (the same batches' clips and SNRs) it says what the
# colours' share buys; against the tenth, what shipping it would change.
#
# The ship rule, fixed before any of its numbers: it replaces the tenth if, paired clip by
# clip at step 4, it is not worse on either held-in test (music in white/pink noise; the
# corpus's speech in babble, typing and ambience: the upper end of the 95 % interval of the
# mean difference above 0) and its share of the oracle IRM's gain in white and pink noise
# on the half of the real recordings kept for choices (data/real_choice) is at least 80 %,
# the issue's floor. The held-out real noise and the other half of the real recordings are
# reported, never chosen on. Had it held, run.sh stage 4 would ship the file: its step decay
# by the third rule (store_decay.sh) and the past-T, nearly clean and speed measurements the
# model card quotes. About 35 minutes on 2 cores (training 22), after events.sh:
#   bash experiments/pretrained/eleventh.sh
# Writes eleventh/<test>/ (eval_real.sh records), eleventh/<test>_tenth.md (against the
# tenth, <test>_tenth.png), eleventh/<test>_everyday.md (against events.sh's everyday arm)
# and bidirectional/real_choice/ (the tenth on the choice half at step 4).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/eleventh
RUN=runs/eleventh
TENTH=runs/bidirectional/refine_tenth.pt  # run.sh stage 4: the real_noise model until 2026-12-03
STEPS=${STEPS:-3000}
source $P/plateau_recipe.sh  # PLATEAU_RECIPE: the ninth restart's data and loss, lr 3e-4
KINDS="[white,pink,brown,mix,white,pink,brown,mix,babble,typing,hum,ambience,events,impacts,everyday]"
mkdir -p $OUT
bash $P/train.sh $RUN "$STEPS" train.init_from=$TENTH model.bidirectional=true \
  "${PLATEAU_RECIPE[@]}" train.seed=13 "data.noise_kinds=$KINDS"
CANDIDATE=$RUN/refine_eleventh.pt  # the inference part, as it would ship
[ -f $CANDIDATE ] || $BIN/python -c "from refine.process.checkpoint import export_checkpoint \
  as e; e('$RUN/checkpoint.pt', '$CANDIDATE')"

# At step 4 (the decay past T does not change it): the tenth's records are bidirectional.sh's,
# but for the choice half, which no earlier comparison read at step 4 alone.
MAX_STEPS=4 bash $P/eval_real.sh $TENTH $P/bidirectional/real_choice 4 data/real_choice > /dev/null
tests=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
       real_choice:data/real_choice real:data/real real_noise:data/real_noise)
for test in "${tests[@]}"; do
  IFS=: read -r name data <<< "$test"
  IRM_FROM=$P/bidirectional/$name MAX_STEPS=4 \
    bash $P/eval_real.sh $CANDIDATE $OUT/$name 4 "$data" > /dev/null
  $BIN/python $P/paired.py $P/bidirectional/$name $OUT/$name --steps 4 \
    --plot "$OUT/${name}_tenth.png" --names "tenth (shipped)" "eleventh" > "$OUT/${name}_tenth.md"
  arm=$P/events/everyday/$name
  if [ -d "$arm" ]; then
    $BIN/python $P/paired.py "$arm" $OUT/$name --steps 4 \
      --names "everyday arm (colours 4/11)" "eleventh (colours 8/15)" > "$OUT/${name}_everyday.md"
  fi
done
