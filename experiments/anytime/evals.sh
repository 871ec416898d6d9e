# The evaluations that run.sh and budget_4x.sh share, sourced by both: each cached in its run
# folder and its records copied into the experiment. Needs BIN.
# shellcheck source=experiments/records.sh
source experiments/records.sh  # keep, kept
# The iterative weights at budgets below T: the trained schedule spread over N = 1 ... 7
# steps (refine-eval schedule_steps=N), so that step N removes all the noise left, as step T
# does; N = 1 is the step network applied once.
respace() {  # CHECKPOINT RECORDS RUNS
  for n in 1 2 3 4 5 6 7; do
    ! kept "$3/N$n" "$2/N$n" || continue
    [ -f "$3/N$n/summary.json" ] ||
      "$BIN/refine-eval" checkpoint="$1" schedule_steps=$n max_steps=$n "tolerances=[]" \
        hydra.run.dir="$3/N$n"
    keep "$3/N$n" "$2/N$n"
  done
}
# The same weights respaced to one step and run on past it as the fixed-point iteration (the
# step decay), to 32 steps, with the tolerance runs.
iterate() {  # CHECKPOINT RECORDS RUN
  ! kept "$3" "$2" || return 0
  [ -f "$3/summary.json" ] ||
    "$BIN/refine-eval" checkpoint="$1" schedule_steps=1 max_steps=32 \
      "tolerances=[1.0e-2,3.0e-3,1.0e-3]" hydra.run.dir="$3"
  keep "$3" "$2"
}
