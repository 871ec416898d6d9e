#!/usr/bin/env bash
# Levels in the lift from the start (model.level_input): levels.sh added the level map at zero
# to a network that had learnt without it, and its arms gained the training kinds and not the
# held-out ones. Does a network that reads levels from its first step learn the held-out
# kinds faster? Two runs of 3000 steps from scratch on the shipped model's recipe (layers.sh
# recorded's: babble over music, vehicles, recorded second layers; train.seed=21), with and
# without the level map, on the same batches; each on the held-out real noise and on the
# corpus's speech under the training kinds (held_in_synthetic) to step 4, paired clip by
# clip. One seed, at a twentieth of the shipped model's training: a pilot, read as such. The
# reading, fixed here before its numbers: held out, +0.3 dB or more with the interval above
# zero (twice the largest spread two seeds of a fine-tuning arm showed, 0.18 dB) says levels
# speed the learning of what the held-out recordings hold and a full training with them is
# worth its hours; within 0.15 dB, that they do not, from the start either.
# About 35 minutes on 2 cores:
#   bash experiments/pretrained/levels_scratch.sh
# Writes levels/scratch/<run>/<test>/ (eval_real.sh records) and
# levels/scratch/<test>_levels.{md,png} (levels against plain).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/levels/scratch
RUNS=runs/levels_scratch
source $P/plateau_recipe.sh  # BABBLE_MUSIC_RECIPE, VEHICLES_KINDS, RECORDED_LAYERS
source $P/ship_rule.sh  # test_data, evaluate_and_pair_on, export_once, needs_vehicles
needs_vehicles levels_scratch.sh
TESTS=(real_noise held_in_synthetic)
for run in plain:false levels:true; do
  IFS=: read -r name reads <<< "$run"
  bash $P/train.sh $RUNS/$name 3000 model.level_input=$reads "${BABBLE_MUSIC_RECIPE[@]}" \
    "${VEHICLES_KINDS[@]}" "${RECORDED_LAYERS[@]}" train.seed=21
  export_once $RUNS/$name/checkpoint.pt $RUNS/$name/refine_$name.pt
done
for test in "${TESTS[@]}"; do
  IRM_FROM=$P/bidirectional/$test MAX_STEPS=4 bash $P/eval_real.sh \
    $RUNS/plain/refine_plain.pt $OUT/plain/$test 4 "$(test_data $test)" > /dev/null
  evaluate_and_pair_on "$(test_data $test)" $P/bidirectional/$test $OUT/plain/$test \
    "from scratch, seed 21" $RUNS/levels/refine_levels.pt $OUT/levels/$test \
    "from scratch with levels, seed 21" $OUT/${test}_levels
done
