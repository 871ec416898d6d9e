#!/usr/bin/env bash
# The affine default (run.sh stage 4: refine_affine.pt, shipped until this replaced it) rewritten as a bounded-mask model without training
# (refine.process.mask_from_affine: the mask's logit is c·(g − ½) of the affine gain g, the
# shift dropped), for c in 2, 4, 8, 12, 16. c is chosen on held-in music (data/held_in/music,
# held_in.py: the corpus's rendered scores in white and pink noise) at step 4, the largest
# mean gain; the chosen rewrite is then measured once, paired clip by clip with the affine
# default, on held-in speech in real noise (data/held_in/synthetic), the real recordings in
# white/pink noise (data/real), the held-out real noise (data/real_noise) and the nearly
# clean recordings (data/real_clean_end), at step 4.
# Run after run.sh; about 25 minutes on 2 cores:
#   bash experiments/pretrained/default_as_mask.sh
# Writes default_as_mask/held_in_c<c>/, choice.md, <test>/ and <test>.md, and the rewritten
# checkpoints to runs/default_as_mask/c<c>.pt (the chosen one is run.sh's ninth restart's
# starting point).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/default_as_mask
RUNS=runs/default_as_mask
AFFINE=runs/pretrained_drift/refine_affine.pt  # the affine default, run.sh stage 4
mkdir -p $RUNS $OUT
for c in 2 4 8 12 16; do
  [ -f $RUNS/c$c.pt ] || "$BIN/python" -c "from refine.process.mask_from_affine import \
    mask_checkpoint_from_affine as m; m('$AFFINE', '$RUNS/c$c.pt', $c)"
  MAX_STEPS=4 bash $P/eval_real.sh $RUNS/c$c.pt $OUT/held_in_c$c 4 data/held_in/music > /dev/null
done
MAX_STEPS=4 bash $P/eval_real.sh $AFFINE $OUT/held_in_affine 4 \
  data/held_in/music > /dev/null
chosen=$("$BIN/python" - "$OUT" <<'EOF'
import csv, sys
from pathlib import Path
out = Path(sys.argv[1])
def mean_gain(folder):
    rows = list(csv.DictReader(open(folder / "ceiling.csv")))
    return sum(float(r["model gain (step 4)"]) for r in rows) / len(rows)
gains = {name: mean_gain(out / f"held_in_{name}") for name in
         ["affine", "c2", "c4", "c8", "c12", "c16"]}
best = max((name for name in gains if name != "affine"), key=gains.get)
with open(out / "choice.md", "w") as table:
    table.write("| model | mean gain on held-in music at step 4 (dB, 4 conditions) |\n|---|--:|\n")
    for name, gain in gains.items():
        table.write(f"| {name}{' (chosen)' if name == best else ''} | {gain:.2f} |\n")
print(best)
EOF
)
#    The held-in speech in real noise (held_in.py's synthetic sets) has no records of the
#    affine default: it is measured here.
MAX_STEPS=4 bash $P/eval_real.sh $AFFINE $OUT/held_in_synthetic_affine \
  4 data/held_in/synthetic > /dev/null
tests=(held_in_synthetic:data/held_in/synthetic:$OUT/held_in_synthetic_affine
       real:data/real:$P/real real_noise:data/real_noise:$P/real_noise
       real_clean_end:data/real_clean_end:$P/real_clean_end)
for test in "${tests[@]}"; do
  IFS=: read -r name data affine <<< "$test"
  MAX_STEPS=4 bash $P/eval_real.sh $RUNS/$chosen.pt $OUT/$name 4 $data > /dev/null
  "$BIN/python" $P/paired.py "$affine" $OUT/$name --steps 4 \
    --names "default (affine)" "default as a mask ($chosen)" > $OUT/$name.md
done
