#!/usr/bin/env bash
# Run one benchmark command alternately in two checkouts, N times each, so that a comparison
# of speeds is not a comparison of two moments of a machine whose speed drifts (±15 % within
# an hour on the 2-core CPU). Prints each run's first line matching PATTERN.
#
#   git worktree add /tmp/before 5f1ae64
#   bash benchmarks/alternate.sh /tmp/before . 4 '^training step' python benchmarks/train_step.py --steps 30
#
# Each run uses its checkout's own code (PYTHONPATH) and this checkout's Python environment.
# SECOND_ARGS (space-separated) are appended to the command in the second checkout only, so
# that two settings can be alternated too, in one checkout or two:
#
#   SECOND_ARGS=train.precision=bfloat16 bash benchmarks/alternate.sh . . 3 '^training step' \
#       python benchmarks/train_step.py
set -euo pipefail
if [ $# -lt 5 ]; then
    echo "usage: $0 CHECKOUT_A CHECKOUT_B N PATTERN COMMAND..." >&2
    exit 2
fi
first=$(cd "$1" && pwd) second=$(cd "$2" && pwd) runs=$3 pattern=$4
shift 4
read -ra second_args <<< "${SECOND_ARGS:-}"
for i in $(seq "$runs"); do
    for side in first second; do
        checkout=$first extra=()
        [ "$side" = first ] || checkout=$second extra=("${second_args[@]}")
        line=$(cd "$checkout" && PYTHONPATH="$checkout" "$@" "${extra[@]}" 2>&1 |
            grep -m1 -E "$pattern" || true)
        echo "$checkout${extra[*]:+ ${extra[*]}} run $i: $line"
    done
done
