#!/usr/bin/env bash
# A checkpoint on the real recordings (data/real, written by real_recordings.py) for up to 8
# steps, and the oracle ideal ratio mask on the same files; each test set evaluated whole file
# by whole file. Writes DEST/<set>/{model,irm}/{per_step.json,per_clip.csv,summary.json} and
# DEST/ceiling.{md,csv,png} (ceiling.py). Evaluations already in DEST are kept.
#   bash experiments/pretrained/eval_real.sh CHECKPOINT DEST DEFAULT_STEPS
set -euo pipefail
BIN=${BIN:-.venv/bin}
CHECKPOINT=$1
DEST=$2
STEPS=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for set in speech_white speech_pink music_white music_pink; do
  content=${set%_*}
  common=(data.source=paired_folders data.noisy_dir=data/real/$set/noisy
          data.clean_dir=data/real/$set/clean data.content=$content data.segment_seconds=null
          speech_metrics=false tolerances=[])
  for who in model irm; do
    dest=$DEST/$set/$who
    [ -f "$dest/summary.json" ] && continue
    if [ $who = model ]; then what="checkpoint=$CHECKPOINT max_steps=8"; else what="method=oracle_irm max_steps=1"; fi
    $BIN/refine-eval $what "${common[@]}" hydra.run.dir=$work/$set/$who
    mkdir -p "$dest"
    cp $work/$set/$who/{per_step.json,per_clip.csv,summary.json} "$dest/"
  done
done
$BIN/python experiments/pretrained/ceiling.py "$DEST" --steps "$STEPS"
