"""Speed of the LRU's fast paths against their sequential twin, and their agreement.

    python benchmarks/lru_speed.py                      # B=8, L=16000, H=64, N=64
    python benchmarks/lru_speed.py --no-tune-allocator  # glibc's default allocator

Three scans are timed: the compiled kernel (`native`, the default), the chunked scan in
torch operators (`chunked`, where no compiler builds the kernel) and the Python loop
differentiated by autograd (`sequential`, the reference). Two levels: the scan alone (with
the fast paths' hand-written backwards) and the whole LRU layer, whose two dense projections
are the same BLAS calls in all three and so bound the layer's ratio. Each fast layer is also
held against its matmul floor: the six dense matmuls any LRU must do on these shapes (the
input map (B·L, H) → (B·L, 2N) and the output map back, each forward, activation gradient
and weight gradient) as single float32 mm calls on contiguous operands; the printed ratio
is the layer's forward+backward time over theirs, at the given shape and at each level of
the default training step's U-Net, where the matrices are small and the layer's own
operators, not the matmuls, take most of the time. There the floor is also timed with cold
caches (each matmul right after 64 MB have been written), the way a layer meets its matmuls:
their operands were written by the operators before them and come back from memory.
Times are the minimum over repeats after a warm-up, in float32. Accuracy is measured
against the sequential loop in float64, so the float32 rounding of both paths shows.
"""

import argparse
import copy
import time

import torch

from refine.networks import native_scan
from refine.networks.lru import LRU, _complex_view
from refine.networks.scan import scan_chunked, scan_chunked_vjp, scan_sequential
from refine.runtime import tune_allocator
from refine.timing import best_time

TRAINING_LEVELS = ((64, 64), (32, 128), (16, 256))  # (L, H) of the default step's U-Net levels


def relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    return ((got - expected).norm() / expected.norm()).item()


SCAN_FUNCTIONS = {
    "native": (native_scan.scan_native, native_scan.scan_native_vjp),
    "chunked": (scan_chunked, scan_chunked_vjp),
}


