#!/usr/bin/env bash
# Goal 1 of the convergence issue (hold from T to 8T, settle by 4T) for the default model and
# the tenth restart (the real_noise model until 2026-12-03; the eleventh's records are
# eleventh_ship.sh's, decay/report_half/eleventh_more_<ρ>/) on the half of the real recordings that no choice saw (data/real_report, split_real.py): each
# model with the step decay ρ of the second rule (synthetic validation and held-in music:
# 0.7 for both, decay/default_as_mask.md and decay/bidirectional.md) and with the ρ its file
# stores now, chosen by the third rule (the same, and the choice half data/real_choice too:
# run.sh stage 4, decay/<name>_third_rule.md). To 8T = 32 steps with the tolerance runs;
# goals.py's table of every set to decay/report_half/goals.md. About 15 minutes on 2 cores:
#   bash experiments/pretrained/report_half.sh
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/decay/report_half
SECOND_RULE=0.7
if [ ! -d data/real_report ]; then
  echo "report_half.sh: no data/real_report; make it with python $P/real_recordings.py data/real" \
    "and python $P/split_real.py data/real data/real_choice data/real_report" >&2
  exit 2
fi
source $P/store_decay.sh  # stored_decay
variants=()
for model in default:refine/pretrained/refine_default.pt \
  real_noise:runs/bidirectional/refine_tenth.pt; do  # the real_noise model until 2026-12-03
  name=${model%%:*} checkpoint=${model#*:}
  for decay in $(printf '%s\n' $SECOND_RULE "$(stored_decay "$checkpoint")" | sort -u); do
    MODEL_OVERRIDES="past_decay=$decay" MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" \
      bash $P/eval_real.sh "$checkpoint" "$OUT/${name}_$decay" 4 data/real_report > /dev/null
    for set in "$OUT/${name}_$decay"/*/model; do
      variants+=("${set#"$OUT"/}")
    done
  done
done
$BIN/python experiments/convergence/goals.py $OUT "${variants[@]}"
# The real_noise model's past-T records on every real recording (to 8T) and under the held-out
# real noise (to 4T), with the second rule's ρ and the third's (run.sh's measurements of the
# shipped file, decay/bidirectional_second_rule/ and decay/bidirectional/), as goals.py tables
# (<test>/goals.md).
for past_t in $P/decay/bidirectional_second_rule $P/decay/bidirectional; do
  for test in real real_noise; do
    $BIN/python experiments/convergence/goals.py "$past_t/$test" > /dev/null
  done
done
