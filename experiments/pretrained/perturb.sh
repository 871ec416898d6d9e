#!/usr/bin/env bash
# Perturbed recorded noise (data.noise_speed_range, data.noise_eq_db:
# refine.data.noise_perturbation): each window of a recorded kind played at a speed drawn
# log-uniformly on [0.8, 1.25] and through an equaliser of gains within ±6 dB, so the corpus's
# few hundred recordings stand for more of the noises people record in. Every new package of
# recorded noise moved the held-out test and each moved it less (events.sh); perturbation
# makes new noises from the old ones at no cost. Two arms from the shipped real_noise model
# (the eleventh restart continued, eleventh_more.sh), 3000 steps each on its recipe with the
# same batches (train.seed=15): a control as recorded, and the same perturbed (the settings
# fixed here before any result). Against the control it says what perturbation buys; against
# the shipped model, what shipping it would change.
#
# The ship rule, fixed before any of its numbers (eleventh.sh's, with the shipped model in the
# tenth's place): the perturbed arm replaces the shipped model if, paired clip by clip at
# step 4, it is not worse on either held-in test (the upper end of the 95 % interval of the
# mean difference above 0) and its share of the oracle IRM's gain in white and pink noise on
# the half of the real recordings kept for choices (data/real_choice) is at least 80 %. The
# held-out real noise and the other half of the real recordings are reported, never chosen
# on. About 55 minutes on 2 cores (training 2 x 17):
#   bash experiments/pretrained/perturb.sh
# Writes perturb/<arm>/<test>/ (eval_real.sh records), perturb/<arm>/<test>_shipped.{md,png}
# (against the shipped model) and perturb/perturbed/<test>_control.{md,png}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/perturb
STEPS=${STEPS:-3000}
SHIPPED=runs/eleventh_more/refine_eleventh_more.pt
source $P/plateau_recipe.sh  # PLATEAU_RECIPE (the ninth restart's recipe), ELEVENTH_KINDS
source $P/ship_rule.sh  # SHIP_RULE_TESTS, evaluate_and_pair, export_once
PERTURBED=("data.noise_speed_range=[0.8,1.25]" data.noise_eq_db=6.0)
for arm in control perturbed; do
  settings=()
  [ $arm = perturbed ] && settings=("${PERTURBED[@]}")
  bash $P/train.sh runs/perturb/$arm "$STEPS" train.init_from=$SHIPPED model.bidirectional=true \
    "${PLATEAU_RECIPE[@]}" train.seed=15 "data.noise_kinds=$ELEVENTH_KINDS" "${settings[@]}"
done
for arm in control perturbed; do
  model=runs/perturb/$arm/refine_perturb_$arm.pt  # the inference part, as it would ship
  export_once runs/perturb/$arm/checkpoint.pt $model
  evaluate_and_pair $P/eleventh_more "shipped (eleventh + 3000)" $model $OUT/$arm "$arm" shipped
done
for test in "${SHIP_RULE_TESTS[@]}"; do
  name=${test%%:*}
  $BIN/python $P/paired.py $OUT/control/$name $OUT/perturbed/$name --steps 4 \
    --plot "$OUT/perturbed/${name}_control.png" --names control perturbed \
    > "$OUT/perturbed/${name}_control.md"
done
