#!/usr/bin/env bash
# The soup of babble_music.sh (the shipped model and its two arms with more babble over
# music, averaged) met that script's ship rule: what shipping it as the real_noise model takes
# (ship_measurements.sh), paired with the model it replaces, the soup of the three. About 40
# minutes on 2 cores, after babble_music.sh:
#   bash experiments/pretrained/babble_music_ship.sh
# Writes runs/babble_music/soup_three.pt's inference defaults,
# decay/babble_music_third_rule.md, decay/report_half/babble_music_<ρ>/ (with goals.md),
# babble_music/soup_three/real_clean_end/ with babble_music/soup_three/real_clean_end_shipped.md,
# decay/babble_music/real_noise/ (with goals.md) and decay/babble_music/speed.txt.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
source $P/store_decay.sh
source $P/ship_measurements.sh
ship_measurements runs/babble_music/soup_three.pt babble_music $P/babble_music/soup_three \
  $P/perturb/soup_three "soup of the three (shipped)" "shipped + both arms" shipped
