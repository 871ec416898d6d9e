# Sourced by eleventh_ship.sh and soup_ship.sh (needs BIN, P and store_decay.sh): what shipping
# a candidate as the real_noise model takes, run.sh stage 4's steps for the file. Its step
# decay past T by the third rule (store_decay: synthetic validation, held-in music and the
# choice half of the real recordings), stored in the file; then what the model card quotes:
# the convergence goals on the half of the real recordings no choice saw (to 8T with the
# tolerance runs), nearly clean recordings at step 4 against the model it replaces, the
# held-out real noise to 4T, and speed.
ship_measurements() {  # CANDIDATE TAG OUT BASE BASE_NAME NAME SUFFIX
  # Writes CANDIDATE's inference defaults, decay/TAG_third_rule.md,
  # decay/report_half/TAG_<ρ>/ (with goals.md), OUT/real_clean_end/ with
  # OUT/real_clean_end_SUFFIX.md (paired with BASE/real_clean_end, named BASE_NAME and NAME),
  # decay/TAG/real_noise/ (with goals.md) and decay/TAG/speed.txt.
  local decay report past_t
  store_decay "$1" "data/held_in/music data/real_choice" "$2_third_rule"
  decay=$(stored_decay "$1")
  report=$P/decay/report_half/$2_$decay
  MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" \
    bash $P/eval_real.sh "$1" "$report" 4 data/real_report > /dev/null
  $BIN/python experiments/convergence/goals.py "$report" > /dev/null  # its goals.md
  [ -d data/real_clean_end ] || $BIN/python $P/real_recordings.py data/real_clean_end --snrs 20 30
  IRM_FROM=$P/bidirectional/real_clean_end MAX_STEPS=4 \
    bash $P/eval_real.sh "$1" "$3/real_clean_end" 4 data/real_clean_end > /dev/null
  $BIN/python $P/paired.py "$4/real_clean_end" "$3/real_clean_end" --steps 4 \
    --names "$5" "$6" > "$3/real_clean_end_$7.md"
  past_t=$P/decay/$2
  IRM_FROM=$P/bidirectional/real_noise MAX_STEPS=16 \
    bash $P/eval_real.sh "$1" "$past_t/real_noise" 4 data/real_noise > /dev/null
  $BIN/python experiments/convergence/goals.py "$past_t/real_noise" > /dev/null
  $BIN/python benchmarks/denoise_speed.py --checkpoint "$1" --hour | tee "$past_t/speed.txt"
}
