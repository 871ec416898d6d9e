# Sourced by capacity.sh, bidirectional.sh, run.sh (the tenth restart), and eleventh.sh and
# the runs continued from it (eleventh_more.sh, perturb.sh, control_seed.sh): the ninth
# restart's data and loss (run.sh stage 3: eight noise kinds without music, -5 to 30 dB,
# capped, 2 s clips 4 a batch, the mask update with steps past T) at a gentler peak than its
# 5e-4 for a restart from its plateau, another draw order. Every arm trained on it from the
# ninth restart's weights sees the same batches.
PLATEAU_RECIPE=(model.update=mask model.past_decay=0.5 train.extra_steps=12
                "data.snr_range=[-5.0,30.0]" train.normalise_by=capped train.lr=3e-4 train.seed=12
                data.noise_seconds=8.0 data.noise_dir=data/noise
                "data.noise_kinds=[white,pink,brown,mix,babble,typing,hum,ambience]"
                "data.clean_subfolders=[music,speech,synth]" data.segment_seconds=2.0
                train.batch_size=4)
# The eleventh restart's kinds (eleventh.sh, and every run continued from it): each recorded
# kind of the noise corpus once and the four colours twice, so colours are drawn 8/15 of the
# time, near the tenth's 4/8.
ELEVENTH_KINDS="[white,pink,brown,mix,white,pink,brown,mix,babble,typing,hum,ambience,events,impacts,everyday]"
# Voices over music more often (babble_music.sh): over the music and synth files the
# eleventh's kinds with babble four times more. BABBLE_MUSIC_RECIPE is its arm's recipe, the
# one every run continued from its soup (the real_noise model since 2026-12-03) trains on.
MUSIC_KINDS="${ELEVENTH_KINDS%]},babble,babble,babble,babble]"
MORE_BABBLE=("data.noise_kinds_under={music:$MUSIC_KINDS,synth:$MUSIC_KINDS}")
BABBLE_MUSIC_RECIPE=(model.bidirectional=true "${PLATEAU_RECIPE[@]}"
                     "data.noise_kinds=$ELEVENTH_KINDS" "${MORE_BABBLE[@]}")
# Recorded vehicles among the kinds over speech and over music (vehicles.sh's arms, whose soup
# is the real_noise model since 2026-12-04, and the runs continued from that recipe).
VEHICLES_KINDS=("data.noise_kinds=${ELEVENTH_KINDS%]},vehicles]"
                "data.noise_kinds_under={music:${MUSIC_KINDS%]},vehicles],synth:${MUSIC_KINDS%]},vehicles]}")
# A second recorded noise 0-10 dB under half the clips of recorded noise, never a colour in a
# pair (layers.sh recorded, whose soup is the real_noise model since 2026-12-04 (eleventh
# session), and levels.sh, continued from that recipe).
RECORDED_KINDS=babble,typing,hum,ambience,events,impacts,everyday,vehicles  # VEHICLES_KINDS' others
RECORDED_LAYERS=(data.noise_layer_share=0.5 "data.noise_layer_db=[-10.0,0.0]"
                 "data.noise_layer_over=[$RECORDED_KINDS]" "data.noise_layer_kinds=[$RECORDED_KINDS]")
