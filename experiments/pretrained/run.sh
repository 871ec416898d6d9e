#!/usr/bin/env bash
# The shipped model (refine/pretrained/refine_default.pt), end to end: prepare the corpora,
# train, export, and measure it on real recordings against the oracle IRM. Run from the
# repository root after `make setup`, `make system-packages` and `make noise-packages`; the
# real recordings and the held-out real noise need
#   apt-get install alsa-utils asterisk-core-sounds-en-wav asterisk-moh-opsound-wav \
#     lomiri-sounds qabcs-data btanks-data fillets-ng-data-nl asterisk-core-sounds-ru-wav \
#     fretsonfire-songs-muldjord
# Every stage is cached: the corpus files, the training run (resumes or returns), the evals.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/pretrained
RUN=runs/pretrained
SHIPPED=refine/pretrained/refine_default.pt
REAL_SHIPPED=refine/pretrained/refine_real_noise.pt
AFFINE=${RUN}_drift/refine_affine.pt      # the default model until its mask rewrite (stage 4)
SEVENTH=${RUN}_context/refine_context.pt  # the real_noise model until the ninth restart
NINTH=${RUN}_retrained/refine_ninth.pt    # the real_noise model until the tenth restart
TENTH=runs/bidirectional/refine_tenth.pt  # the real_noise model until the eleventh restart
# The eleventh restart continued (runs/eleventh_more/refine_eleventh_more.pt) was the
# real_noise model until the soup of the three (runs/perturb/soup_three.pt), that until
# the soup with more babble over music (runs/babble_music/soup_three.pt), that until
# the soup with recorded vehicles (runs/vehicles/soup_three.pt), and that until the soup
# with recorded second noise layers (runs/layers_recorded/soup_three.pt).
STEPS=${STEPS:-16000}  # optimiser steps before fine-tuning: about an hour on 2 cores

# 1. Clean corpus: rendered scores, synthetic speech, synthetic music (about 2.8 h of audio),
#    and the noise corpus: recorded noise from Debian packages and noise made from the clean
#    corpus's real material (babble, typing, hum, music, ambience; about 2 h).
$BIN/python -m refine.cli.prepare data/corpus
$BIN/python -m refine.cli.noise_corpus data/noise --corpus data/corpus

# 2. Train the recipe in train.sh (STFT magnitudes, T = 4, the bin gate, 0.5 s clips in
#    white/pink/brown/mixed noise at 0-20 dB). Its choices are measured by pilot.sh runs.
bash $OUT/train.sh $RUN $STEPS

# 3. Fine-tune (train.init_from) with training SNRs from -5 dB (pilot snr_from_-5: 0 dB is
#    no longer the edge of training), in two warm restarts of the schedule: 8000 steps
#    peaking at lr 1e-3, then 8000 at 5e-4 on another draw order (train.seed=1).
LOW_SNR="data.snr_range=[-5.0,20.0]"
bash $OUT/train.sh ${RUN}_tuned 8000 train.init_from=$RUN/checkpoint.pt $LOW_SNR train.lr=1e-3
bash $OUT/train.sh ${RUN}_tuned2 8000 train.init_from=${RUN}_tuned/checkpoint.pt $LOW_SNR \
  train.lr=5e-4 train.seed=1
#    A third restart with drifting noise (data.noise_seconds=8: each clip's noise is a window
#    of 8 s of noise, so pink and brown noise carry the slow drift of a long recording that
#    half-second clips of noise made at their own length lack).
bash $OUT/train.sh ${RUN}_drift 8000 train.init_from=${RUN}_tuned2/checkpoint.pt $LOW_SNR \
  train.lr=5e-4 train.seed=2 data.noise_seconds=8.0
#    Its control: the same restart without drifting noise (not shipped; stages/no_drift).
bash $OUT/train.sh ${RUN}_nodrift 8000 train.init_from=${RUN}_tuned2/checkpoint.pt $LOW_SNR \
  train.lr=5e-4 train.seed=2

