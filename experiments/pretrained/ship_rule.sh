# Sourced by the scripts that train or mix a candidate for the real_noise model (eleventh.sh,
# eleventh_more.sh, perturb.sh, control_seed.sh, soup.sh, babble_music.sh, music_under_noise.sh;
# needs BIN and P): what eleventh.sh's ship rule reads of a candidate, paired clip by clip at
# step 4 (a decay past T does not change it) with another model's records (evaluate_and_pair):
# the held-in tests, the choice half of the real recordings, and for the record the whole of
# them and the held-out real noise; and how a candidate is made from runs (export_once, the
# inference part of a run; interpolate, a soup), with the arm of one seed and the soup of two
# seeds' arms that babble_music.sh, content.sh, vehicles.sh and layers.sh each train and pair
# the same way (arm_of_seed, soup_of_arms). against_tenth pairs with the tenth restart
# (run.sh stage 4's file, the real_noise model until 2026-12-03), whose records are
# bidirectional.sh's, and its own on the choice half, which no earlier comparison read.
TENTH=runs/bidirectional/refine_tenth.pt
SHIP_RULE_TESTS=(held_in_music:data/held_in/music held_in_synthetic:data/held_in/synthetic
                 real_choice:data/real_choice real:data/real real_noise:data/real_noise)
