"""C kernels compiled on first use: the LRU's scan (`native_scan`) and the recipe's gated
mask (`gated_mask`), each a C file beside its Python caller.

A source is compiled with the system's C compiler ($CC, else cc or gcc) into
$REFINE_CACHE_DIR (default ~/.cache/refine), one library per source, headers, flags, compiler
and CPU, and loaded with ctypes. The flag sets of a `Kernels` are tried in turn (-march=native
first, or the -march that $REFINE_MARCH names, and for a kernel of exponentials and
logarithms glibc's vector math library, libmvec, before that); where none builds,
`library()` is None, a warning says so once, and the caller takes its torch path: slower,
the same results to rounding (tests hold every kernel to its twin).

Large work is split over torch.get_num_threads() threads (`Kernels.over_rows`): where torch
runs on GNU OpenMP, each flag set is tried with -fopenmp first, and the library's loop runs
on torch's own threads (`parallel_rows.h` says why that matters on 2 cores); else over
Python threads (ctypes releases the GIL).
"""

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import torch

FLAGS = ("-O3", "-shared", "-fPIC")
NATIVE = ("-march=native",)  # or $REFINE_MARCH's; dropped where the compiler does not know it
# Vectorised expf/logf: glibc's SIMD variants, declared by the source under REFINE_MVEC, need
# errno left alone (which -ffast-math would also give, with flush-to-zero set for the whole
# process by gcc < 13 when it links a shared library), and comparisons that may be evaluated
# unconditionally: without -fno-trapping-math a clamp's second comparison (or any branch in
# the loop) keeps gcc from vectorising it on a CPU without AVX-512's masks, and the kernel
# then calls the scalar expf/logf, 4x slower than the torch operators it replaces (seen on an
# AVX2 EPYC). Neither flag changes a result: the kernels never read errno or FP exceptions.
VECTOR_MATH = ("-fno-math-errno", "-fno-trapping-math", "-DREFINE_MVEC")
PLAIN = (FLAGS + NATIVE, FLAGS)
WITH_VECTOR_MATH = ((*FLAGS, *NATIVE, *VECTOR_MATH, "-lmvec"), *PLAIN)
OPENMP = ("-fopenmp",)  # tried first with each flag set where `torch_runs_gnu_openmp()`


@cache
def torch_runs_gnu_openmp() -> bool:
    """Whether torch's threads are GNU OpenMP's and its libgomp.so.1 is loaded in this
    process: a library built with -fopenmp then binds to that same runtime (the dynamic
    loader reuses a loaded soname), not a second one whose threads would compete with
    torch's for the cores."""
    if "ATen parallel backend: OpenMP" not in torch.__config__.parallel_info():
        return False
    try:
        return "/libgomp" in Path("/proc/self/maps").read_text()
    except OSError:  # no /proc: not Linux, where torch does not ship libgomp
        return False


