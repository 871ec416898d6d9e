# Sourced by capacity.sh, bidirectional.sh and run.sh (the tenth restart): the ninth
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
