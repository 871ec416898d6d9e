#!/usr/bin/env bash
# The soup of the three (soup.sh: the shipped real_noise model and perturb.sh's two arms,
# averaged) met soup.sh's ship rule, and with a larger share on the choice half than the
# pair's: what shipping it as the real_noise model takes (ship_measurements.sh), paired with
# the model it replaces, the eleventh restart continued. About 40 minutes on 2 cores, after
# soup.sh:
#   bash experiments/pretrained/soup_ship.sh
# Writes runs/perturb/soup_three.pt's inference defaults, decay/soup_three_third_rule.md,
# decay/report_half/soup_three_<ρ>/ (with goals.md), perturb/soup_three/real_clean_end/ with
# perturb/soup_three/real_clean_end_shipped.md, decay/soup_three/real_noise/ (with goals.md)
# and decay/soup_three/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
source $P/store_decay.sh
source $P/ship_measurements.sh
ship_measurements runs/perturb/soup_three.pt soup_three $P/perturb/soup_three $P/eleventh_more \
  "shipped (eleventh + 3000)" "soup of the three" shipped
