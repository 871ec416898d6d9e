"""The compiled scan kernel against the sequential reference, and how it is built and found."""

import ctypes
import warnings
from pathlib import Path

import pytest
import torch

from refine.networks import native, native_scan
from refine.networks.lru import LRU
from refine.networks.native_scan import scan_native, scan_native_vjp
from refine.networks.scan import scan_sequential
from tests.networks.test_scan import LENGTHS, random_complex, random_log_lambda

needs_kernel = pytest.mark.skipif(
    not native_scan.available(), reason="no C compiler builds the scan kernel here"
)


@needs_kernel
@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("with_h_0", [False, True])
def test_native_equals_sequential(length, with_h_0):
    log_lambda = random_log_lambda(6)
    x = random_complex(2, 3, length, 6)  # two leading batch dims
    h_0 = random_complex(2, 3, 6) if with_h_0 else None
    expected = scan_sequential(log_lambda, x, h_0)
    torch.testing.assert_close(scan_native(log_lambda, x, h_0), expected, rtol=1e-10, atol=1e-10)


@needs_kernel
@pytest.mark.parametrize("length", [1, 17, 300])
@pytest.mark.parametrize("with_h_0", [False, True])
def test_native_vjp_equals_autograd_through_the_sequential_scan(length, with_h_0):
    log_lambda = random_log_lambda(4).requires_grad_()
    x = random_complex(2, length, 4).requires_grad_()
    h_0 = random_complex(2, 4).requires_grad_() if with_h_0 else None
    grad_h = random_complex(2, length, 4)
    h = scan_sequential(log_lambda, x, h_0)
    inputs = [log_lambda, x] + ([h_0] if with_h_0 else [])
    expected = torch.autograd.grad(h, inputs, grad_outputs=grad_h)
    got = scan_native_vjp(log_lambda, h.detach(), grad_h, h_0)
    for g, e in zip(got, expected, strict=False):
        torch.testing.assert_close(g, e, rtol=1e-9, atol=1e-9)
    if not with_h_0:
        assert got[2] is None


@needs_kernel
def test_float32_matches_the_float64_reference_over_long_sequences():
    log_lambda = random_log_lambda(8, r_min=0.99, r_max=0.99999).to(torch.complex64)
    x = random_complex(2, 20000, 8).to(torch.complex64)
    grad_h = random_complex(2, 20000, 8).to(torch.complex64)
    expected = scan_sequential(log_lambda.to(torch.complex128), x.to(torch.complex128))
    h = scan_native(log_lambda, x)
    assert (h.to(torch.complex128) - expected).norm() / expected.norm() < 1e-6
    _, grad_x, _ = scan_native_vjp(log_lambda, h, grad_h)
    expected_grad = scan_sequential(
        log_lambda.conj().to(torch.complex128), grad_h.to(torch.complex128).flip(-2)
    ).flip(-2)
    assert (grad_x.to(torch.complex128) - expected_grad).norm() / expected_grad.norm() < 1e-6


