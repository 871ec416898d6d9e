#!/usr/bin/env bash
# Soups of perturb.sh's arms. Both arms start from the shipped real_noise model and see the
# same batches; 3000 more steps as recorded lost 0.26 dB held out against the shipped model,
# the perturbed arm gained for speech and lost for music, so the held-out test moves by
# tenths of a dB between checkpoints of one recipe. Weights averaged over models fine-tuned
# from one start are known to keep what each gained and to be steadier off the training
# distribution than any of them (model soups, Wortsman et al. 2022, arXiv 2203.05482;
# refine.process.interpolate). Two soups, fixed before any of their numbers: the pair
# (control + perturbed)/2, and the three (shipped + control + perturbed)/3.
#
# The ship rule (perturb.sh's, with a choice between the two by the choice half): a soup
# replaces the shipped model if, paired clip by clip at step 4 against it, it is not worse on
# either held-in test (the upper end of the 95 % interval of the mean difference above 0) and
# its share of the oracle IRM's gain in white and pink noise on data/real_choice is at least
# 80 %; if both soups do, the one with the larger share on data/real_choice. The held-out real
# noise and the other half of the real recordings are reported, never chosen on. About 12
# minutes on 2 cores, after perturb.sh:
#   bash experiments/pretrained/soup.sh
# Writes runs/perturb/soup_{pair,three}.pt, perturb/soup_{pair,three}/<test>/ (eval_real.sh
# records) and perturb/soup_{pair,three}/<test>_shipped.{md,png}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/perturb
RUNS=runs/perturb
SHIPPED=runs/eleventh_more/refine_eleventh_more.pt
source $P/ship_rule.sh  # SHIP_RULE_TESTS, evaluate_and_pair, interpolate
CONTROL=$RUNS/control/refine_perturb_control.pt
PERTURBED=$RUNS/perturbed/refine_perturb_perturbed.pt
interpolate $CONTROL $PERTURBED 0.5 $RUNS/soup_pair.pt
soup_of_three $SHIPPED $CONTROL $PERTURBED $RUNS/soup_shipped_control.pt $RUNS/soup_three.pt
for soup in pair three; do
  evaluate_and_pair $P/eleventh_more "shipped (eleventh + 3000)" $RUNS/soup_$soup.pt \
    $OUT/soup_$soup "soup of the $soup" shipped
done
