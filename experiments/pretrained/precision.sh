#!/usr/bin/env bash
# bf16 autocast (train.precision=bfloat16) in the real-noise recipe, on a CPU that computes
# bf16 natively (AVX512_BF16): the main job's recipe trains 1.23x faster in bf16 at no cost
# (experiments/precision/); the recipe every issue-19 run continues (2 s clips, bidirectional
# blocks, recorded noise, T = 4 plus steps past T) is timed 1.15x faster by train_step.py.
# Does it cost anything there? content.sh's control of seed 19 again (3000 steps from the
# shipped model, the same batches) in bf16, paired clip by clip at step 4 with that control
# (float32) on the held-in music in white and pink noise, the held-in speech in recorded
# noise and the held-out real noise. Read against what two float32 seeds of this recipe
# differ by (0.10 dB [0.03, 0.16] held out, control_seed.sh). About 20 minutes on 2 cores:
#   bash experiments/pretrained/precision.sh
# Writes precision/<test>/ (eval_real.sh records) and precision/<test>_float32.{md,png}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/precision
RUN=runs/precision_real_noise
CONTROL=$P/content/control_seed19  # content.sh's control of seed 19 (float32): its records
source $P/plateau_recipe.sh  # BABBLE_MUSIC_RECIPE
source $P/ship_rule.sh  # evaluate_and_pair, export_once, shipped_soup_once
shipped_soup_once
bash $P/train.sh $RUN 3000 train.init_from=$SHIPPED_SOUP "${BABBLE_MUSIC_RECIPE[@]}" \
  train.seed=19 train.precision=bfloat16
MODEL=$RUN/refine_precision.pt
export_once $RUN/checkpoint.pt $MODEL
evaluate_and_pair $CONTROL "control, seed 19" $MODEL $OUT "bf16, seed 19" float32 \
  held_in_music held_in_synthetic real_noise
