#!/usr/bin/env bash
# Issue 17's checks on a GPU, in one go (about 8 minutes on an H200):
#   1. the CUDA path against the CPU's: tests/test_device.py (losses and gradients of the
#      chunked scan, the mask's torch operators and cuFFT against the compiled CPU kernels);
#   2. the training step's time and split (benchmarks/train_step.py), float32 with the
#      default single loader worker, then float32 and bf16 with WORKERS workers;
#      and the float32 step under torch.compile (its warm-up line holds the compile time);
#   3. the main job's training (refine-train, its defaults but for the workers) in float32
#      and bf16, timed, each with its validation table (history.json).
#
#   OUT=runs/gpu bash benchmarks/gpu.sh
#   PARTS="step" bash benchmarks/gpu.sh      # any of: tests step train
#
# Everything lands in $OUT (at most 8 files: the device tool brings back no more). Each
# command has its own time limit, so the whole ends inside 9 minutes with what it has. Where
# a .whl folder is present (the packages this image lacks, as the device tool's README says
# to carry them), they are installed into /tmp/site first.
#
# The device tool sends the checkout (tracked files and untracked ones git does not ignore)
# up to 64 MiB, and experiments/ holds about 200 MiB of records that no check here reads.
# Take experiments/ and figures/ out of the index only for the call, then put them back;
# no file on disk changes, and nothing is committed in that state:
#   git rm -r -q --cached experiments figures
#   printf '/experiments/\n/figures/\n' >> .git/info/exclude
#   (the device call: bash benchmarks/gpu.sh, carrying .whl)
#   git reset -q HEAD -- experiments figures
#   sed -i '\#^/experiments/$#d; \#^/figures/$#d' .git/info/exclude
set -uo pipefail
OUT=${OUT:-runs/gpu}
PARTS=${PARTS:-tests step train}
WORKERS=${WORKERS:-8}
TRAIN_LIMIT=${TRAIN_LIMIT:-150}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="$PYTHONPATH:/tmp/site"
fi

{
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv
    python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
    nproc
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

if [[ " $PARTS " == *" tests "* ]]; then
    timeout 120 python3 -m pytest -q -p no:cacheprovider tests/test_device.py 2>&1 |
        tee "$OUT/tests.txt" | tail -5
fi

if [[ " $PARTS " == *" step "* ]]; then
    for run in "float32 1" "float32 $WORKERS" "bfloat16 $WORKERS" "float32 $WORKERS --compile"; do
        set -- $run
        echo "== train_step.py train.precision=$1 train.num_workers=$2 ${3:-}"
        timeout "${STEP_LIMIT:-90}" python3 benchmarks/train_step.py --steps 50 --top 8 ${3:-} \
            train.precision="$1" train.num_workers="$2" 2>&1 | grep -v -e USDT -e _warn_once -e 'Profiler clears'
    done | tee "$OUT/train_step.txt"
fi

[[ " $PARTS " == *" train "* ]] || exit 0
for precision in float32 bfloat16; do
    started=$(date +%s.%N)
    timeout "$TRAIN_LIMIT" python3 -m refine.cli.train hydra.run.dir="/tmp/main_$precision" \
        train.precision="$precision" train.num_workers="$WORKERS" > "$OUT/train_$precision.log" 2>&1
    status=$?
    seconds=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
    echo "refine-train train.precision=$precision: exit $status after $seconds s" |
        tee -a "$OUT/train_$precision.log"
    cp "/tmp/main_$precision/history.json" "$OUT/history_$precision.json" 2>/dev/null
done
