#!/usr/bin/env bash
# The commands an experiment script of this folder runs, in order, without running them: a
# change to a script (or to ship_rule.sh, which they share) that leaves this list the same
# leaves every record it made the same, with no training rerun. The script runs in a clone of
# this repository at COMMIT ("work": HEAD with the changes to tracked files), with data/ linked
# in for its folder names, every record's summary.json removed (so that every evaluation is
# listed, not only the missing ones), and python, refine-train and refine-eval replaced by a
# stub that writes its arguments to the list (and, as refine-eval, the files eval_real.sh
# copies). Nothing outside the clone is written.
#   bash experiments/pretrained/trace_commands.sh COMMIT SCRIPT [ARG ...] > list
#   e.g. diff <(bash $0 HEAD experiments/pretrained/vehicles.sh) \
#             <(bash $0 work experiments/pretrained/vehicles.sh)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: trace_commands.sh COMMIT|work SCRIPT [ARG ...]" >&2; exit 2; }
commit=$1
script=$2
shift 2
repo=$(git rev-parse --show-toplevel)
data=$repo/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat > "$work/bin/stub" <<'STUB'
#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$TRACE"
if [ "$(basename "$0")" = refine-eval ]; then
  for arg in "$@"; do
    case $arg in hydra.run.dir=*)
      mkdir -p "${arg#*=}"
      touch "${arg#*=}"/{per_step.json,per_clip.csv,summary.json} ;;
    esac
  done
fi
STUB
chmod +x "$work/bin/stub"
for program in python refine-train refine-eval; do
  ln -s stub "$work/bin/$program"
done
git clone -q --shared "$repo" "$work/clone"
cd "$work/clone"
if [ "$commit" = work ]; then
  git -C "$repo" diff HEAD | git apply --allow-empty
else
  git checkout -q "$commit"
fi
ln -s "$data" data
find . -name summary.json -delete  # not under data/, a link find does not follow
export TRACE=$work/list BIN=$work/bin
: > "$TRACE"
status=0
bash "$script" "$@" > /dev/null 2> "$work/stderr" || status=$?
# the clone's and mktemp's paths, which differ from run to run, written the same way
sed "s#$work/clone/##g; s#$work#WORK#g; s#/tmp/tmp\.[A-Za-z0-9]*#TMP#g" "$TRACE"
[ $status = 0 ] || { echo "$script exited $status:" >&2; tail -3 "$work/stderr" >&2; }
exit $status
