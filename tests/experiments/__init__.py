"""Tests of the scripts under experiments/, which are files to run, not an importable package."""

import importlib.util
from pathlib import Path

EXPERIMENTS = Path(__file__).parents[2] / "experiments"


def load_script(relative: str):
    """The module of experiments/`relative` (e.g. "anytime/walls.py"), loaded from its file."""
    path = EXPERIMENTS / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
