# The README's two commands: `make train` (the main job) and `make test`. Both set up .venv
# first: the CPU torch wheel before anything else, so no dependency can pull a CUDA build.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: setup train demo test lint bench

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,metrics,sweep,baselines]'
	touch $@

setup: $(READY)

# The main job: train the default refiner (resumes or skips what runs/main already holds),
# evaluate it per step, and draw figures/per_step_snr.png.
train: setup
	$(BIN)/refine-train hydra.run.dir=runs/main
	$(BIN)/refine-eval checkpoint=runs/main/checkpoint.pt hydra.run.dir=runs/main/eval
	$(BIN)/refine-plot runs/main/eval -o figures

demo: setup
	$(BIN)/python -m refine.demo

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python benchmarks/lru_speed.py
	$(BIN)/python benchmarks/unroll_memory.py
