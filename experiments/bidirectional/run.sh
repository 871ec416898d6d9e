#!/usr/bin/env bash
# Bidirectional LRU blocks in the main job's recipe, at equal training wall-clock. The
# shipped real-noise model gained on every test when its blocks were made bidirectional
# (experiments/pretrained, "The future"); does the default recipe (`refine-train`, the main
# job: complex STFT, T = 8, 0.5 s clips, trained from scratch) gain too, when the slower
# bidirectional step gets fewer optimiser steps for the same time? Run from the repository
# root; about 20 minutes on 2 cores (the main job's run is made by `make train` if missing):
#   bash experiments/bidirectional/run.sh
# Writes budget.csv, forwards/ and bidirectional/ (refine-eval records) and refine-plot's
# overlay (overlay_summary.md pairs the runs clip by clip at T).
set -euo pipefail
bash experiments/equal_budget.sh experiments/bidirectional "forwards:" \
  "bidirectional: model.bidirectional=true"
