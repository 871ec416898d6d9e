#!/usr/bin/env bash
# The eleventh restart continued (eleventh_more.sh) met eleventh.sh's ship rule: what
# shipping it as the real_noise model takes (ship_measurements.sh), paired with the model it
# replaced, the tenth restart. About 40 minutes on 2 cores, after eleventh_more.sh:
#   bash experiments/pretrained/eleventh_ship.sh
# Writes runs/eleventh_more/refine_eleventh_more.pt's inference defaults,
# decay/eleventh_more_third_rule.md, decay/report_half/eleventh_more_<ρ>/ (with goals.md),
# eleventh_more/real_clean_end/ with real_clean_end_tenth.md, decay/eleventh_more/real_noise/
# (with goals.md) and decay/eleventh_more/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
source $P/store_decay.sh
source $P/ship_measurements.sh
ship_measurements runs/eleventh_more/refine_eleventh_more.pt eleventh_more $P/eleventh_more \
  $P/bidirectional "tenth (shipped)" "eleventh + 3000" tenth
