# The fifth restart's settings (run.sh stage 3) for the short runs continued from its
# checkpoint: noise_pilots.sh's pilots and music_slide.sh's control. Sourced; sets
#   FIFTH_SETTINGS  every setting but the noise kinds (space-separated overrides)
#   NINE_KINDS      its nine noise kinds, music under speech (synthetic or recorded) only
#   FIFTH           both: the fifth restart's recipe
# shellcheck shell=bash disable=SC2034  # the variables are the sourcing script's
FIFTH_SETTINGS="+experiment=affine_reference data=clean_folders data.clean_dir=data/corpus \
domain=stft_magnitude model.steps=4 model.bin_gate=true model.update=mask \
model.past_decay=0.5 train.extra_steps=12 data.snr_range=[-5.0,20.0] train.lr=5e-4 \
train.seed=7 data.noise_seconds=8.0 data.noise_dir=data/noise train.val_every=2000 \
train.init_from=runs/pretrained_real2/checkpoint.pt"
NINE_KINDS="data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,music,ambience] \
data.noise_only_under={music:[speech,voices]}"
FIFTH="$FIFTH_SETTINGS $NINE_KINDS"
