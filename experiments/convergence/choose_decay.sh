#!/usr/bin/env bash
# Choose a checkpoint's step decay past T (model.past_decay ρ, η_{T+k} = ρ^k) on validation
# clips: refine-eval with ρ of the grid on data.seed=1 (no tolerance runs) to STEPS, cached
# in CHOICE/validation_<ρ>/, from the largest ρ down until one holds everywhere (the rule's
# choice; smaller ρ are not evaluated); decay.py's table of them goes to TABLE, and the
# chosen ρ (the largest that holds) is printed. HELD_IN (default none) names folders of
# eval_real.sh test sets, space-separated, on which ρ must hold as well, each cached in
# CHOICE/held_in_<ρ>/<its name>/: training material (data/held_in/music, held_in.py), or the
# half of the real recordings kept for choices (data/real_choice, split_real.py), never the
# half they are reported on. The test clips are not looked at.
#   [HELD_IN="FOLDER ..."] bash experiments/convergence/choose_decay.sh CHECKPOINT CHOICE TABLE STEPS
set -euo pipefail
BIN=${BIN:-.venv/bin}
CHECKPOINT=$1
CHOICE=$2
TABLE=$3
STEPS=$4
trained_steps() {  # the checkpoint's T, for the held-in ceiling tables' step column
  "$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["trained_steps"])' "$1"
}
holds() {  # whether ρ holds on what is evaluated of it so far
  "$BIN/python" experiments/convergence/decay.py "$CHOICE" --holds "$1"
}
for decay in 0.85 0.7 0.5 0.3 0.15; do  # 0.15: only where none of the others holds
  [ -f "$CHOICE/validation_$decay/summary.json" ] || "$BIN/refine-eval" \
    checkpoint="$CHECKPOINT" past_decay=$decay data.seed=1 max_steps="$STEPS" "tolerances=[]" \
    hydra.run.dir="$CHOICE/validation_$decay" >&2
  holds $decay || continue  # not on the validation clips: no held-in test can save it
  for held_in in ${HELD_IN:-}; do
    MODEL_OVERRIDES="past_decay=$decay" MAX_STEPS=$STEPS bash experiments/pretrained/eval_real.sh \
      "$CHECKPOINT" "$CHOICE/held_in_$decay/$(basename "$held_in")" \
      "$(trained_steps "$CHOICE/validation_$decay/summary.json")" "$held_in" >&2
  done
  ! holds $decay || break
done
mkdir -p "$(dirname "$TABLE")"
"$BIN/python" experiments/convergence/decay.py "$CHOICE" --table > "$TABLE"
"$BIN/python" experiments/convergence/decay.py "$CHOICE"
