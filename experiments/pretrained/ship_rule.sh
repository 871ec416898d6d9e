# Sourced by eleventh.sh and eleventh_more.sh (needs BIN and P): what eleventh.sh's ship rule
# reads of a candidate for the real_noise model, against the tenth restart (run.sh stage 4's
# file, the real_noise model until 2026-12-03), paired clip by clip at step 4 (a decay past T
# does not change it): the held-in tests, the choice half of the real recordings, and for the
# record the whole of them and the held-out real noise. The tenth's records are
# bidirectional.sh's, and its own on the choice half, which no earlier comparison read.
TENTH=runs/bidirectional/refine_tenth.pt
SHIP_RULE_TESTS=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
                 real_choice:data/real_choice real:data/real real_noise:data/real_noise)
against_tenth() {  # CANDIDATE OUT NAME: OUT/<test>/ (eval_real.sh), OUT/<test>_tenth.{md,png}
  local test name data
  MAX_STEPS=4 bash $P/eval_real.sh $TENTH $P/bidirectional/real_choice 4 data/real_choice \
    > /dev/null
  for test in "${SHIP_RULE_TESTS[@]}"; do
    IFS=: read -r name data <<< "$test"
    IRM_FROM=$P/bidirectional/$name MAX_STEPS=4 \
      bash $P/eval_real.sh "$1" "$2/$name" 4 "$data" > /dev/null
    $BIN/python $P/paired.py $P/bidirectional/$name "$2/$name" --steps 4 \
      --plot "$2/${name}_tenth.png" --names "tenth (shipped)" "$3" > "$2/${name}_tenth.md"
  done
}