#    A fourth restart, the one retraining of the convergence and real-noise issues: real
#    noise beside the colours (nine kinds drawn uniformly: white, pink, brown, mix and the
#    noise corpus's babble, typing, hum, music under speech only, ambience), and a convergent
#    iteration: the bounded mask update (model.update=mask: a step scales each bin by
#    1 − η·m, m in [0, 1], so no bin ever grows and iterating past T cannot blow up) with
#    K ~ U{0..12} steps past T aimed at the clean signal (train.extra_steps: 3T). The mask's
#    output map has one part less than the affine one's, so it alone starts afresh
#    (train.init_except); the backbone keeps what three stages learned. The schedule is
#    7500 steps; train.max_minutes=58 ended it at step 6798 on the 2-core machine (the
#    learning rate 2 % of its peak), which another machine reaches at another step. Its
#    mask's gradient past 0 and 1 was the sigmoid's (model.mask_gradient=straight, the only
#    rule then).
REAL_NOISE=(data.noise_dir=data/noise
            "data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,music,ambience]"
            "data.noise_only_under={music:speech}")
bash $OUT/train.sh ${RUN}_real 7500 train.init_from=${RUN}_drift/checkpoint.pt \
  "train.init_except=[step_net.lower]" model.update=mask model.mask_gradient=straight \
  train.extra_steps=12 $LOW_SNR \
  train.lr=1e-3 train.seed=3 data.noise_seconds=8.0 "${REAL_NOISE[@]}" train.max_minutes=58
#    A fifth restart, the second round of both issues: the real-noise stage continued for
#    5000 steps on the same nine kinds, with the mask's gradient past 0 and 1 passing only
#    back inside (model.mask_gradient=inward, now the default: experiments/convergence) and
#    its steps past T at the decaying step fraction that inference takes
#    (model.past_decay=0.5), at half the learning rate, on one thread (train.threads=1:
#    0.63 s per step, so the other core stays free), within an hour.
bash $OUT/train.sh ${RUN}_real2 5000 train.init_from=${RUN}_real/checkpoint.pt model.update=mask \
  model.past_decay=0.5 train.extra_steps=12 $LOW_SNR train.lr=5e-4 train.seed=4 \
  data.noise_seconds=8.0 "${REAL_NOISE[@]}" train.threads=1 train.max_minutes=60
#    A sixth restart with recorded speech as the signal. Until here every clean speech file
#    was synthetic (espeak-ng, flite) while the babble is recorded voices, so "a recorded
#    voice is noise" was a rule the data taught (the held-in test below, held_in.py). The
#    clean corpus gains 400 draws of recorded speech (refine.data.voices; 325 kept after
#    trimming, 13 min), prepared here and not in stage 1, so that a rerun of the earlier
#    stages trains on the corpus they were measured on; music stays under speech of either
#    kind. Otherwise the fifth restart's settings, 4500 steps on one thread.
$BIN/python -m refine.cli.prepare data/corpus --voices 400
VOICED=(data.noise_dir=data/noise
        "data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,music,ambience]"
        "data.noise_only_under={music:[speech,voices]}")
bash $OUT/train.sh ${RUN}_voices 4500 train.init_from=${RUN}_real2/checkpoint.pt model.update=mask \
  model.past_decay=0.5 train.extra_steps=12 $LOW_SNR train.lr=5e-4 train.seed=5 \
  data.noise_seconds=8.0 "${VOICED[@]}" train.threads=1 train.max_minutes=55

#    A seventh restart with more context: the fifth restart continued for an hour on 2 s
#    clips, 4 per batch (the same audio per step as 16 half-second clips), on its own corpus
#    (data.clean_subfolders: no recorded voices) and nine kinds, another draw order; 11000
#    scheduled steps within 62 minutes on 2 cores (context_stage.sh compares it with the
#    fifth restart and the 12-minute pilot of noise_pilots.sh).
bash $OUT/train.sh ${RUN}_context 11000 train.init_from=${RUN}_real2/checkpoint.pt \
  model.update=mask model.past_decay=0.5 train.extra_steps=12 $LOW_SNR train.lr=5e-4 \
  train.seed=8 data.noise_seconds=8.0 "${REAL_NOISE[@]}" "data.clean_subfolders=[music,speech,synth]" \
  data.segment_seconds=2.0 train.batch_size=4 train.max_minutes=62
