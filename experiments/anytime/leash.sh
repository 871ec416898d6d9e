#!/usr/bin/env bash
# Does a leash on the mask's pre-activation (model.mask_leash: past |g| = 6.9, where the mask
# is already exactly 0 or 1, the gradient of λ/2·mean((|g| − 6.9)₊²) is added to g's) stop
# the freeze that collapse.sh's output norm only hid, and what does it cost the recipe?
#   bash experiments/anytime/leash.sh    # about 1 h 50 min on 2 cores
# 1. The reproducer: collapse.sh's S4 (d 166, one step, 3e-3 on its 13512-step schedule),
#    stopped at step 400, where it froze on collapse.sh's code, without and with the leash
#    (λ = 1).
# 2. The freeze itself: the default recipe on seed 0 without the leash, to step 400 (the
#    first validation) on this code; with the (K, B, L) layout its mask froze there.
# 3. The default recipe with the leash on seeds 0, 1 and 2, evaluated as the main job is,
#    each paired clip by clip with the default without it on the same seed
#    (../schedules/mask_default/quadratic*). Seed 0 is the one whose mask froze when only the
#    order of float sums changed (the (K, B, L) layout, README "What the main job shows").
# 4. Is seed 0's freeze the seed's? Seed 1 without the leash on this code.
# 5. Four times the budget, where the recipe froze on seed 0.
# Writes leash/{S4_history.md, T8_seed*/, seeds/, T8_4x_history.md, saturation.md}.
# Every run starts from +experiment=narrow_snr, the recipe's data and loss when these were
# recorded (SNRs −5 to 10 dB, errors over ‖ω‖²), so that a rerun trains what was measured.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime/leash
RUNS=runs/leash
SCHEDULES=experiments/schedules/mask_default
# shellcheck source=experiments/records.sh
source experiments/records.sh  # record
mkdir -p $OUT
NARROW=+experiment=narrow_snr
wide=($NARROW model.steps=1 model.d_model=166 train.lr=3e-3 train.steps=13512 train.stop_at=400)
"$BIN/refine-train" "${wide[@]}" model.mask_leash=0 hydra.run.dir=$RUNS/S4
"$BIN/refine-train" "${wide[@]}" model.mask_leash=1.0 hydra.run.dir=$RUNS/S4_leash
"$BIN/python" experiments/anytime/history_table.py $RUNS/S4_leash $RUNS/S4 > $OUT/S4_history.md
"$BIN/refine-train" $NARROW model.mask_leash=0 train.stop_at=400 \
  hydra.run.dir=$RUNS/T8_seed0_no_leash
for seed in 0 1 2; do
  run=$RUNS/T8_seed$seed
  record $OUT/T8_seed$seed $run $run/eval $NARROW model.mask_leash=1.0 train.seed=$seed
done
"$BIN/refine-plot" $SCHEDULES/quadratic $OUT/T8_seed0 --labels "default seed 0" \
  "leash seed 0" -o $OUT/seeds/seed0
for seed in 1 2; do
  "$BIN/refine-plot" $SCHEDULES/quadratic_seed$seed $OUT/T8_seed$seed \
    --labels "default seed $seed" "leash seed $seed" -o $OUT/seeds/seed$seed
done
# 4. Is seed 0's freeze the seed's? Seed 1 without the leash on this code (it froze too),
#    paired clip by clip with seed 1 with it.
run=$RUNS/T8_seed1_no_leash
record $OUT/T8_seed1_no_leash $run $run/eval $NARROW model.mask_leash=0 train.seed=1
"$BIN/refine-plot" $OUT/T8_seed1_no_leash $OUT/T8_seed1 --labels "no leash seed 1" \
  "leash seed 1" -o $OUT/seeds/seed1_this_code
# 5. Four times the budget (budget_4x.sh's T8: 4800 steps, the rate near 3e-3 four times as
#    long), where the recipe froze on seed 0 (budget_4x/failed/T8_rerun.md): without the leash
#    to its first validation, with it to the fourth.
four=($NARROW model.steps=8 train.steps=4800)
"$BIN/refine-train" "${four[@]}" model.mask_leash=0 train.stop_at=400 hydra.run.dir=$RUNS/T8_4x
"$BIN/refine-train" "${four[@]}" model.mask_leash=1.0 train.stop_at=1600 \
  hydra.run.dir=$RUNS/T8_4x_leash
"$BIN/python" experiments/anytime/history_table.py $RUNS/T8_4x_leash $RUNS/T8_4x \
  > $OUT/T8_4x_history.md
"$BIN/python" experiments/anytime/saturation.py \
  $RUNS/{S4,S4_leash,T8_seed0_no_leash,T8_seed0,T8_seed1_no_leash,T8_seed1,T8_4x,T8_4x_leash}/checkpoint.pt \
  > $OUT/saturation.md
