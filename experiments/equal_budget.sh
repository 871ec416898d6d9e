#!/usr/bin/env bash
# Train variants of the default run at equal training wall-clock, evaluate them on the
# synthetic test set and overlay them. Run from the repository root in the set-up .venv:
#   bash experiments/equal_budget.sh OUT "NAME: override ..." "NAME: override ..." ...
# The one variant without overrides is the default configuration: the main job's run
# (runs/main, 1200 steps, made by `make train` if missing). It sets the budget: 1200 times
# its seconds per step. OUT/budget.csv holds every variant's measured seconds per step and
# the steps that spend the budget. It is measured on the first run (python -m refine.cli.equal_time,
# on a quiet machine) and reused after, so a rerun trains the same steps: delete it to
# recalibrate on another machine (BUDGET_ARGS adds refine.cli.equal_time options, e.g. "--steps 60"
# to average a variant whose step cost varies; CALIBRATE_ONLY=1 stops after it; EVAL_OVERRIDES adds
# refine-eval settings for every variant: the reference is then evaluated again, into
# runs/<OUT's name>/<NAME>/eval; BUDGET_CSV names the calibration file inside OUT, default
# budget.csv, so that variants added later are timed beside the reference in a file of their
# own; PLOT_OUT is where the overlay of this call's variants goes, default OUT; REFERENCE
# names a reference with overrides, e.g. a default recipe that has since changed: it is then
# trained like the others, for the steps of its budget row; REFERENCE_STEPS sets them, default
# 1200). Runs go to
# runs/<OUT's name>/<NAME>; finished runs are not retrained, and a variant whose records
# OUT/<NAME>/ are already in the experiment (committed by an earlier run, on a fresh clone
# without runs/) is kept as it is: delete OUT/<NAME>/ to train it again. The records keep the
# run's train.log beside the evaluation, so its wall-clock outlives runs/.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=$1
shift
EXPERIMENT=$(basename "$OUT")
BUDGET="$OUT/${BUDGET_CSV:-budget.csv}"
reference=${REFERENCE:-}
for variant in "$@"; do
  [ -n "$reference" ] || [ -n "$(echo "${variant#*:}" | tr -d ' ')" ] || reference=${variant%%:*}
done
[ -n "$reference" ] || {
  echo "equal_budget.sh: one variant must be 'NAME:' (the default), or name it REFERENCE" >&2
  exit 2
}
[ -f "$BUDGET" ] ||
  # shellcheck disable=SC2086  # BUDGET_ARGS: space-separated refine.cli.equal_time options
  "$BIN/python" -m refine.cli.equal_time "$@" --reference "$reference" \
    --reference-steps "${REFERENCE_STEPS:-1200}" \
    -o "$BUDGET" ${BUDGET_ARGS:-}
[ "${CALIBRATE_ONLY:-0}" = 0 ] || exit 0  # time every experiment before training any
# shellcheck source=experiments/records.sh
source experiments/records.sh  # kept, main_job, record, budget_steps
# shellcheck disable=SC2206  # EVAL_OVERRIDES: space-separated refine-eval settings
settings=(-- ${EVAL_OVERRIDES:-})
reference_evals=runs/main/eval  # the default configuration's run is the main job's
[ -z "${EVAL_OVERRIDES:-}" ] || reference_evals=runs/$EXPERIMENT/$reference/eval
for variant in "$@"; do  # the main job, unless its records here are kept
  [ "${variant%%:*}" != "$reference" ] || [ -n "$(echo "${variant#*:}" | tr -d ' ')" ] ||
    kept "$reference_evals" "$OUT/$reference" || main_job
done
labels=() dirs=()
for variant in "$@"; do
  name=${variant%%:*}
  read -ra overrides <<< "${variant#*:}"
  if [ "$name" = "$reference" ] && [ ${#overrides[@]} = 0 ]; then
    run=runs/main  # trained: no overrides
    evals=$reference_evals  # with EVAL_OVERRIDES, its own evaluation on the same test set
  else
    run=runs/$EXPERIMENT/$name
    evals=$run/eval
    overrides+=("train.steps=$(budget_steps "$BUDGET" "$name")")
  fi
  record "$OUT/$name" "$run" "$evals" "${overrides[@]}" "${settings[@]}"
  labels+=("$name")
  dirs+=("$OUT/$name")
done
"$BIN/refine-plot" "${dirs[@]}" --labels "${labels[@]}" -o "${PLOT_OUT:-$OUT}"