#    An eighth restart for nearly clean recordings (clean_end_pilot.sh: the seventh restart
#    makes 30 dB music 3.8-7.4 dB worse): the seventh continued on SNRs up to 30 dB with each
#    clip's errors over ‖ω‖² + ‖s + ω‖²/10 (train.normalise_by=capped, the main job's recipe)
#    and without music as a noise kind (its pilot: the held-out mean unchanged, nearly clean
#    music 1.3-2.2 dB better), 2 s clips, 5000 steps at lr 5e-4 (about 45 minutes on 2
#    cores); eighth_stage.sh compares it with the seventh.
bash $OUT/train.sh ${RUN}_clean_end 5000 train.init_from=${RUN}_context/checkpoint.pt \
  model.update=mask model.past_decay=0.5 train.extra_steps=12 "data.snr_range=[-5.0,30.0]" \
  train.normalise_by=capped train.lr=5e-4 train.seed=10 data.noise_seconds=8.0 \
  data.noise_dir=data/noise "data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,ambience]" \
  "data.clean_subfolders=[music,speech,synth]" data.segment_seconds=2.0 train.batch_size=4
#    A ninth restart, the one retraining begun again from the default model, which never
#    learnt music as noise and leaves nearly clean audio alone: its affine output map
#    rewritten as the bounded mask's without training (refine.process.mask_from_affine,
#    c = 8, chosen on held-in music by default_as_mask.sh, where the rewrite is already
#    0.2-0.3 dB better than the affine model), so no part starts afresh; then the eighth
#    restart's data and loss (eight kinds without music, -5 to 30 dB, capped, 2 s clips),
#    12000 steps at lr 5e-4 on another draw order (train.seed=11) within 75 minutes on 2
#    cores; ninth_stage.sh compares it with the default, its start and the seventh restart.
AS_MASK=runs/default_as_mask/c8.pt
[ -f $AS_MASK ] || $BIN/python -c "from refine.process.mask_from_affine import \
  mask_checkpoint_from_affine as m; m('${RUN}_drift/checkpoint.pt', '$AS_MASK', 8)"
bash $OUT/train.sh ${RUN}_retrained 12000 train.init_from=$AS_MASK \
  model.update=mask model.past_decay=0.5 train.extra_steps=12 "data.snr_range=[-5.0,30.0]" \
  train.normalise_by=capped train.lr=5e-4 train.seed=11 data.noise_seconds=8.0 \
  data.noise_dir=data/noise "data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,ambience]" \
  "data.clean_subfolders=[music,speech,synth]" data.segment_seconds=2.0 train.batch_size=4 \
  train.max_minutes=75
#    A tenth restart with the future in view: the ninth with every LRU block made
#    bidirectional (refine.process.bidirectional: a reverse LRU per block, started silent, so
#    the network starts as the ninth), trained on the ninth's data and loss at lr 3e-4
#    (plateau_recipe.sh), 6000 steps, about 35 minutes on 2 cores; bidirectional.sh compares
#    it with the same steps forwards only (capacity.sh's narrow arm) and with the ninth.
source $OUT/plateau_recipe.sh
BIDIRECTIONAL=runs/bidirectional
mkdir -p $BIDIRECTIONAL
[ -f $BIDIRECTIONAL/start.pt ] || $BIN/python -c "from refine.process.bidirectional import \
  bidirectional_checkpoint as b; b('${RUN}_retrained/checkpoint.pt', '$BIDIRECTIONAL/start.pt')"
bash $OUT/train.sh $BIDIRECTIONAL/train 6000 train.init_from=$BIDIRECTIONAL/start.pt \
  model.bidirectional=true "${PLATEAU_RECIPE[@]}"

