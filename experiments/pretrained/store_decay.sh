# Sourced by run.sh, bidirectional.sh, report_half.sh and eleventh_ship.sh (needs BIN): a
# checkpoint's step decay past T chosen by the convergence experiment's rule
# (experiments/convergence/choose_decay.sh, to 8T = 32 steps; with HELD_IN, space-separated
# folders of test sets, ρ must hold on each of them too), its table written to
# experiments/pretrained/decay/NAME.md, and the chosen ρ stored in the checkpoint's inference
# defaults, which every tool that loads it runs; stored_decay reads it back.
stored_decay() {  # CHECKPOINT: the step decay its inference defaults hold
  $BIN/python -c "from refine.process.checkpoint import load_checkpoint as l; \
    print(l('$1')['inference']['past_decay'])"
}
store_decay() {  # CHECKPOINT ["HELD_IN ..." [NAME]]: NAME (default the file's) names its records
  local name decay
  name=${3:-$(basename "$1" .pt)}
  decay=$(HELD_IN=${2:-} bash experiments/convergence/choose_decay.sh "$1" \
    runs/pretrained_decay/$name experiments/pretrained/decay/$name.md 32)
  $BIN/python -c "from refine.process.checkpoint import store_inference as s; \
    s('$1', past_decay=$decay)"
}