# The real_noise model from 2026-12-03 to 2026-12-04 (babble_music.sh's soup; run.sh stage 4
# made it), where the runs continued from it start (content.sh, babble_only.sh, precision.sh,
# vehicles.sh), and the file committed when it shipped.
SHIPPED_SOUP=runs/babble_music/soup_three.pt
SHIPPED_SOUP_COMMIT=47cb198
shipped_soup_once() {  # SHIPPED_SOUP, taken from the repository's history where run.sh has
  # not made it (the package now holds its successor, vehicles.sh's soup)
  [ -f $SHIPPED_SOUP ] || {
    mkdir -p "$(dirname $SHIPPED_SOUP)"
    git show $SHIPPED_SOUP_COMMIT:refine/pretrained/refine_real_noise.pt > $SHIPPED_SOUP
  }
}
needs_folder() {  # SCRIPT FOLDER WHAT HOW: where FOLDER is missing, exit 1 saying WHAT is
  # missing and HOW to make it
  [ -d "$2" ] || { echo "$1: $3: $4" >&2; exit 1; }
}
needs_vehicles() {  # SCRIPT: the noise corpus's vehicles kind, which VEHICLES_KINDS draws
  needs_folder "$1" data/noise/vehicles "data/noise has no vehicles kind" \
    "make noise-packages, then python -m refine.cli.noise_corpus data/noise --corpus data/corpus"
}
test_data() {  # TEST: the data folder of a test of SHIP_RULE_TESTS
  local t
  for t in "${SHIP_RULE_TESTS[@]}"; do
    if [ "${t%%:*}" = "$1" ]; then
      echo "${t#*:}"
    fi
  done
}
evaluate_and_pair() {  # BASE BASE_NAME CANDIDATE OUT NAME SUFFIX [TEST ...]: OUT/<test>/
  # (eval_real.sh), OUT/<test>_SUFFIX.{md,png}: the candidate on every test of SHIP_RULE_TESTS
  # (or those named), paired with BASE/<test>'s records
  local base=$1 base_name=$2 candidate=$3 out=$4 name=$5 suffix=$6 test
  shift 6
  [ $# -gt 0 ] || set -- "${SHIP_RULE_TESTS[@]%%:*}"
  for test in "$@"; do
    evaluate_and_pair_on "$(test_data "$test")" $P/bidirectional/$test "$base/$test" \
      "$base_name" "$candidate" "$out/$test" "$name" "$out/${test}_$suffix"
  done
}
evaluate_and_pair_on() {  # DATA IRM_FROM BASE BASE_NAME CANDIDATE OUT NAME PAIRED: OUT/
  # (eval_real.sh on DATA to step 4, the oracle's records copied from IRM_FROM where it has
  # them) and PAIRED.{md,png}: the candidate paired with BASE's records
  IRM_FROM=$2 MAX_STEPS=4 bash $P/eval_real.sh "$5" "$6" 4 "$1" > /dev/null
  $BIN/python $P/paired.py "$3" "$6" --steps 4 --plot "$8.png" --names "$4" "$7" > "$8.md"
}
export_once() {  # CHECKPOINT MODEL: MODEL, the inference part of a run's CHECKPOINT, once
  [ -f "$2" ] || $BIN/python -c "from refine.process.checkpoint import export_checkpoint \
    as e; e('$1', '$2')"
}
interpolate() {  # A B ALPHA TARGET: (1 − ALPHA)·A + ALPHA·B, once
  [ -f "$4" ] || $BIN/python -c "from refine.process.interpolate import \
    interpolated_checkpoint as i; i('$1', '$2', $3, '$4')"
}
soup_of_three() {  # START A B HALF SOUP: SOUP = (START + A + B)/3, by way of HALF =
  # (START + A)/2, once
  interpolate "$1" "$2" 0.5 "$4"
  interpolate "$4" "$3" "1 / 3" "$5"
}
music_noise() {  # MODEL OUT NAME: OUT/music_noise/ and OUT/music_noise_shipped.{md,png},
  # the model on music under the training noise paired with the caller's BASE (records) and
  # BASE_NAME
  evaluate_and_pair_on data/held_in/music_noise $BASE/music_noise $BASE/music_noise \
    "$BASE_NAME" "$1" "$2/music_noise" "$3" "$2/music_noise_shipped"
}
arm_of_seed() {  # NAME LABEL SETTING...: an arm of the caller's study, once: RUNS/NAME (3000
  # steps of train.sh with the SETTINGs), its inference part as it would ship
  # (RUNS/NAME/refine_NAME.pt) and OUT/NAME, that part on every test of SHIP_RULE_TESTS and
  # music_noise, paired with the caller's BASE (records) and BASE_NAME
  local name=$1 label=$2 model=$RUNS/$1/refine_$1.pt
  shift 2
  bash $P/train.sh $RUNS/$name 3000 "$@"
  export_once $RUNS/$name/checkpoint.pt $model
  evaluate_and_pair $BASE "$BASE_NAME" $model $OUT/$name "$label" shipped
  music_noise $model $OUT/$name "$label"
}
soup_of_arms() {  # START SEED SEED HALF LABEL: RUNS/soup_three.pt, START and the caller's
  # arms of the two seeds averaged (by way of HALF), and OUT/soup_three, it on every test of
  # SHIP_RULE_TESTS and music_noise, paired with BASE
  local soup=$RUNS/soup_three.pt
  soup_of_three "$1" $RUNS/arm_seed$2/refine_arm_seed$2.pt $RUNS/arm_seed$3/refine_arm_seed$3.pt \
    "$4" $soup
  evaluate_and_pair $BASE "$BASE_NAME" $soup $OUT/soup_three "$5" shipped
  music_noise $soup $OUT/soup_three "$5"
}
pair_with_control() {  # CONTROL ARM LABEL SEED: ARM/<test>_control.{md,png}, the arm's records
  # paired with its control's on every test of SHIP_RULE_TESTS and music_noise
  local test
  for test in "${SHIP_RULE_TESTS[@]%%:*}" music_noise; do
    $BIN/python $P/paired.py "$1/$test" "$2/$test" --steps 4 --plot "$2/${test}_control.png" \
      --names "control, seed $4" "$3, seed $4" > "$2/${test}_control.md"
  done
}
against_tenth() {  # CANDIDATE OUT NAME: OUT/<test>/ (eval_real.sh), OUT/<test>_tenth.{md,png}
  MAX_STEPS=4 bash $P/eval_real.sh $TENTH $P/bidirectional/real_choice 4 data/real_choice \
    > /dev/null
  evaluate_and_pair $P/bidirectional "tenth (shipped)" "$1" "$2" "$3" tenth
}
