#!/usr/bin/env bash
# How far does training from scratch go with more steps? Issue 19 waits on a choice between
# closing with its gap documented and funding one long from-scratch training on today's data,
# and the only from-scratch point was levels_scratch.sh's plain run: 3000 steps reach 24.4 %
# of the oracle IRM's gain on the held-out real noise, where the shipped lineage's tens of
# thousands of steps (its recipe changing on the way) reach 38.2 %. This trains the same
# recipe, batches and seed (train.seed=21) for STEPS steps (the cosine schedule spread over
# them) and pairs it on the held-out real noise, clip by clip, with the run of half as many
# steps. One seed: a slope, read as such.
# The reading of the first doubling (6000 against 3000), fixed here before its numbers: a
# doubling worth 7 points or more (31.4 % or above) puts the lineage's 38.2 % within one more
# doubling (12000 steps, about 75 minutes on 2 cores) and the 50 % target within three or four
# at that rate, so a long from-scratch run is worth funding; under 4 points (below 28.4 %) it
# takes four or more doublings just to reach the lineage, and the target is out of reach of
# any training this machine can give: close the issue with the gap documented. In between,
# the slope does not decide it. (It gave +4.1 points [+3.6, +4.5], on the line.)
# The reading of the second (12000 against 6000), fixed after the first's numbers and before
# its own: 3.5 points or more says the rate holds (then the lineage's 38.2 % is about two
# more doublings from scratch, and 50 % five); 2 points or fewer says the returns are
# shrinking, so from scratch does not reach the lineage in any time a session has: close the
# issue with the gap documented; in between, shrinking but not decided. (It gave +3.2 points
# [+2.7, +3.6], shrinking by about a fifth.)
# The reading of the third (24000 against 12000), fixed after the second's numbers and before
# its own: returns that keep shrinking by a fifth predict +2.6 points. 3 points or more says
# they stopped shrinking, so a long from-scratch run is worth funding (the lineage's 38.2 %
# about two more doublings away); under 3 confirms the shrinking series (about 43 % in the
# limit), and closing the issue with the gap documented stands. (It gave +2.0 points
# [+1.6, +2.5]: each doubling about two thirds of the one before, the series near 37 %.)
# About 50 minutes on 2 cores (STEPS=6000), 75 (12000), 150 (24000):
#   bash experiments/pretrained/scratch_length.sh [STEPS]
# Writes scratch_length/STEPS/real_noise/ (eval_real.sh records),
# scratch_length/real_noise_STEPS.{md,png} (STEPS against half as many) and, for 6000,
# share_gain.txt, else share_gain_STEPS.txt (the gain in shares of the oracle with its
# interval, the unit of the readings; added after the first numbers, which the table gave
# only as rounded shares).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/scratch_length
STEPS=${1:-6000}
HALF=$((STEPS / 2))
RUN=runs/scratch_length/$STEPS
BASE=$OUT/$HALF/real_noise
SHARE=$OUT/share_gain_$STEPS.txt
if [ "$HALF" = 3000 ]; then
  BASE=$P/levels/scratch/plain/real_noise SHARE=$OUT/share_gain.txt
fi
source $P/plateau_recipe.sh  # BABBLE_MUSIC_RECIPE, VEHICLES_KINDS, RECORDED_LAYERS
source $P/ship_rule.sh  # test_data, evaluate_and_pair_on, export_once, needs_vehicles
needs_vehicles scratch_length.sh
bash $P/train.sh $RUN $STEPS model.level_input=false "${BABBLE_MUSIC_RECIPE[@]}" \
  "${VEHICLES_KINDS[@]}" "${RECORDED_LAYERS[@]}" train.seed=21
export_once $RUN/checkpoint.pt $RUN/refine_$STEPS.pt
evaluate_and_pair_on "$(test_data real_noise)" $P/bidirectional/real_noise $BASE \
  "$HALF steps from scratch, seed 21" $RUN/refine_$STEPS.pt $OUT/$STEPS/real_noise \
  "$STEPS steps from scratch, seed 21" $OUT/real_noise_$STEPS
$BIN/python $P/paired.py $BASE $OUT/$STEPS/real_noise --steps 4 --share-gain \
  --names "$HALF steps" "$STEPS steps" | tail -1 > $SHARE
