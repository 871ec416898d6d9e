#!/usr/bin/env bash
# The soup of vehicles.sh (the shipped model and its two arms with recorded vehicles as a
# noise kind, averaged) met that script's ship rule: what shipping it as the real_noise model
# takes (ship_measurements.sh), paired with the model it replaces, babble_music.sh's soup.
# About 40 minutes on 2 cores, after vehicles.sh:
#   bash experiments/pretrained/vehicles_ship.sh
# Writes runs/vehicles/soup_three.pt's inference defaults, decay/vehicles_third_rule.md,
# decay/report_half/vehicles_<ρ>/ (with goals.md), vehicles/soup_three/real_clean_end/ with
# vehicles/soup_three/real_clean_end_shipped.md, decay/vehicles/real_noise/ (with goals.md)
# and decay/vehicles/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
source $P/store_decay.sh
source $P/ship_measurements.sh
ship_measurements runs/vehicles/soup_three.pt vehicles $P/vehicles/soup_three \
  $P/babble_music/soup_three "babble_music soup (shipped)" "shipped + both arms" shipped
