"""What an installed (not editable) copy of the package needs is in pyproject's package-data:
a kernel whose header is left out does not compile there, and the LRU silently falls back to
the slower torch scan."""

import fnmatch
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "refine"


def shipped_patterns() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return pyproject["tool"]["setuptools"]["package-data"]["refine"]


def is_shipped(path: Path) -> bool:
    relative = path.relative_to(PACKAGE).as_posix()
    return any(fnmatch.fnmatch(relative, pattern) for pattern in shipped_patterns())


def test_every_kernel_and_every_file_it_includes_is_shipped():
    kernels = sorted(PACKAGE.rglob("*.c"))
    assert kernels, "no C kernels found under refine/"
    for kernel in kernels:
        assert is_shipped(kernel), f"{kernel.name} is not in pyproject's package-data"
        for name in re.findall(r'^#include "([^"]+)"', kernel.read_text(), flags=re.M):
            header = kernel.parent / name
            assert header.is_file(), f"{kernel.name} includes {name}, which does not exist"
            assert is_shipped(header), f"{kernel.name} includes {name}, not in package-data"


def test_the_shipped_models_are_shipped():
    models = sorted((PACKAGE / "pretrained").glob("*.pt"))
    assert models and all(is_shipped(model) for model in models)