def cache_dir() -> Path:
    """Where compiled kernels are kept: $REFINE_CACHE_DIR, else $XDG_CACHE_HOME/refine, else
    ~/.cache/refine."""
    if "REFINE_CACHE_DIR" in os.environ:
        return Path(os.environ["REFINE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "refine"


def _cpu() -> str:
    """This machine's CPU and its instruction sets, for the library's name: -march=native
    code may not run on another CPU, nor on the same model with features masked (a VM)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    keys = ("model name", "flags", "Features", "CPU part")
    return "\n".join(dict.fromkeys(line for line in lines if line.startswith(keys)))


def _compile(compiler: str, source: Path, flags: tuple[str, ...], target: Path) -> bool:
    """Compile source into target (atomically: a half-written library is never loaded).
    Libraries to link (-l...) go after the source, where the linker looks for them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    options = [flag for flag in flags if not flag.startswith("-l")]
    libraries = [flag for flag in flags if flag.startswith("-l")]
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        built = Path(scratch) / target.name
        command = [compiler, *options, str(source), "-o", str(built), *libraries]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return False
        os.replace(built, target)
    return True


def links_gnu_openmp(library: Path) -> bool:
    """Whether a library built with -fopenmp needs GNU OpenMP's libgomp.so.1, the runtime
    torch runs on, and not another one (clang's -fopenmp links LLVM's libomp, a second pool
    of threads beside torch's): its name among the library's dynamic strings."""
    return b"libgomp.so.1" in library.read_bytes()


class Kernels:
    """The compiled library of one C source.

    Args:
        source: the C file.
        signatures: {function name: ctypes argument types}; every function returns an int.
        purpose: what the kernels are for, and what runs without them, for the warning.
        flag_sets: compiler flag sets, tried in turn until one builds.
    """

    def __init__(self, source: Path, signatures: dict, purpose: str, flag_sets=PLAIN):
        self.source, self.signatures, self.purpose = source, signatures, purpose
        self.flag_sets = flag_sets

    def candidate_flags(self) -> list[tuple[str, ...]]:
        """The flag sets to try, in turn: each with OpenMP first where torch runs on GNU
        OpenMP, then as given; built for the CPU that $REFINE_MARCH names where it is set
        (`make test-other-cpu`: x86-64-v2, an SSE4.2 machine), else for this one."""
        march = f"-march={os.environ.get('REFINE_MARCH') or 'native'}"
        flag_sets = [tuple(march if f in NATIVE else f for f in flags) for flags in self.flag_sets]
        if not torch_runs_gnu_openmp():
            return flag_sets
        return [(*OPENMP, *flags) for flags in flag_sets] + flag_sets

    def build(self) -> Path | None:
        """The compiled library for this machine, building it if it is not cached; None when
        no compiler builds it."""
        compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            return None
        headers = sorted(self.source.parent.glob("*.h"))  # what the source may include
        source = b"\0".join(path.read_bytes() for path in [self.source, *headers])
        for flags in self.candidate_flags():
            key = hashlib.sha256(
                b"\0".join([source, " ".join(flags).encode(), compiler.encode(), _cpu().encode()])
            ).hexdigest()[:16]
            target = cache_dir() / f"{self.source.stem}-{key}.so"
            try:
                built = target.exists() or _compile(compiler, self.source, flags, target)
                if built and (OPENMP[0] not in flags or links_gnu_openmp(target)):
                    return target
            except OSError:  # an unwritable cache or a compiler that does not run
                return None
        return None

    @cache  # noqa: B019 - one per source, alive as long as the module that made it
    def library(self) -> ctypes.CDLL | None:
        """The loaded kernels, or None (with one warning) where they cannot be built."""
        path = self.build()
        if path is None:
            warnings.warn(
                f"refine: no C compiler could build {self.source.name} (set $CC or install "
                f"gcc): {self.purpose}",
                RuntimeWarning,
                stacklevel=2,
            )
            return None
        lib = ctypes.CDLL(str(path))
        for name, arguments in self.signatures.items():  # each takes its threads last
            function = getattr(lib, name)
            function.argtypes, function.restype = [*arguments, ctypes.c_int], ctypes.c_int
        lib.kernels_openmp.argtypes, lib.kernels_openmp.restype = [], ctypes.c_int
        return lib

    @cache  # noqa: B019 - as `library`
    def openmp(self) -> bool:
        """Whether the loaded library splits rows on OpenMP threads itself."""
        return bool(self.library().kernels_openmp())

    def reset(self) -> None:
        """Forget the loaded library (tests that build without a compiler)."""
        self.library.cache_clear()
        self.openmp.cache_clear()

    def available(self) -> bool:
        """Whether the kernels run compiled here (else callers take their torch path)."""
        return self.library() is not None

    def function(self, name: str):
        return getattr(self.library(), name)

    def over_rows(self, name: str, rows: int, split: bool, before: tuple, after: tuple) -> bool:
        """Kernel `name`(*before, first, last, *after, threads) over rows [0, rows), split
        across torch.get_num_threads() threads when `split` (the work is large enough to pay
        for them): the library's OpenMP threads where it has them, else Python threads.
        Returns whether every part succeeded (returned 0)."""
        kernel = self.function(name)
        threads = min(torch.get_num_threads(), rows) if split else 1
        if threads < 2 or (self.openmp() and not _forked):
            return kernel(*before, 0, rows, *after, threads) == 0
        bounds = [rows * i // threads for i in range(threads + 1)]
        parts = [
            _pool(threads).submit(kernel, *before, first, last, *after, 1)
            for first, last in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return not any([part.result() for part in parts])


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="refine-kernel")


_forked = False  # whether this process is a fork of one that may have run OpenMP threads


def _after_fork_in_child() -> None:
    """A forked child (a DataLoader worker) inherits the pools without their threads: it
    makes a Python pool of its own, and splits no rows over OpenMP, whose threads a fork
    leaves behind for good (torch's own operators hang in such a child unless it keeps to
    one thread, as DataLoader workers do)."""
    global _forked
    _forked = True
    _pool.cache_clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
