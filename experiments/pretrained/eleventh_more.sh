#!/usr/bin/env bash
# Is the eleventh restart's loss in pink noise a passing one? eleventh.sh's candidate lost
# 0.17-0.24 dB in every pink condition while it gained 0.62 dB held out, after 3000 steps
# from the tenth. The same recipe continued 3000 steps more from it (another draw order,
# train.seed=14), judged by eleventh.sh's ship rule against the tenth (not worse on either
# held-in test, at least 80 % of the oracle's gain in white/pink on data/real_choice), and
# against the eleventh: if pink comes back with more steps and the held-out gain stays, the
# pink loss was the cost of a recipe half learnt; if not, it is the price of the events in
# this network. About 30 minutes on 2 cores (training 22), after eleventh.sh:
#   bash experiments/pretrained/eleventh_more.sh
# Writes eleventh_more/<test>/ (eval_real.sh records), eleventh_more/<test>_tenth.md (with
# its .png) and eleventh_more/<test>_eleventh.md.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/eleventh_more
RUN=runs/eleventh_more
STEPS=${STEPS:-3000}
source $P/plateau_recipe.sh  # PLATEAU_RECIPE (the ninth restart's recipe), ELEVENTH_KINDS
source $P/ship_rule.sh  # SHIP_RULE_TESTS, against_tenth, export_once
mkdir -p $OUT
bash $P/train.sh $RUN "$STEPS" train.init_from=runs/eleventh/refine_eleventh.pt \
  model.bidirectional=true "${PLATEAU_RECIPE[@]}" train.seed=14 "data.noise_kinds=$ELEVENTH_KINDS"
CANDIDATE=$RUN/refine_eleventh_more.pt  # the inference part, as it would ship
export_once $RUN/checkpoint.pt $CANDIDATE
against_tenth $CANDIDATE $OUT "eleventh + 3000"
for test in "${SHIP_RULE_TESTS[@]}"; do
  name=${test%%:*}
  $BIN/python $P/paired.py $P/eleventh/$name $OUT/$name --steps 4 \
    --names "eleventh" "eleventh + 3000" > "$OUT/${name}_eleventh.md"
done
