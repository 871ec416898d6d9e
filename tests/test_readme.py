"""The README's Python examples run as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
NEEDS_FILES = re.findall(r"```py\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what an example writes lands here, not in the checkout
    namespace: dict = {}
    for block in BLOCKS[: index + 1]:  # later blocks build on earlier ones
        exec(compile(block, f"README.md block {index}", "exec"), namespace)


@pytest.mark.parametrize("index", range(len(NEEDS_FILES)))
def test_readme_examples_that_need_a_checkpoint_compile(index):
    compile(NEEDS_FILES[index], f"README.md py block {index}", "exec")