# 4. Ship the inference part of the checkpoints inside the package. The default model is the
#    drifting-noise stage rewritten as a mask model (AS_MASK, stage 3: better than the affine
#    stage on every held-in and real test, default_as_mask.sh); the real-noise model (the
#    last soup of the eleventh restart's continuations, at the end of this stage) ships
#    beside it (refine-denoise --checkpoint real_noise), since it gives back 4 points of the
#    oracle's gain in white and pink noise and harms nearly clean audio. The models they replaced (the affine drifting-noise stage,
#    the seventh, ninth and tenth restarts) are exported beside their runs for the
#    comparisons below, as is the fifth.
export_to() { $BIN/python -c "from refine.process.checkpoint import export_checkpoint as e; e('$1', '$2')"; }
export_to ${RUN}_drift/checkpoint.pt $AFFINE
export_to ${RUN}_context/checkpoint.pt $SEVENTH
cp $AS_MASK $SHIPPED
export_to ${RUN}_retrained/checkpoint.pt $NINTH
export_to $BIDIRECTIONAL/train/checkpoint.pt $TENTH
REAL2=${RUN}_real2/refine_real2.pt
export_to ${RUN}_real2/checkpoint.pt $REAL2
#    Each model's step decay past T (model.past_decay, issue 15): chosen on synthetic
#    validation clips (data.seed=1, music in white/pink noise, to 8T = 32 steps) by the
#    convergence experiment's rule (choose_decay.sh: the largest ρ that holds there), and
#    stored in the checkpoint's inference defaults, which every tool that loads it runs. For
#    the shipped models ρ must also hold on held-in music (held_in.py: the clean corpus's
#    rendered scores in white/pink noise), where the synthetic generator's music had shown
#    no slide that the real-noise models have (music_slide.sh); the restarts below keep the
#    first rule, under which they were measured.
$BIN/python $OUT/held_in.py data/held_in
source $OUT/store_decay.sh  # store_decay CHECKPOINT ["HELD_IN ..." [NAME]]
store_decay $AFFINE data/held_in/music refine_default
store_decay $SEVENTH data/held_in/music refine_real_noise
store_decay $NINTH data/held_in/music retrained
store_decay $REAL2
#    The default's second-rule table (decay/default_as_mask.md; the tenth restart's,
#    decay/bidirectional.md, is bidirectional.sh's), which the third rule's ρ below replaces
#    in the file.
store_decay $SHIPPED data/held_in/music default_as_mask
#    The two shipped models by a third rule: ρ must also hold on half of the real
#    recordings (split_real.py: by recording, the other half kept out of every choice and
#    reported by report_half.sh), where the tenth restart's music slid although held-in
#    music did not (the second rule, decay/default_as_mask.md and decay/bidirectional.md).
$BIN/python $OUT/real_recordings.py data/real
$BIN/python $OUT/split_real.py data/real data/real_choice data/real_report
store_decay $SHIPPED "data/held_in/music data/real_choice" default_third_rule
store_decay $TENTH "data/held_in/music data/real_choice" real_noise_third_rule
#    The eleventh restart, the real_noise model from 2026-12-03 (third session): the tenth
#    continued 3000 steps on all seven recorded kinds of the noise corpus (with the three
#    packages of sound events scattered in time that events.sh measured one by one) and the
#    colours listed twice (eleventh.sh; it failed the ship rule written there in pink noise),
#    then 3000 steps more of the same (eleventh_more.sh: the rule met); its step decay by the
#    third rule and the measurements its model card quotes (eleventh_ship.sh).
bash $OUT/eleventh.sh
bash $OUT/eleventh_more.sh
bash $OUT/eleventh_ship.sh
#    The soup of the three, the real_noise model since 2026-12-03 (fourth session): the
#    eleventh continued 3000 steps two ways, as recorded and with perturbed recorded noise
#    (perturb.sh; the perturbed arm failed its ship rule), and the two averaged with their
#    start (soup.sh: the rule met); its step decay and measurements (soup_ship.sh).
bash $OUT/perturb.sh
bash $OUT/soup.sh
bash $OUT/soup_ship.sh
#    The soup with more babble over music, the real_noise model since 2026-12-03 (fifth
#    session): the soup of the three continued 3000 steps twice with babble drawn four times
#    as often over music (data.noise_kinds_under) and averaged with its start
#    (babble_music.sh: the rule met); its step decay and measurements (babble_music_ship.sh).
bash $OUT/babble_music.sh
bash $OUT/babble_music_ship.sh
cp runs/babble_music/soup_three.pt $REAL_SHIPPED
#    A network told what the signal is (sixth session; not shipped): the shipped soup with a
#    content label added at zero, continued 3000 steps twice beside a control for each seed,
#    and its soup against the ship rule written before its numbers (content.sh: it lost
#    held-in music).
bash $OUT/content.sh
bash $OUT/content_rate.sh  # the pilot with the labels at ten times the rate
#    Babble alone (seventh session, a diagnostic): content.sh's control of seed 19 with
#    babble as its only noise kind, against that control (babble_only.sh: held-out babble
#    stays at the control's 9 %; the shortfall is not the mix), and the same widened to
#    d_model 128 (level with it: not the width either).
bash $OUT/babble_only.sh
#    bf16 in this recipe (seventh session, issue 17): content.sh's control of seed 19 again
#    with train.precision=bfloat16, against that control (precision.sh: the same model).
bash $OUT/precision.sh
#    Recorded vehicles, the real_noise model since 2026-12-04 (eighth session): content.sh's
#    controls of seeds 19 and 20 with the noise corpus's vehicles kind (openttd-opensfx)
#    added, averaged with their start (vehicles.sh: the rule met); its step decay and
#    measurements (vehicles_ship.sh).
bash $OUT/vehicles.sh
bash $OUT/vehicles_ship.sh
cp runs/vehicles/soup_three.pt $REAL_SHIPPED
#    Produced music as the signal (ninth session, not shipped): the clean corpus's
#    soundtracks part (three games' recorded soundtracks) added to content.sh's control of
#    seed 19 (soundtracks.sh: it learns the soundtracks it heard, +2.37 dB, and loses 0.54
#    held out, music under real noise included).
$BIN/python -m refine.cli.prepare data/corpus --voices 400 --soundtracks 400
bash $OUT/soundtracks.sh
#    Scenes of two sources (ninth and tenth sessions): vehicles.sh's arms with a second
#    noise kind under half the clips (data.noise_layer_share), from the clip's own list
#    (mixed) or of steady beds (beds), against those arms, and their soups (layers.sh);
#    then (tenth session) mixed's layers under a tenth of the clips (low) and under half the
#    clips of a recorded first noise only (over), that with recorded second kinds only
#    (recorded), every variant set against its controls; the arms on nearly clean recordings
#    and their loss per band (layers_clean_end.sh). Recorded's soup met the rule and is the
#    real_noise model since 2026-12-04 (eleventh session): its step decay and measurements
#    (layers_ship.sh).
bash $OUT/layers.sh mixed
bash $OUT/layers.sh beds
bash $OUT/layers.sh low
bash $OUT/layers.sh over
bash $OUT/layers.sh recorded
$BIN/python $OUT/layers_cost.py --out $OUT/layers/cost
bash $OUT/layers_clean_end.sh
bash $OUT/layers_ship.sh
cp runs/layers_recorded/soup_three.pt $REAL_SHIPPED
#    Levels in the lift (eleventh session, not shipped): layers.sh recorded's arms with each
#    bin's log level added to the lift at zero (model.level_input), against those arms, and
#    their soup (levels.sh); the same from scratch, with and without the map (levels_scratch.sh).
bash $OUT/levels.sh
bash $OUT/levels_scratch.sh
#    More real voices (twelfth session): layers.sh recorded's arms with a kind of 2-8
#    Hedgewars voices at once (the noise corpus's `shouts`) added, against those arms, and
#    their soup (shouts.sh); where their cost comes from, a pilot with shouts among the first
#    kinds only (shouts.sh first); how much of the signal and of the noise the soup keeps
#    (kept.py).
bash $OUT/shouts.sh
bash $OUT/shouts.sh first
$BIN/python $OUT/kept.py $REAL_SHIPPED runs/shouts/soup_three.pt data/real_noise \
  --names "layers soup (shipped)" "shouts soup" > $OUT/shouts/kept/real_noise.md
