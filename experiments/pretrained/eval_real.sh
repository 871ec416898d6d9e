#!/usr/bin/env bash
# A checkpoint on the real recordings (DATA, default data/real, written by real_recordings.py;
# data/real_noise by real_noise.py) for up to MAX_STEPS steps (default 8), and the oracle
# ideal ratio mask on the same files; each test set (a <content>_<noise> folder of DATA)
# evaluated whole file by whole file. Writes DEST/<set>/{model,irm}/{per_step.json,
# per_clip.csv,summary.json} and DEST/ceiling.{md,csv,png} (ceiling.py). Evaluations
# already in DEST are kept. TOLERANCES (default []: none) adds until-convergence runs;
# SPEECH_METRICS=auto adds the model's PESQ and STOI on the speech sets (default false);
# MODEL_OVERRIDES adds refine-eval settings to the model's runs (e.g. schedule_steps=2);
# IRM_FROM names another destination over the same files whose oracle records are copied
# instead of evaluated again (the oracle does not depend on the model).
#   bash experiments/pretrained/eval_real.sh CHECKPOINT DEST DEFAULT_STEPS [DATA]
set -euo pipefail
BIN=${BIN:-.venv/bin}
CHECKPOINT=$1
DEST=$2
STEPS=$3
DATA=${4:-data/real}
MAX_STEPS=${MAX_STEPS:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for folder in "$DATA"/*/; do
  set=$(basename "$folder")
  content=${set%%_*}
  common=(data.source=paired_folders data.noisy_dir=$DATA/$set/noisy
          data.clean_dir=$DATA/$set/clean data.content=$content data.segment_seconds=null
          speech_metrics=${SPEECH_METRICS:-false})
  for who in model irm; do
    dest=$DEST/$set/$who
    [ -f "$dest/summary.json" ] && continue
    if [ $who = irm ] && [ -n "${IRM_FROM:-}" ] && [ -f "$IRM_FROM/$set/irm/summary.json" ]; then
      mkdir -p "$dest"
      cp "$IRM_FROM/$set/irm/"{per_step.json,per_clip.csv,summary.json} "$dest/"
      continue
    fi
    if [ $who = model ]; then
      # shellcheck disable=SC2206  # MODEL_OVERRIDES: space-separated refine-eval settings
      what=(checkpoint=$CHECKPOINT max_steps=$MAX_STEPS "tolerances=${TOLERANCES:-[]}"
            ${MODEL_OVERRIDES:-})
    else
      what=(method=oracle_irm max_steps=1 "tolerances=[]")
    fi
    $BIN/refine-eval "${what[@]}" "${common[@]}" hydra.run.dir=$work/$set/$who
    mkdir -p "$dest"
    cp $work/$set/$who/{per_step.json,per_clip.csv,summary.json} "$dest/"
  done
done
$BIN/python experiments/pretrained/ceiling.py "$DEST" --steps "$STEPS"
