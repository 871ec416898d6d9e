#!/usr/bin/env bash
# Is the real-noise trade capacity? Every retraining on recorded noise ended near 30 % of
# the oracle IRM's gain held out and lost 0.4-0.6 dB on music and in white/pink noise
# ("The default as a mask, and the ninth restart"). If the 0.63 M-parameter network is too
# small to hold both skills, more width should gain on both at once. Asked from the plateau
# rather than from scratch (hours): the ninth restart (the real_noise model then shipped) widened
# to d_model 128 without changing its function (refine.process.widen: Net2WiderNet, 2.0 M
# parameters) and trained on the ninth's own data and loss, against the same model at its
# own width trained the same steps from the same weights on the same draw order.
# Decided on the held-in tests (music in white/pink noise, the corpus's speech in the noise
# corpus's babble, typing and ambience), then measured on the real recordings in white/pink
# noise and the held-out real noise, paired clip by clip at step 4 with each other and with
# the ninth restart's records (ninth_stage/). Run after run.sh's stages 1 and 3's data
# (data/corpus with its voices, data/noise, data/held_in, data/real, data/real_noise) and
# ninth_stage.sh; about 85 minutes on 2 cores (training 23 and 42, evaluation 20):
#   bash experiments/pretrained/capacity.sh
# Writes capacity/<arm>/<test>/ (eval_real.sh records), capacity/<test>_{narrow,wide,
# wide_vs_narrow}.md, capacity/{copies_apart,training_loss}.md and capacity/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/capacity
RUNS=runs/capacity
NINTH=runs/pretrained_retrained/refine_ninth.pt  # run.sh stage 4 exports it
STEPS=${STEPS:-6000}
source $P/plateau_recipe.sh  # PLATEAU_RECIPE: the ninth restart's data and loss, lr 3e-4
mkdir -p $RUNS $OUT
[ -f $RUNS/wide_start.pt ] || $BIN/python -c "from refine.process.widen import \
  widened_checkpoint as w; w('$NINTH', '$RUNS/wide_start.pt')"
bash $P/train.sh $RUNS/narrow "$STEPS" train.init_from=$NINTH "${PLATEAU_RECIPE[@]}"
bash $P/train.sh $RUNS/wide "$STEPS" train.init_from=$RUNS/wide_start.pt model.d_model=128 \
  "${PLATEAU_RECIPE[@]}"

tests=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
       real:data/real real_noise:data/real_noise)
for test in "${tests[@]}"; do
  IFS=: read -r name data <<< "$test"
  MAX_STEPS=4 bash $P/eval_real.sh $RUNS/narrow/checkpoint.pt $OUT/narrow/$name 4 "$data" > /dev/null
  IRM_FROM=$OUT/narrow/$name MAX_STEPS=4 \
    bash $P/eval_real.sh $RUNS/wide/checkpoint.pt $OUT/wide/$name 4 "$data" > /dev/null
  pair() { "$BIN/python" $P/paired.py "$1" "$2" --steps 4 --names "$3" "$4" > "$OUT/${name}_$5.md"; }
  pair $P/ninth_stage/$name $OUT/narrow/$name "ninth restart" "d_model 64, continued" narrow
  pair $P/ninth_stage/$name $OUT/wide/$name "ninth restart" "d_model 128, widened" wide
  pair $OUT/narrow/$name $OUT/wide/$name "d_model 64, continued" "d_model 128, widened" \
    wide_vs_narrow
done
# Whether the wide arm used its width: how far each channel moved from its copy.
$BIN/python $P/copies_apart.py $RUNS/wide/checkpoint.pt $RUNS/narrow/checkpoint.pt $NINTH \
  > $OUT/copies_apart.md
# And whether it fits its training batches better (the same batches in both arms).
$BIN/python $P/paired_training_loss.py $RUNS/narrow $RUNS/wide --after 4000 > $OUT/training_loss.md
$BIN/python benchmarks/denoise_speed.py --checkpoint $RUNS/wide/checkpoint.pt | tee $OUT/speed.txt
