#!/usr/bin/env bash
# Goal 2 revisited: a model run its trained way (the schedule's T steps, then fixed-point
# steps past T) against the same weights respaced to one step and run on past it
# (refine-eval schedule_steps=1), with the tolerance runs, for the default recipe's model on
# the synthetic test set and for the shipped default and the real_noise model's fifth restart
# (run.sh's; the real_noise model when this was measured) on the real recordings (white/pink
# speech and music; to 8 steps and one tolerance, 10^-2: whole files of up to 90 s make every
# pass over them dear, and each tolerance run adds the spectral radius's 11 passes). Run
# from the repository root after experiments/anytime/run.sh (parts 1 and 1c: the main job's
# records) and experiments/pretrained/run.sh (stage 4b's records of the shipped models'
# trained way):
#   bash experiments/convergence/stop_early.sh    # about 25 min on 2 cores
# Writes experiments/pretrained/iterated/<model>/real (eval_real.sh's records) and
# experiments/convergence/stop_early.md; then stop_by_kind.md: do easy clips stop earlier on
# the held-out real noise (eleven kinds), for both shipped models under each decay rule, from
# run.sh's fixed-count records (stop_by_kind.py derives the tolerance's stops from their
# update norms, and checks the derivation against the real recordings' tolerance runs).
set -euo pipefail
BIN=${BIN:-.venv/bin}
# each model with the step decay it had when this was measured (run.sh's first rule)
for model in real2:runs/pretrained_real2/refine_real2.pt:0.7 \
  default:runs/pretrained_drift/refine_affine.pt:0.85; do
  IFS=: read -r name checkpoint decay <<< "$model"
  MODEL_OVERRIDES="schedule_steps=1 past_decay=$decay" MAX_STEPS=8 TOLERANCES="[1.0e-2]" \
    bash experiments/pretrained/eval_real.sh "$checkpoint" \
    experiments/pretrained/iterated/$name/real 1 > /dev/null
done
"$BIN/python" experiments/convergence/stop_early.py \
  "the default recipe's model (the main job), synthetic test set" \
  experiments/anytime/T8 experiments/anytime/iterated \
  "real_noise model's fifth restart, real recordings in white/pink noise" \
  experiments/pretrained/real2_model/real experiments/pretrained/iterated/real2/real \
  "shipped default model, real recordings in white/pink noise" \
  experiments/pretrained/decay/default_synthetic_rule/real experiments/pretrained/iterated/default/real \
  > experiments/convergence/stop_early.md
{
  echo "# Do easy clips stop earlier? The tolerance's steps on the held-out real noise"
  for model in real_noise:0.3 real_noise_synthetic_rule:0.7 default:0.3 default_synthetic_rule:0.85; do
    folder=experiments/pretrained/decay/${model%%:*}
    echo; echo "## ${model%%:*} (ρ = ${model#*:}): held-out real noise, to 4T"; echo
    "$BIN/python" experiments/convergence/stop_by_kind.py $folder/real_noise
    echo; echo "Check of the derivation on the real recordings (to 8T, with tolerance runs):"
    echo
    "$BIN/python" experiments/convergence/stop_by_kind.py $folder/real | sed -n '/^Derived/,$p' |
      tail -n +3
  done
} > experiments/convergence/stop_by_kind.md
