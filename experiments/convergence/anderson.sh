#!/usr/bin/env bash
# Anderson acceleration and a constant step on the winner: the main job's run (the default
# recipe, mask_gate_decay's, at its 1200 steps; `make train` if missing) evaluated to 8T
# three ways: its trained step decay past T (ρ = 0.5: decay), a constant step η = 1 past T
# (past_decay=1: one fixed map, which Anderson's mix of past iterates assumes: constant), and
# that constant step mixed over the last m = 5 iterates (anderson). The tolerance runs give
# the steps each needs to stop (tolerances.py); goals.py scores the issue's goals. Records
# in winner/<name>/, kept on a fresh clone (delete one to evaluate it again). From the
# repository root:
#   bash experiments/convergence/anderson.sh    # about 7 min on 2 cores (+ 20 for make train)
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence/winner
# shellcheck source=experiments/records.sh
source experiments/records.sh  # kept, main_job, record
for variant in "decay:" "constant: past_decay=1" "anderson: past_decay=1 anderson=5"; do
  read -ra overrides <<< "${variant#*:}"
  name=${variant%%:*}
  kept "runs/convergence_winner/$name" "$OUT/$name" || main_job
  record "$OUT/$name" runs/main "runs/convergence_winner/$name" -- max_steps=64 \
    convergence_max_steps=64 "${overrides[@]}"
done
"$BIN/python" experiments/convergence/goals.py $OUT decay constant anderson
"$BIN/python" experiments/convergence/tolerances.py $OUT decay constant anderson
# Anderson acts in the tolerance runs only: its per-step records are the constant step's.
"$BIN/refine-plot" $OUT/decay $OUT/constant --labels decay constant -o $OUT