#    and both soups on the held-in test with recorded voices as the signal (held_in.py's
#    recorded part, which the ship rule does not read).
MAX_STEPS=4 bash $OUT/eval_real.sh $REAL_SHIPPED $OUT/shouts/held_in_recorded/shipped 4 \
  data/held_in/recorded
IRM_FROM=$OUT/shouts/held_in_recorded/shipped MAX_STEPS=4 bash $OUT/eval_real.sh \
  runs/shouts/soup_three.pt $OUT/shouts/held_in_recorded/soup_three 4 data/held_in/recorded
$BIN/python $OUT/paired.py $OUT/shouts/held_in_recorded/shipped \
  $OUT/shouts/held_in_recorded/soup_three --steps 4 \
  --plot $OUT/shouts/held_in_recorded/soup_shipped.png \
  --names "layers soup (shipped)" "shouts soup" > $OUT/shouts/held_in_recorded/soup_shipped.md
#    Every arm above against its control, held in and held out (levers.py).
$BIN/python $OUT/levers.py --out $OUT/levers
#    How far training from scratch goes: levels_scratch.sh's plain run at two, four and eight
#    times the steps (scratch_length.sh), and the slope of the three (scratch_slope.py).
bash $OUT/scratch_length.sh 6000
bash $OUT/scratch_length.sh 12000
bash $OUT/scratch_length.sh 24000
$BIN/python $OUT/scratch_slope.py --out $OUT/scratch_length/slope

