#!/usr/bin/env bash
# Does a model that sees the future want more of it? 2 s training clips beat 0.5 s at equal
# time by 0.6-0.75 dB (noise_pilots.sh), with forwards-only blocks. The tenth restart
# (bidirectional.sh) trained on 2 s clips; here it is continued twice from its weights for
# the same 3000 steps on the same audio per step (8 s a batch) and the same draw order
# (train.seed=13): on 2 s clips, 4 a batch (`more_2s`, the control: what more of the same
# buys) and on 4 s clips, 2 a batch (`more_4s`). Chosen on the held-in tests (music in
# white/pink noise, the corpus's speech in the noise corpus's babble, typing and ambience):
# 4 s clips are a lever if more_4s beats more_2s on the held-in speech with an interval above
# zero and loses nothing on held-in music; then measured on the held-out real noise. Paired
# clip by clip at step 4. Run after bidirectional.sh; about 35 minutes on 2 cores:
#   bash experiments/pretrained/bidirectional_context.sh
# Writes bidirectional_context/<arm>/<test>/ (eval_real.sh records) and
# bidirectional_context/<test>.md (more_4s against more_2s; real_noise.png its forest plot),
# bidirectional_context/<test>_<arm>_tenth.md (each arm against the tenth restart).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/bidirectional_context
RUNS=runs/bidirectional_context
TENTH=runs/bidirectional/train/checkpoint.pt
STEPS=${STEPS:-3000}
source $P/plateau_recipe.sh  # PLATEAU_RECIPE: the ninth restart's data and loss, lr 3e-4
MORE=(train.init_from=$TENTH model.bidirectional=true "${PLATEAU_RECIPE[@]}" train.seed=13)
mkdir -p $RUNS $OUT
bash $P/train.sh $RUNS/more_2s "$STEPS" "${MORE[@]}"
bash $P/train.sh $RUNS/more_4s "$STEPS" "${MORE[@]}" data.segment_seconds=4.0 train.batch_size=2

tests=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
       real_noise:data/real_noise)
for test in "${tests[@]}"; do
  IFS=: read -r name data <<< "$test"
  for arm in more_2s more_4s; do
    IRM_FROM=$P/bidirectional/$name MAX_STEPS=4 \
      bash $P/eval_real.sh $RUNS/$arm/checkpoint.pt $OUT/$arm/$name 4 "$data" > /dev/null
    $BIN/python $P/paired.py $P/bidirectional/$name $OUT/$arm/$name --steps 4 \
      --names "tenth restart" "$arm" > "$OUT/${name}_${arm}_tenth.md"
  done
  $BIN/python $P/paired.py $OUT/more_2s/$name $OUT/more_4s/$name --steps 4 \
    --plot "$OUT/$name.png" --names "2 s clips" "4 s clips" > "$OUT/$name.md"
done
