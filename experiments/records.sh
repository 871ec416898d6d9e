# An experiment's records: the files of an evaluation, copied from its run folder (runs/, not
# committed) into the experiment (committed), so that its tables and figures outlive runs/.
# Sourced by the experiment scripts; needs BIN. A record already in the experiment with no
# evaluation here to replace it (a fresh clone) is kept: delete it to train or evaluate again.
keep() {  # EVAL DEST [RUN]: EVAL's records into DEST, and RUN's train.log (its wall-clock)
  mkdir -p "$2"
  cp "$1/per_step.json" "$1/summary.json" "$1/per_clip.csv" "$2/"
  [ ! -f "$1/convergence.csv" ] || cp "$1/convergence.csv" "$2/"  # the tolerance runs per clip
  [ -z "${3:-}" ] || [ ! -f "$3/train.log" ] || cp "$3/train.log" "$2/"
}
kept() {  # EVAL DEST: DEST holds records that no evaluation in EVAL replaces
  [ -f "$2/summary.json" ] && [ ! -f "$1/summary.json" ]
}
evaluate() {  # RUN EVAL [TRAIN_OVERRIDE ...] [-- EVAL_OVERRIDE ...]
  # Train RUN with the overrides (none: RUN is trained already), then evaluate its checkpoint
  # into EVAL. A finished evaluation (its summary.json is written last) is not redone.
  local run=$1 evals=$2 train=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do train+=("$1") && shift; done
  [ $# = 0 ] || shift
  [ ! -f "$evals/summary.json" ] || return 0
  [ ${#train[@]} = 0 ] || "$BIN/refine-train" "${train[@]}" hydra.run.dir="$run"
  "$BIN/refine-eval" checkpoint="$run/checkpoint.pt" hydra.run.dir="$evals" "$@"
}
budget_steps() {  # CSV NAME: the optimiser steps (the last column) of NAME's row in a budget.csv
  awk -F, -v n="$2" '$1 == n {print $NF}' "$1"
}
main_job() {  # the main job's run (runs/main, `make train`), unless it is here already
  [ -f runs/main/checkpoint.pt ] || make train
}
record() {  # DEST RUN EVAL [TRAIN_OVERRIDE ...] [-- EVAL_OVERRIDE ...]: evaluate, then keep
  local dest=$1 run=$2 evals=$3
  shift 3
  ! kept "$evals" "$dest" || return 0
  evaluate "$run" "$evals" "$@"
  keep "$evals" "$dest" "$run"
}