# 5. Real recordings in white and pink noise at 0 and 5 dB (written in stage 4): the model's
#    per-step SI-SDR and the oracle ideal ratio mask's.
bash $OUT/eval_real.sh $AFFINE $OUT/real 4
MAX_STEPS=32 bash $OUT/eval_real.sh ${RUN}_real/checkpoint.pt $OUT/real_noise_model/white_pink 4
bash $OUT/eval_real.sh $RUN/checkpoint.pt $OUT/stages/trained 4  # what each stage adds
bash $OUT/eval_real.sh ${RUN}_tuned/checkpoint.pt $OUT/stages/tuned_once 4
bash $OUT/eval_real.sh ${RUN}_tuned2/checkpoint.pt $OUT/stages/tuned_twice 4
bash $OUT/eval_real.sh ${RUN}_nodrift/checkpoint.pt $OUT/stages/no_drift 4
#    The held-out real noise (voices, typing, clatter, street, nature, a band under speech):
#    recordings no training run sees, measured once, never tuned on.
$BIN/python $OUT/real_noise.py data/real_noise
bash $OUT/eval_real.sh $AFFINE $OUT/real_noise 4 data/real_noise
MAX_STEPS=32 bash $OUT/eval_real.sh ${RUN}_real/checkpoint.pt $OUT/real_noise_model/real_noise 4 \
  data/real_noise
