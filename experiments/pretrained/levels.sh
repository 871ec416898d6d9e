#!/usr/bin/env bash
# Each bin's log level in the lift (model.level_input, refine.networks.step_net). The step
# network's lift is linear in the magnitudes divided by the clip's RMS, so a bin 40 dB below
# the loudest weighs 1 % of it in every lifted feature: a voice's quiet harmonics under
# babble, music's partials under clatter or traffic reach the backbone only as a rounding of
# the loud bins. The bin gate thresholds each bin's log level at the output, but the backbone
# that decides the threshold never reads it. Compressed spectra (log, power 0.3) are what
# speech-enhancement networks read for this reason. Does reading them move the held-out test,
# where every change of data since the soups began has left it level (38.2-38.8 %)?
#
# Two arms of 3000 steps, layers.sh recorded's arms of seeds 19 and 20 (the shipped model's
# make) with the level map added at zero to their start, babble_music.sh's soup
# (refine.process.level_input: the start computes what it did), so each arm sees its
# control's batches in the same order and is paired with it clip by clip at step 4, and with
# the shipped model. The reading, fixed here before any of its numbers: on the held-out real
# noise (22 conditions) both seeds +0.15 dB or more against their controls with intervals
# above zero say levels teach what magnitudes did not; both within 0.1 dB, or apart in sign,
# say a network that learnt without them does not learn from them in 3000 steps (a network
# trained from the start with them would then be the question, not answered here). Beside
# it, speech under held-out babble (the mean of its 0 and 5 dB rows) and music under street,
# nature and clatter are read, where the quiet parts are.
#
# The ship rule, fixed here before any of its numbers (layers.sh's): the soup (start + arm 19
# + arm 20)/3 replaces the shipped model if, paired clip by clip at step 4 against it, it is
# not worse on either held-in test (the upper end of the 95 % interval above 0) and keeps at
# least 80 % of the oracle IRM's gain in white and pink noise on data/real_choice. The
# held-out real noise and the other half of the real recordings are reported, never chosen
# on. About 50 minutes on 2 cores, after layers.sh recorded (its arms are the controls):
#   bash experiments/pretrained/levels.sh
# Writes levels/<run>/<test>/ (eval_real.sh records), <run>/<test>_shipped.{md,png} and
# arm_seed<seed>/<test>_control.{md,png}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/levels
RUNS=runs/levels
BASE=$P/layers/recorded/soup_three  # the shipped model's records
BASE_NAME="layers soup (shipped)"
source $P/plateau_recipe.sh  # BABBLE_MUSIC_RECIPE, VEHICLES_KINDS, RECORDED_LAYERS
source $P/ship_rule.sh  # arm_of_seed, soup_of_arms, pair_with_control, shipped_soup_once,
  # needs_vehicles
shipped_soup_once
needs_vehicles levels.sh
[ -d data/held_in/music_noise ] || $BIN/python $P/held_in.py data/held_in
mkdir -p $RUNS
START=$RUNS/start.pt  # the layers arms' start reading levels, its level map at zero
[ -f $START ] || $BIN/python -c "from refine.process.level_input import \
  level_input_checkpoint as c; c('$SHIPPED_SOUP', '$START')"
for seed in 19 20; do
  arm_of_seed arm_seed$seed "levels, seed $seed" train.init_from=$START model.level_input=true \
    "${BABBLE_MUSIC_RECIPE[@]}" "${VEHICLES_KINDS[@]}" "${RECORDED_LAYERS[@]}" train.seed=$seed
  pair_with_control $P/layers/recorded/arm_seed$seed $OUT/arm_seed$seed levels $seed
done
soup_of_arms $START 19 20 $RUNS/soup_start_arm19.pt "layers' make + both level arms"
