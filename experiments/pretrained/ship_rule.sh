# Sourced by eleventh.sh, eleventh_more.sh and perturb.sh (needs BIN and P): what eleventh.sh's
# ship rule reads of a candidate for the real_noise model, paired clip by clip at step 4 (a
# decay past T does not change it) with another model's records (evaluate_and_pair): the
# held-in tests, the choice half of the real recordings, and for the record the whole of them
# and the held-out real noise. against_tenth pairs with the tenth restart (run.sh stage 4's
# file, the real_noise model until 2026-12-03), whose records are bidirectional.sh's, and its
# own on the choice half, which no earlier comparison read.
TENTH=runs/bidirectional/refine_tenth.pt
SHIP_RULE_TESTS=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
                 real_choice:data/real_choice real:data/real real_noise:data/real_noise)
evaluate_and_pair() {  # BASE BASE_NAME CANDIDATE OUT NAME SUFFIX: OUT/<test>/ (eval_real.sh),
  # OUT/<test>_SUFFIX.{md,png}: the candidate on every test, paired with BASE/<test>'s records
  local test name data
  for test in "${SHIP_RULE_TESTS[@]}"; do
    IFS=: read -r name data <<< "$test"
    IRM_FROM=$P/bidirectional/$name MAX_STEPS=4 \
      bash $P/eval_real.sh "$3" "$4/$name" 4 "$data" > /dev/null
    $BIN/python $P/paired.py "$1/$name" "$4/$name" --steps 4 \
      --plot "$4/${name}_$6.png" --names "$2" "$5" > "$4/${name}_$6.md"
  done
}
against_tenth() {  # CANDIDATE OUT NAME: OUT/<test>/ (eval_real.sh), OUT/<test>_tenth.{md,png}
  MAX_STEPS=4 bash $P/eval_real.sh $TENTH $P/bidirectional/real_choice 4 data/real_choice \
    > /dev/null
  evaluate_and_pair $P/bidirectional "tenth (shipped)" "$1" "$2" "$3" tenth
}