#    Both shipped models with their step decay (decay/<name>/), and the fifth restart
#    (real2_model/): on the real recordings to 8T = 32 steps, fixed and until convergence;
#    on the held-out real noise to 4T = 16, fixed.
for model in decay/default:$AFFINE decay/real_noise:$SEVENTH real2_model:$REAL2 \
  decay/default_as_mask:$SHIPPED decay/retrained:$NINTH decay/bidirectional:$TENTH; do
  MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" bash $OUT/eval_real.sh ${model#*:} \
    $OUT/${model%%:*}/real 4
  MAX_STEPS=16 bash $OUT/eval_real.sh ${model#*:} $OUT/${model%%:*}/real_noise 4 data/real_noise
done
#    The shipped models under the first rule (synthetic validation alone: ρ = 0.85 for the
#    default, 0.7 for real_noise), the same measurements, for the comparison in the README.
for model in default:$AFFINE:0.85 real_noise:$SEVENTH:0.7; do
  IFS=: read -r name checkpoint decay <<< "$model"
  MODEL_OVERRIDES="past_decay=$decay" MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" \
    bash $OUT/eval_real.sh $checkpoint $OUT/decay/${name}_synthetic_rule/real 4
  MODEL_OVERRIDES="past_decay=$decay" MAX_STEPS=16 \
    bash $OUT/eval_real.sh $checkpoint $OUT/decay/${name}_synthetic_rule/real_noise 4 data/real_noise
done
#    The sixth restart (recorded speech as the signal; not shipped): its step decay by the
#    same rule, then the held-out real noise to 4T, the real recordings to 8T, and the
#    held-in test (held_in.py: the corpora's own speech, synthetic and recorded, in the noise
#    corpus's own babble, typing and ambience) for it and the fifth restart;
#    paired.py compares the two clip by clip.
VOICES=${RUN}_voices/refine_voices.pt
export_to ${RUN}_voices/checkpoint.pt $VOICES
store_decay $VOICES
MAX_STEPS=16 bash $OUT/eval_real.sh $VOICES $OUT/voices_model/real_noise 4 data/real_noise
MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" bash $OUT/eval_real.sh $VOICES $OUT/voices_model/real 4
for model in real2:$REAL2 voices:$VOICES; do
  for target in synthetic recorded; do
    MAX_STEPS=4 bash $OUT/eval_real.sh ${model#*:} $OUT/held_in/${model%%:*}/$target 4 \
      data/held_in/$target
  done
done
pair() { $BIN/python $OUT/paired.py "$1" "$2" --steps 4 --names "fifth restart" "sixth restart"; }
pair $OUT/real2_model/real_noise $OUT/voices_model/real_noise > $OUT/voices_model/real_noise.md
pair $OUT/real2_model/real $OUT/voices_model/real > $OUT/voices_model/white_pink.md
for target in synthetic recorded; do
  pair $OUT/held_in/real2/$target $OUT/held_in/voices/$target > $OUT/held_in/$target.md
done
#    The default model's own recipe with the convergent update (issue 15; not shipped): from
#    the shipped default's weights (the mask's output map afresh), the colours only, the
#    bounded mask with K ~ U{0..12} steps past T at the decaying fraction, 4000 scheduled
#    steps within 30 minutes; its step decay by the same rule, then the real recordings to
#    8T with the tolerance runs (paired against the default) and the held-out real noise to 4T.
bash $OUT/train.sh ${RUN}_mask 4000 train.init_from=$AFFINE "train.init_except=[step_net.lower]" \
  model.update=mask model.past_decay=0.5 train.extra_steps=12 $LOW_SNR train.lr=1e-3 \
  train.seed=6 data.noise_seconds=8.0 train.max_minutes=30
MASK=${RUN}_mask/refine_mask.pt
export_to ${RUN}_mask/checkpoint.pt $MASK
store_decay $MASK
MAX_STEPS=32 TOLERANCES="[1.0e-2,1.0e-3]" bash $OUT/eval_real.sh $MASK $OUT/mask_model/real 4
$BIN/python $OUT/paired.py $OUT/decay/default/real $OUT/mask_model/real --steps 4 \
  --names default "mask restart" > $OUT/mask_model/white_pink.md
MAX_STEPS=16 bash $OUT/eval_real.sh $MASK $OUT/mask_model/real_noise 4 data/real_noise
#    Where the last stage gained: the oracle's STFT given to the output one band at a time.
$BIN/python $OUT/bands.py data/real/music_pink --snr 0 --checkpoint ${RUN}_tuned2/checkpoint.pt \
  --checkpoint $AFFINE > $OUT/bands.md
#    Nearly clean real recordings (the same files at 20 and 30 dB): what the shipped models
#    do to audio with little noise in it. The main job's recipe before the wide-SNR switch
#    made 30 dB recordings 8-9 dB worse (../convergence/constant_step.sh).
[ -d data/real_clean_end ] || $BIN/python $OUT/real_recordings.py data/real_clean_end --snrs 20 30
bash $OUT/eval_real.sh $AFFINE $OUT/real_clean_end 4 data/real_clean_end
bash $OUT/eval_real.sh $SEVENTH $OUT/real_noise_model/real_clean_end 4 data/real_clean_end

# 6. Speed of the shipped model with its default steps: 10 s at 16 kHz, 2 threads.
$BIN/python benchmarks/denoise_speed.py --hour | tee $OUT/speed.txt
$BIN/python benchmarks/denoise_speed.py --checkpoint $NINTH --hour \
  | tee $OUT/decay/retrained/speed.txt
$BIN/python benchmarks/denoise_speed.py --checkpoint $TENTH --hour \
  | tee $OUT/decay/bidirectional/speed.txt
$BIN/python benchmarks/denoise_speed.py --checkpoint $SEVENTH --hour \
  | tee $OUT/decay/real_noise/speed.txt
$BIN/python benchmarks/denoise_speed.py --checkpoint $REAL2 --hour | tee $OUT/real2_model/speed.txt
