#!/usr/bin/env bash
# A pilot after content.sh's numbers: is the label under-trained? Added to the shipped model
# at zero, its embedding moved little in 3000 steps at the fine-tuning rate (its largest
# entry 0.05, embedding.md), and told - told nothing was +0.03 dB held out.
# The arm of seed 19 again with the labels' learning rate ten times train.lr
# (model.content_lr_scale=10), on the same batches, paired with content.sh's arm and control
# of seed 19 on the held-in tests, the held-out real noise and music_noise. Not a ship
# candidate. About 25 minutes on 2 cores, after content.sh:
#   bash experiments/pretrained/content_rate.sh
# Writes content/rate10_seed19/<test>/ (eval_real.sh records) and
# content/rate10_seed19/<test>_{control,arm}.md (against the control and the arm of seed 19)
# and content/rate10_seed19/embedding.md (the largest entry of each label, both rates).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/content
RUNS=runs/content
source $P/plateau_recipe.sh  # BABBLE_MUSIC_RECIPE
source $P/ship_rule.sh  # evaluate_and_pair_on, export_once
name=rate10_seed19
bash $P/train.sh $RUNS/$name 3000 train.init_from=$RUNS/start.pt model.content=true \
  "data.content_of={speech:speech,music:music,synth:music}" train.content_dropout=0.25 \
  model.content_lr_scale=10 "${BABBLE_MUSIC_RECIPE[@]}" train.seed=19
model=$RUNS/$name/refine_$name.pt
export_once $RUNS/$name/checkpoint.pt $model
for test in held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic \
  real_noise:data/real_noise music_noise:data/held_in/music_noise; do
  IFS=: read -r test data <<< "$test"
  evaluate_and_pair_on "$data" $OUT/control_seed19/$test $OUT/control_seed19/$test \
    "control, seed 19" $model $OUT/$name/$test "labels at 10x, seed 19" $OUT/$name/${test}_control
  $BIN/python $P/paired.py $OUT/arm_seed19/$test $OUT/$name/$test --steps 4 \
    --names "arm, seed 19" "labels at 10x, seed 19" > $OUT/$name/${test}_arm.md
done
# The size of what each run learnt: the largest entry of the embedding per label.
$BIN/python - > $OUT/$name/embedding.md <<PYTHON
from refine.networks.content import CONTENTS
from refine.process.checkpoint import load_checkpoint
print("| run | " + " | ".join(CONTENTS) + " |")
print("|---|" + "--:|" * len(CONTENTS))
for run in ("arm_seed19", "$name"):
    weight = load_checkpoint(f"$RUNS/{run}/checkpoint.pt")["model"]["step_net.content.weight"]
    print(f"| {run} | " + " | ".join(f"{v:.3f}" for v in weight.abs().amax(1).tolist()) + " |")
PYTHON
