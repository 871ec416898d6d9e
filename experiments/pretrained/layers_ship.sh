#!/usr/bin/env bash
# The soup of layers.sh recorded (the shipped model and its two arms with recorded second
# noise layers under half the recorded-noise clips, averaged) met that script's ship rule:
# what shipping it as the real_noise model takes (ship_measurements.sh), paired with the
# model it would replace, vehicles.sh's soup. About 30 minutes on 2 cores, after
# layers.sh recorded:
#   bash experiments/pretrained/layers_ship.sh
# Writes runs/layers_recorded/soup_three.pt's inference defaults, decay/layers_third_rule.md,
# decay/report_half/layers_<ρ>/ (with goals.md), layers/recorded/soup_three/real_clean_end/
# with layers/recorded/soup_three/real_clean_end_shipped.md, decay/layers/real_noise/ (with
# goals.md) and decay/layers/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
source $P/store_decay.sh
source $P/ship_measurements.sh
ship_measurements runs/layers_recorded/soup_three.pt layers $P/layers/recorded/soup_three \
  $P/vehicles/soup_three "vehicles soup (shipped)" "shipped's make + both arms" shipped
