# The README's two commands: `make train` (the main job) and `make test`. Both set up .venv
# first: the CPU torch wheel before anything else, so no dependency can pull a CUDA build.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: setup field-models system-packages noise-packages train demo test test-other-cpu lint bench

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,metrics,sweep,baselines,data,field]'
	$(MAKE) field-models
	touch $@

# The field's own denoisers (refine.networks.field: Demucs, aTENNuate), their packages without
# their dependencies: denoiser pins hydra < 1.0, and attenuate's torchaudio, librosa and
# huggingface_hub serve only its file I/O (the `field` extra brings what its model needs).
FIELD_PACKAGES := denoiser==0.1.5 attenuate==0.1.1
field-models:
	$(BIN)/pip install --quiet --no-deps $(FIELD_PACKAGES)

setup: $(READY)

# Debian programs that render the shipped model's corpus (refine.cli.prepare) and that its
# tests drive: fluidsynth with a General MIDI soundfont, espeak-ng and flite; and gcc, which
# builds the LRU's scan kernel on first use (refine.networks.native_scan).
SYSTEM_PACKAGES := fluidsynth fluid-soundfont-gm espeak-ng flite gcc
system-packages:
	@if command -v fluidsynth >/dev/null && command -v espeak-ng >/dev/null && command -v flite >/dev/null && command -v gcc >/dev/null && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ]; then \
		echo "system packages present"; \
	else \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

# Debian packages of real recordings for training: the noise corpus (refine.cli.noise_corpus:
# voices for babble and shouts, a keyboard, crowds, engines, traffic, machinery, ambience) and the clean
# corpus's recorded speech and music (refine.cli.prepare --voices and --soundtracks:
# refine.data.voices.PACKAGES, refine.data.soundtracks.PACKAGES).
# Not needed by the tests. The held-out test's packages are in experiments/pretrained/run.sh.
NOISE_PACKAGES := bucklespring-data fillets-ng-data-cs asterisk-core-sounds-fr-wav \
	asterisk-core-sounds-it-wav ufoai-sound etw-data lincity-ng-data searchandrescue-data minetest-data \
	asterisk-prompt-it-menardi-wav klettres-data warzone2100-data widelands-data \
	megaglest-data tuxpaint-stamps-default openttd-opensfx fillets-ng-data hedgewars-data
noise-packages:
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(NOISE_PACKAGES)

# The main job: train the default refiner (resumes or skips what runs/main already holds),
# evaluate it per step, and draw figures/per_step_snr.png.
train: setup
	$(BIN)/refine-train hydra.run.dir=runs/main
	$(BIN)/refine-eval checkpoint=runs/main/checkpoint.pt hydra.run.dir=runs/main/eval
	$(BIN)/refine-plot runs/main/eval -o figures

demo: setup
	$(BIN)/python -m refine.cli.demo

test: setup
	$(BIN)/pytest

# The suite again as another CPU would run it: torch's generic kernels instead of this CPU's
# AVX2/AVX-512 ones, oneDNN at SSE4.1, MKL's most compatible code path, and the C kernels
# built for x86-64-v2 (in a cache of their own), so that a tolerance tuned to this machine's
# rounding fails here and not on a newcomer's laptop. Where these name no such CPU (ARM),
# they are ignored and it is the suite once more.
test-other-cpu: setup
	ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_CBWR=COMPATIBLE \
	REFINE_MARCH=x86-64-v2 REFINE_CACHE_DIR=$(CURDIR)/.cache/other-cpu $(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python benchmarks/lru_speed.py
	$(BIN)/python benchmarks/mask_speed.py
	$(BIN)/python benchmarks/kernel_threads.py
	$(BIN)/python benchmarks/unroll_memory.py
