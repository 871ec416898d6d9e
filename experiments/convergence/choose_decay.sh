#!/usr/bin/env bash
# Choose a checkpoint's step decay past T (model.past_decay ρ, η_{T+k} = ρ^k) on validation
# clips: refine-eval with each ρ of the grid on data.seed=1 (no tolerance runs) to STEPS,
# cached in CHOICE/validation_<ρ>/; decay.py's table of them goes to TABLE, and the chosen ρ
# (the largest that holds there) is printed. HELD_IN (default none) names a folder of
# eval_real.sh test sets of training material (e.g. data/held_in/music, held_in.py) on which
# ρ must hold as well, cached in CHOICE/held_in_<ρ>/. The test clips are not looked at.
#   [HELD_IN=FOLDER] bash experiments/convergence/choose_decay.sh CHECKPOINT CHOICE TABLE STEPS
set -euo pipefail
BIN=${BIN:-.venv/bin}
CHECKPOINT=$1
CHOICE=$2
TABLE=$3
STEPS=$4
trained_steps() {  # the checkpoint's T, for the held-in ceiling tables' step column
  "$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["trained_steps"])' "$1"
}
for decay in 0.3 0.5 0.7 0.85; do
  [ -f "$CHOICE/validation_$decay/summary.json" ] || "$BIN/refine-eval" \
    checkpoint="$CHECKPOINT" past_decay=$decay data.seed=1 max_steps="$STEPS" "tolerances=[]" \
    hydra.run.dir="$CHOICE/validation_$decay" >&2
  [ -z "${HELD_IN:-}" ] || MODEL_OVERRIDES="past_decay=$decay" MAX_STEPS=$STEPS \
    bash experiments/pretrained/eval_real.sh "$CHECKPOINT" "$CHOICE/held_in_$decay" \
    "$(trained_steps "$CHOICE/validation_$decay/summary.json")" "$HELD_IN" >&2
done
mkdir -p "$(dirname "$TABLE")"
"$BIN/python" experiments/convergence/decay.py "$CHOICE" --table > "$TABLE"
"$BIN/python" experiments/convergence/decay.py "$CHOICE"