def time_scans(lru: LRU, u: torch.Tensor, scans, repeats: int) -> dict[str, dict[str, float]]:
    """Scan-only seconds of each of `scans` on the layer's own eigenvalues and projected
    input: {"scan forward": {scan: s}, "scan forward+backward": {...}}."""
    with torch.no_grad():
        log_lambda = lru.log_lambda()
        x = _complex_view(u @ lru._input_map().T)  # (B, L, N), as the layer computes it
    grad_h = torch.randn_like(x)

    def fast_backward(scan, vjp):
        return lambda: vjp(log_lambda, scan(log_lambda, x), grad_h)

    def sequential_backward():
        leaf_x = x.clone().requires_grad_()
        leaf_lambda = log_lambda.clone().requires_grad_()
        scan_sequential(leaf_lambda, leaf_x).backward(grad_h)

    forward, backward = {}, {}
    for name in scans:
        if name == "sequential":
            with torch.no_grad():
                forward[name] = best_time(
                    lambda: scan_sequential(log_lambda, x), max(1, repeats // 3)
                )
            backward[name] = best_time(sequential_backward, max(1, repeats // 3))
        else:
            scan, vjp = SCAN_FUNCTIONS[name]
            with torch.no_grad():
                forward[name] = best_time(lambda scan=scan: scan(log_lambda, x), repeats)
            backward[name] = best_time(fast_backward(scan, vjp), repeats)
    return {"scan forward": forward, "scan forward+backward": backward}


def time_layers(layers: dict[str, LRU], u: torch.Tensor, repeats: int) -> dict:
    """Layer seconds, forward and forward+backward, of each {scan: LRU}."""
    grad_y = torch.randn_like(u)
    forward, backward = {}, {}
    for name, lru in layers.items():
        times = max(1, repeats // 3) if name == "sequential" else repeats
        with torch.no_grad():
            forward[name] = best_time(lambda lru=lru: lru(u), times)
        backward[name] = best_time(lambda lru=lru: lru(u)[0].backward(grad_y), times)
    return {"layer forward": forward, "layer forward+backward": backward}


def six_matmuls(lru: LRU, u: torch.Tensor) -> list:
    """The six dense matmuls of the layer's forward and backward on u's shapes, each a
    closure over contiguous operands."""
    rows = u.shape[0] * u.shape[1]
    w_in, w_out = (
        torch.randn(2 * lru.d_state, lru.d_model),
        torch.randn(lru.d_model, 2 * lru.d_state),
    )
    inputs, states = torch.randn(rows, lru.d_model), torch.randn(rows, 2 * lru.d_state)
    grad_y, grad_x = torch.randn(rows, lru.d_model), torch.randn(rows, 2 * lru.d_state)
    return [
        lambda: inputs @ w_in.T,  # input map
        lambda: states @ w_out.T,  # output map
        lambda: grad_y @ w_out,  # the states' gradient
        lambda: grad_y.T @ states,  # the output map's gradient
        lambda: grad_x @ w_in,  # the input's gradient
        lambda: grad_x.T @ inputs,  # the input map's gradient
    ]


def matmul_floor(lru: LRU, u: torch.Tensor, repeats: int) -> float:
    """Seconds of the six dense matmuls of the layer's forward and backward on u's shapes,
    back to back in a loop: their operands hot in cache."""
    matmuls = six_matmuls(lru, u)

    def six():
        for matmul in matmuls:
            matmul()

    return best_time(six, repeats)


def cold_matmul_floor(lru: LRU, u: torch.Tensor, repeats: int) -> float:
    """The same six matmuls, each timed alone right after 64 MB have been written (more than
    this machine's caches): their operands come from memory, as in a layer whose operators
    before each matmul have written other data. The sum of each one's best time."""
    flush = torch.empty(1 << 24)  # 64 MB

    def cold(matmul) -> float:
        times = []
        for _ in range(repeats + 1):
            flush.fill_(1.0)
            started = time.perf_counter()
            matmul()
            times.append(time.perf_counter() - started)
        return min(times[1:])

    return sum(cold(matmul) for matmul in six_matmuls(lru, u))


def training_shapes(scans, repeats: int) -> list[tuple]:
    """Each fast layer's forward+backward, the matmul floor and the first scan's own forward
    and backward at each LRU of the default training step (batch 16, 0.5 s clips: 63 STFT
    frames padded to 64; LRU_UNet d_model 64, d_state 64, two stages of factor 2): (shape,
    {scan: layer seconds}, floor seconds, scan seconds, the floor with cold caches) per
    level, each level once (the encoder's and decoder's LRUs of a level have one shape).
    Floor plus scan is what a layer with that scan would take if nothing else in it cost
    anything."""
    rows = []
    for length, width in TRAINING_LEVELS:
        lru = LRU(width, 64, r_min=0.5, r_max=0.99)
        u = torch.randn(16, length, width, requires_grad=True)
        grad_y = torch.randn(16, length, width)
        layers = {}
        for name in scans:
            lru.scan = name
            layers[name] = best_time(lambda lru=lru, u=u, g=grad_y: lru(u)[0].backward(g), repeats)
        floor = matmul_floor(lru, u.detach(), repeats)
        scan = time_scans(lru, u.detach(), scans[:1], repeats)["scan forward+backward"][scans[0]]
        cold = cold_matmul_floor(lru, u.detach(), repeats)
        rows.append((f"B=16 L={length} H={width}", layers, floor, scan, cold))
    return rows


def outputs_and_gradients(lru: LRU, u: torch.Tensor, grad_y: torch.Tensor) -> dict:
    lru.zero_grad()
    leaf = u.to(lru.D.dtype, copy=True).requires_grad_()
    y, h_n = lru(leaf)
    y.backward(grad_y.to(lru.D.dtype))
    return {
        "output y": y.detach(),
        "final state h_n": h_n.detach(),
        "gradient of u": leaf.grad,
        **{f"gradient of {name}": p.grad for name, p in lru.named_parameters()},
    }


def accuracy(layers: dict[str, LRU], u: torch.Tensor) -> dict[str, tuple[float, ...]]:
    """Relative errors of each float32 path against the float64 sequential reference."""
    grad_y = torch.randn_like(u)
    reference = outputs_and_gradients(copy.deepcopy(layers["sequential"]).double(), u, grad_y)
    errors = {}
    for lru in layers.values():
        for name, value in outputs_and_gradients(lru, u, grad_y).items():
            expected = reference[name]
            errors.setdefault(name, []).append(relative_error(value.to(expected.dtype), expected))
    return {name: tuple(pair) for name, pair in errors.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=16000)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--d-state", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--no-tune-allocator", action="store_true")
    args = parser.parse_args()

    tuned = False if args.no_tune_allocator else tune_allocator()
    scans = (
        ("native", "chunked", "sequential")
        if native_scan.available()
        else ("chunked", "sequential")
    )
    fast = tuple(name for name in scans if name != "sequential")
    torch.manual_seed(0)
    layers = {"native": LRU(args.d_model, args.d_state)}
    for name in ("chunked", "sequential"):
        layers[name] = copy.deepcopy(layers["native"])
        layers[name].scan = name
    layers = {name: layers[name] for name in scans}
    u = torch.randn(args.batch, args.length, args.d_model)

    print(
        f"LRU B={args.batch} L={args.length} H={args.d_model} N={args.d_state}, float32, "
        f"{torch.get_num_threads()} threads, allocator tuned: {'yes' if tuned else 'no'}"
    )
    timings = time_scans(layers["chunked"], u, scans, args.repeats)
    timings |= time_layers(layers, u, args.repeats)
    print(f"{'ms':26s}" + "".join(f"{name:>12s}" for name in scans) + "   sequential / each")
    for what, times in timings.items():
        ratios = " ".join(f"{times['sequential'] / times[name]:6.1f}x" for name in fast)
        print(
            f"{what:26s}" + "".join(f"{times[name] * 1e3:12.1f}" for name in scans) + f"   {ratios}"
        )
    floor = matmul_floor(layers["chunked"], u, args.repeats)
    print(f"matmul floor (six dense matmuls) {floor * 1e3:.1f} ms; the layer's forward+backward:")
    for name in fast:
        print(f"  {name:24s}{timings['layer forward+backward'][name] / floor:.2f}x the floor")
    print(
        "at the default training step's shapes (each level's LRU, forward+backward; cold: "
        "the floor's matmuls each after a cache flush; "
        f"+scan: the floor plus the {fast[0]} scan's own forward and backward):"
    )
    totals, floors, scans_alone, colds = dict.fromkeys(fast, 0.0), 0.0, 0.0, 0.0
    for shape, times, floor, scan, cold in training_shapes(fast, 10 * args.repeats):
        floors, scans_alone, colds = floors + floor, scans_alone + scan, colds + cold
        parts = [f"cold {cold / floor:.2f}x", f"+scan {(floor + scan) / floor:.2f}x"]
        for name in fast:
            totals[name] += times[name]
            parts.append(f"{name} {times[name] * 1e3:5.2f} ms = {times[name] / floor:.2f}x")
        print(f"  {shape:20s} floor {floor * 1e3:5.2f} ms; " + ", ".join(parts))
    parts = [f"cold {colds / floors:.2f}x", f"+scan {(floors + scans_alone) / floors:.2f}x"]
    for name in fast:
        parts.append(f"{name} {totals[name] * 1e3:5.2f} ms = {totals[name] / floors:.2f}x")
    print(f"  {'all levels':20s} floor {floors * 1e3:5.2f} ms; " + ", ".join(parts))
    print("relative error of float32 against the float64 sequential reference:")
    print(f"{'':26s}" + "".join(f"{name:>12s}" for name in scans))
    for what, errors in accuracy(layers, u).items():
        print(f"{what:26s}" + "".join(f"{error:12.1e}" for error in errors))


if __name__ == "__main__":
    main()