@needs_kernel
def test_a_batch_split_across_threads_equals_one_thread(monkeypatch):
    log_lambda = random_log_lambda(4)
    x, grad_h, h_0 = random_complex(5, 40, 4), random_complex(5, 40, 4), random_complex(5, 4)
    whole = scan_native(log_lambda, x, h_0), scan_native_vjp(log_lambda, x, grad_h, h_0)
    monkeypatch.setattr(native_scan, "PARALLEL_WORK", 0)  # split even this small batch
    threads = torch.get_num_threads()
    torch.set_num_threads(3)  # 5 rows over 3 threads: uneven parts
    try:
        split = scan_native(log_lambda, x, h_0), scan_native_vjp(log_lambda, x, grad_h, h_0)
    finally:
        torch.set_num_threads(threads)
    torch.testing.assert_close(split[0], whole[0], rtol=0, atol=0)
    for got, expected in zip(split[1], whole[1], strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


@needs_kernel
def test_overwrite_and_strided_inputs():
    log_lambda = random_log_lambda(4)
    x = random_complex(2, 32, 4)
    kept = x.clone()
    expected = scan_sequential(log_lambda, x)
    torch.testing.assert_close(scan_native(log_lambda, x), expected)
    torch.testing.assert_close(x, kept, rtol=0, atol=0)  # left alone
    h = scan_native(log_lambda, x, overwrite=True)
    torch.testing.assert_close(h, expected)
    assert h.data_ptr() == x.data_ptr()  # computed in x's own memory
    strided = random_complex(2, 4, 40).mT  # (2, 40, 4), time not contiguous
    expected = scan_sequential(log_lambda, strided.contiguous())
    torch.testing.assert_close(scan_native(log_lambda, strided, overwrite=True), expected)


@needs_kernel
def test_bad_inputs_get_clear_errors():
    log_lambda = random_log_lambda(4)
    with pytest.raises(TypeError, match="complex64 or complex128"):
        scan_native(log_lambda, torch.randn(2, 10, 4))
    with pytest.raises(ValueError, match="N = 4"):
        scan_native(log_lambda, random_complex(2, 10, 3))
    with pytest.raises(ValueError, match="L >= 1"):
        scan_native(log_lambda, random_complex(2, 0, 4))
    with pytest.raises(ValueError, match="h_0 must be"):
        scan_native(log_lambda, random_complex(2, 10, 4), random_complex(3, 4))
    too_many = native_scan.MAX_STATES + 1
    with pytest.raises(ValueError, match="at most"):
        scan_native(random_log_lambda(too_many), random_complex(1, 2, too_many))


@needs_kernel
def test_the_library_is_built_once_per_cache_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("REFINE_CACHE_DIR", str(tmp_path))
    first = native_scan.KERNELS.build()
    assert first is not None and first.parent == tmp_path
    built = first.stat().st_mtime_ns
    assert native_scan.KERNELS.build() == first and first.stat().st_mtime_ns == built
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no scratch left behind


def test_without_a_compiler_the_lru_warns_once_and_takes_the_chunked_scan(monkeypatch):
    monkeypatch.setattr(native_scan.KERNELS, "build", lambda: None)
    native_scan.KERNELS.reset()
    try:
        lru = LRU(5, 4).double()
        u = torch.randn(2, 20, 5, dtype=torch.float64)
        with pytest.warns(RuntimeWarning, match="no C compiler"):
            y, _ = lru(u)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # once: the second call is silent
            lru(u)
        reference = LRU(5, 4, scan="sequential").double()
        reference.load_state_dict(lru.state_dict())
        torch.testing.assert_close(y, reference(u)[0], rtol=1e-10, atol=1e-10)
    finally:
        native_scan.KERNELS.reset()


def _scan_in_two_threads(log_lambda, x):
    torch.set_num_threads(2)
    return scan_native(log_lambda, x)


@needs_kernel
def test_a_forked_child_splits_its_batch_over_threads_of_its_own(monkeypatch):
    """A DataLoader worker is a fork: the parent's pool threads (Python's and OpenMP's) do
    not exist in it, so it splits rows over Python threads of its own."""
    monkeypatch.setattr(native_scan, "PARALLEL_WORK", 0)
    log_lambda = random_log_lambda(4)
    x = random_complex(4, 30, 4)
    expected = scan_native(log_lambda, x)  # the parent's pool now exists
    context = torch.multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        got = pool.apply_async(_scan_in_two_threads, (log_lambda, x)).get(timeout=60)
    # The child's copy of x lies at another address: a vectorised loop may peel other
    # elements, so allow float64 rounding rather than demand the same bits.
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


def test_with_torch_on_gnu_openmp_each_flag_set_is_tried_with_openmp_first(monkeypatch):
    kernels = native.Kernels(Path("scan_kernel.c"), {}, "", flag_sets=(("-O3",), ("-O1",)))
    monkeypatch.setattr(native, "torch_runs_gnu_openmp", lambda: True)
    assert kernels.candidate_flags() == [
        ("-fopenmp", "-O3"),
        ("-fopenmp", "-O1"),
        ("-O3",),
        ("-O1",),
    ]
    monkeypatch.setattr(native, "torch_runs_gnu_openmp", lambda: False)
    assert kernels.candidate_flags() == [("-O3",), ("-O1",)]


def test_refine_march_names_the_cpu_the_kernels_are_built_for(monkeypatch):
    kernels = native.Kernels(Path("scan_kernel.c"), {}, "", flag_sets=native.PLAIN)
    monkeypatch.setattr(native, "torch_runs_gnu_openmp", lambda: False)
    monkeypatch.delenv("REFINE_MARCH", raising=False)
    assert kernels.candidate_flags()[0] == (*native.FLAGS, "-march=native")
    monkeypatch.setenv("REFINE_MARCH", "x86-64-v2")
    assert kernels.candidate_flags() == [(*native.FLAGS, "-march=x86-64-v2"), native.FLAGS]


@needs_kernel
def test_a_kernel_built_for_another_cpu_gives_the_same_scan(tmp_path, monkeypatch):
    """The portable build (or, where the compiler has no such -march, the plain one)
    computes what the native build does, to float64 rounding."""
    log_lambda, x = random_log_lambda(6), random_complex(3, 200, 6)
    expected = scan_native(log_lambda, x)
    monkeypatch.setenv("REFINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("REFINE_MARCH", "x86-64-v2")
    native_scan.KERNELS.reset()
    try:
        torch.testing.assert_close(scan_native(log_lambda, x), expected, rtol=1e-12, atol=1e-12)
        assert len(list(tmp_path.glob("scan_kernel-*.so"))) == 1  # its own library
    finally:
        native_scan.KERNELS.reset()


@needs_kernel
def test_a_kernel_built_with_openmp_runs_on_torchs_own_runtime():
    """One libgomp in the process: the kernels' parallel loops run on torch's threads, not
    on a second pool competing with them for the cores (`parallel_rows.h`)."""
    if not native_scan.KERNELS.openmp():
        pytest.skip("the scan kernel was built without OpenMP here")
    maps = Path("/proc/self/maps").read_text().splitlines()
    assert len({line.split()[-1] for line in maps if "/libgomp" in line}) == 1


def test_a_library_linked_to_another_openmp_runtime_is_told_apart(tmp_path):
    """clang's -fopenmp links LLVM's libomp: a second pool of threads beside torch's."""
    gnu, llvm = tmp_path / "gnu.so", tmp_path / "llvm.so"
    gnu.write_bytes(b"\x7fELF\0libgomp.so.1\0libc.so.6\0")
    llvm.write_bytes(b"\x7fELF\0libomp.so.5\0libc.so.6\0")
    assert native.links_gnu_openmp(gnu) and not native.links_gnu_openmp(llvm)


@needs_kernel
def test_without_gnu_openmp_the_kernels_build_without_openmp(tmp_path, monkeypatch):
    monkeypatch.setenv("REFINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "torch_runs_gnu_openmp", lambda: True)
    monkeypatch.setattr(native, "links_gnu_openmp", lambda library: False)
    library = ctypes.CDLL(str(native_scan.KERNELS.build()))
    assert library.kernels_openmp() == 0  # the next flag set, the rows split by the caller
