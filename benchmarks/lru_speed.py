"""Speed of the LRU's chunked fast path against its sequential twin, and their agreement.

    python benchmarks/lru_speed.py                      # B=8, L=16000, H=64, N=64
    python benchmarks/lru_speed.py --no-tune-allocator  # glibc's default allocator

Two levels are timed: the scan alone (the part the fast path replaces: chunked scan and its
hand-written backward, against a Python loop differentiated by autograd) and the whole LRU
layer, whose two dense projections are the same BLAS calls in both and so bound the layer's
ratio. The layer is also held against its matmul floor: the six dense matmuls any LRU must
do on these shapes (the input map (B·L, H) → (B·L, 2N) and the output map back, each
forward, activation gradient and weight gradient) as single float32 mm calls on contiguous
operands; the printed ratio is the layer's forward+backward time over theirs, at the given
shape and at each level of the default training step's U-Net, where the matrices are small
and the layer's own operators, not the matmuls, take most of the time.
Times are the minimum over repeats after a warm-up, in float32. Accuracy is measured
against the sequential loop in float64, so the float32 rounding of both paths shows.
"""

import argparse
import copy

import torch

from refine.networks.lru import LRU, _complex_view
from refine.networks.scan import scan_chunked, scan_chunked_vjp, scan_sequential
from refine.runtime import tune_allocator
from refine.timing import best_time

TRAINING_LEVELS = ((64, 64), (32, 128), (16, 256))  # (L, H) of the default step's U-Net levels


def relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    return ((got - expected).norm() / expected.norm()).item()


def time_scans(lru: LRU, u: torch.Tensor, repeats: int) -> dict[str, tuple[float, float]]:
    """Scan-only timings on the layer's own eigenvalues and projected input."""
    with torch.no_grad():
        log_lambda = lru.log_lambda()
        x = _complex_view(u @ lru._input_map().T)  # (B, L, N), as the layer computes it
    grad_h = torch.randn_like(x)

    def fast_backward():
        h = scan_chunked(log_lambda, x)
        scan_chunked_vjp(log_lambda, h, grad_h)

    def sequential_backward():
        leaf_x = x.clone().requires_grad_()
        leaf_lambda = log_lambda.clone().requires_grad_()
        scan_sequential(leaf_lambda, leaf_x).backward(grad_h)

    with torch.no_grad():
        forward = (
            best_time(lambda: scan_chunked(log_lambda, x), repeats),
            best_time(lambda: scan_sequential(log_lambda, x), max(1, repeats // 3)),
        )
    backward = (
        best_time(fast_backward, repeats),
        best_time(sequential_backward, max(1, repeats // 3)),
    )
    return {"scan forward": forward, "scan forward+backward": backward}


def time_layers(
    fast: LRU, sequential: LRU, u: torch.Tensor, repeats: int
) -> dict[str, tuple[float, float]]:
    grad_y = torch.randn_like(u)

    def forward_backward(lru):
        return lambda: lru(u)[0].backward(grad_y)

    with torch.no_grad():
        forward = (
            best_time(lambda: fast(u), repeats),
            best_time(lambda: sequential(u), max(1, repeats // 3)),
        )
    backward = (
        best_time(forward_backward(fast), repeats),
        best_time(forward_backward(sequential), max(1, repeats // 3)),
    )
    return {"layer forward": forward, "layer forward+backward": backward}


def matmul_floor(lru: LRU, u: torch.Tensor, repeats: int) -> float:
    """Seconds of the six dense matmuls of the layer's forward and backward on u's shapes."""
    rows = u.shape[0] * u.shape[1]
    w_in, w_out = (
        torch.randn(2 * lru.d_state, lru.d_model),
        torch.randn(lru.d_model, 2 * lru.d_state),
    )
    inputs, states = torch.randn(rows, lru.d_model), torch.randn(rows, 2 * lru.d_state)
    grad_y, grad_x = torch.randn(rows, lru.d_model), torch.randn(rows, 2 * lru.d_state)

    def six():
        inputs @ w_in.T  # input map
        states @ w_out.T  # output map
        grad_y @ w_out  # the states' gradient
        grad_y.T @ states  # the output map's gradient
        grad_x @ w_in  # the input's gradient
        grad_x.T @ inputs  # the input map's gradient

    return best_time(six, repeats)


def training_shapes(repeats: int) -> list[tuple[str, float, float]]:
    """The layer's forward+backward and its matmul floor at each LRU of the default training
    step (batch 16, 0.5 s clips: 63 STFT frames padded to 64; LRU_UNet d_model 64, d_state
    64, two stages of factor 2): (shape, layer seconds, floor seconds) per level, each level
    once (the encoder's and decoder's LRUs of a level have the same shape)."""
    rows = []
    for length, width in TRAINING_LEVELS:
        lru = LRU(width, 64, r_min=0.5, r_max=0.99)
        u = torch.randn(16, length, width, requires_grad=True)
        grad_y = torch.randn(16, length, width)
        layer = best_time(lambda lru=lru, u=u, g=grad_y: lru(u)[0].backward(g), repeats)
        rows.append((f"B=16 L={length} H={width}", layer, matmul_floor(lru, u.detach(), repeats)))
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


def accuracy(fast: LRU, sequential: LRU, u: torch.Tensor) -> dict[str, tuple[float, float]]:
    """Relative errors of both float32 paths against the float64 sequential reference."""
    grad_y = torch.randn_like(u)
    reference = outputs_and_gradients(copy.deepcopy(sequential).double(), u, grad_y)
    errors = {}
    for lru in (fast, sequential):
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
    torch.manual_seed(0)
    fast = LRU(args.d_model, args.d_state)
    sequential = copy.deepcopy(fast)
    sequential.scan = "sequential"
    u = torch.randn(args.batch, args.length, args.d_model)

    print(
        f"LRU B={args.batch} L={args.length} H={args.d_model} N={args.d_state}, float32, "
        f"{torch.get_num_threads()} threads, allocator tuned: {'yes' if tuned else 'no'}"
    )
    timings = time_scans(fast, u, args.repeats) | time_layers(fast, sequential, u, args.repeats)
    print(f"{'':26s}{'chunked ms':>12s}{'sequential ms':>15s}{'ratio':>9s}")
    for name, (t_fast, t_seq) in timings.items():
        print(f"{name:26s}{t_fast * 1e3:12.1f}{t_seq * 1e3:15.1f}{t_seq / t_fast:8.1f}x")
    floor = matmul_floor(fast, u, args.repeats)
    layer = timings["layer forward+backward"][0]
    print(
        f"matmul floor (six dense matmuls) {floor * 1e3:.1f} ms: the layer's forward+backward "
        f"takes {layer / floor:.2f}x it"
    )
    print("at the default training step's shapes (each level's LRU, forward+backward):")
    layers = floors = 0.0
    for shape, layer, floor in training_shapes(10 * args.repeats):
        layers, floors = layers + layer, floors + floor
        print(
            f"  {shape:24s}{layer * 1e3:8.2f} ms, floor {floor * 1e3:6.2f} ms: {layer / floor:.2f}x"
        )
    print(
        f"  {'all levels':24s}{layers * 1e3:8.2f} ms, floor {floors * 1e3:6.2f} ms: "
        f"{layers / floors:.2f}x"
    )
    print("relative error of float32 against the float64 sequential reference:")
    print(f"{'':26s}{'chunked':>12s}{'sequential':>15s}")
    for name, (e_fast, e_seq) in accuracy(fast, sequential, u).items():
        print(f"{name:26s}{e_fast:12.1e}{e_seq:15.1e}")


if __name__ == "__main__":
    main()
