#!/usr/bin/env bash
# The eleventh restart continued (eleventh_more.sh) met eleventh.sh's ship rule: what
# shipping it as the real_noise model takes, run.sh stage 4's steps for the file. Its step
# decay past T by the third rule (store_decay.sh: synthetic validation, held-in music and the
# choice half of the real recordings), stored in the file; then what the model card quotes:
# the convergence goals on the half of the real recordings no choice saw (to 8T with the
# tolerance runs), nearly clean recordings at step 4 against the tenth, the held-out real
# noise to 4T, and speed. About 40 minutes on 2 cores, after eleventh_more.sh:
#   bash experiments/pretrained/eleventh_ship.sh
# Writes runs/eleventh_more/refine_eleventh_more.pt's inference defaults,
# decay/eleventh_more_third_rule.md, decay/report_half/eleventh_more_<ρ>/ (with goals.md),
# eleventh_more/real_clean_end/ with real_clean_end_tenth.md, decay/eleventh_more/real_noise/
# (with goals.md) and decay/eleventh_more/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
CANDIDATE=runs/eleventh_more/refine_eleventh_more.pt
source $P/store_decay.sh
store_decay $CANDIDATE "data/held_in/music data/real_choice" eleventh_more_third_rule
decay=$(stored_decay $CANDIDATE)
REPORT=$P/decay/report_half/eleventh_more_$decay
MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" \
  bash $P/eval_real.sh $CANDIDATE $REPORT 4 data/real_report > /dev/null
$BIN/python experiments/convergence/goals.py $REPORT > /dev/null  # its goals.md
[ -d data/real_clean_end ] || $BIN/python $P/real_recordings.py data/real_clean_end --snrs 20 30
IRM_FROM=$P/bidirectional/real_clean_end MAX_STEPS=4 \
  bash $P/eval_real.sh $CANDIDATE $P/eleventh_more/real_clean_end 4 data/real_clean_end > /dev/null
$BIN/python $P/paired.py $P/bidirectional/real_clean_end $P/eleventh_more/real_clean_end \
  --steps 4 --names "tenth (shipped)" "eleventh + 3000" > $P/eleventh_more/real_clean_end_tenth.md
PAST_T=$P/decay/eleventh_more
IRM_FROM=$P/bidirectional/real_noise MAX_STEPS=16 \
  bash $P/eval_real.sh $CANDIDATE $PAST_T/real_noise 4 data/real_noise > /dev/null
$BIN/python experiments/convergence/goals.py $PAST_T/real_noise > /dev/null
$BIN/python benchmarks/denoise_speed.py --checkpoint $CANDIDATE --hour | tee $PAST_T/speed.txt
