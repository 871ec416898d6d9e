"""Wall-clock timing for demos and benchmarks (never for assertions in tests)."""

import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """Minimum wall time of fn() in seconds over `repeats` calls, after one warm-up call.

    The minimum, not the mean: on a shared machine, noise only ever adds time.
    """
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
