/* The LRU's diagonal recurrence h_k = λ ⊙ h_{k−1} + x_k and its backward pass, one pass over
 * memory each (refine/networks/native_scan.py builds and calls this file).
 *
 * Why C: the recurrence is a chain over time but independent across states, so the plain loop
 * (time outer, states inner and vectorised) reads x and writes h once, where any formulation
 * in torch operators (refine/networks/scan.py) pays per operator: at the training step's
 * lengths (L ≤ 64) dozens of small calls, at L = 16000 several passes over 65 MB.
 *
 * Layout: complex numbers are interleaved (re, im) pairs, as torch.view_as_real lays them
 * out; x, h and g are (B, L, N) contiguous in float or double (the macro below builds both),
 * λ is (N,) and h_0 (B, N) or NULL. Every function handles the batch rows [first, last),
 * split over `threads` OpenMP threads (parallel_rows.h) or, in one part each, over threads of
 * its caller's own.
 *
 * Accuracy: the recurrence is carried from step to step in double, with λ in double, so a
 * float32 scan rounds each output once instead of compounding a rounding per step (with
 * |λ| = 0.99999, 20000 float32 steps drift 1e-5 from the exact result, the carried scan 1e-7).
 */

#include "parallel_rows.h"

/* Rows ahead to prefetch in the reverse pass: hardware prefetchers follow descending
 * addresses poorly (the reverse pass took 4x the forward's time without it). */
#define PREFETCH_ROWS 8
#define MAX_STATES 4096 /* N, for the carried state on the stack */

#define SCAN_KERNELS(REAL, SUFFIX)                                                            \
  /* h_k = λ h_{k−1} + x_k for k = 0 … L−1 with h_{−1} = h_0 (zeros when NULL), in place:     \
   * x becomes h. Returns 0, or −1 when N exceeds MAX_STATES. */                             \
  static int scan_forward_rows_##SUFFIX(REAL *restrict x, const double *restrict lambda,     \
                                       const REAL *restrict h_0, long first, long last,      \
                                       long length, long states) {                           \
    const long row = 2 * states;                                                             \
    double carry[2 * MAX_STATES];                                                            \
    if (states > MAX_STATES) return -1;                                                      \
    for (long b = first; b < last; b++) {                                                    \
      REAL *h = x + b * length * row;                                                        \
      for (long n = 0; n < row; n++) carry[n] = h_0 ? h_0[b * row + n] : 0.0;                \
      for (long k = 0; k < length; k++) {                                                    \
        REAL *now = h + k * row;                                                             \
        for (long n = 0; n < row; n += 2) {                                                  \
          const double re = lambda[n] * carry[n] - lambda[n + 1] * carry[n + 1] + now[n];   \
          const double im = lambda[n] * carry[n + 1] + lambda[n + 1] * carry[n] + now[n + 1]; \
          carry[n] = re, carry[n + 1] = im;                                                  \
          now[n] = (REAL)re, now[n + 1] = (REAL)im;                                          \
        }                                                                                    \
      }                                                                                      \
    }                                                                                        \
    return 0;                                                                                \
  }                                                                                          \
                                                                                             \
  /* The backward pass of scan_forward for the upstream gradient g = ∂E/∂h (PyTorch's        \
   * conjugate convention), in place: g becomes ∂E/∂x, g_k += conj(λ) g_{k+1} from the end;   \
   * and grad_lambda (B, N), in double, receives per batch row Σ_k conj(h_{k−1}) ∂E/∂x_k with \
   * h_{−1} = h_0 (no k = 0 term when h_0 is NULL): ∂E/∂λ before the sum over rows.           \
   * Returns 0, or −1 when N exceeds MAX_STATES. */                                          \
  static int scan_backward_rows_##SUFFIX(const REAL *restrict h, REAL *restrict g,           \
                                        const double *restrict lambda,                       \
                                        const REAL *restrict h_0,                            \
                                        double *restrict grad_lambda, long first, long last, \
                                        long length, long states) {                          \
    const long row = 2 * states;                                                             \
    double carry[2 * MAX_STATES];                                                            \
    if (states > MAX_STATES) return -1;                                                      \
    for (long b = first; b < last; b++) {                                                    \
      const REAL *h_b = h + b * length * row;                                                \
      REAL *g_b = g + b * length * row;                                                      \
      double *sum = grad_lambda + b * row;                                                   \
      for (long n = 0; n < row; n++) sum[n] = 0.0, carry[n] = 0.0;                           \
      for (long k = length - 1; k >= 0; k--) {                                               \
        REAL *now = g_b + k * row;                                                           \
        if (k >= PREFETCH_ROWS) {                                                            \
          for (long p = 0; p < row; p += 64 / (long)sizeof(REAL)) {                          \
            __builtin_prefetch(now - PREFETCH_ROWS * row + p, 1);                            \
            __builtin_prefetch(h_b + (k - PREFETCH_ROWS) * row + p, 0);                      \
          }                                                                                  \
        }                                                                                    \
        for (long n = 0; n < row; n += 2) {                                                  \
          const double re = lambda[n] * carry[n] + lambda[n + 1] * carry[n + 1] + now[n];    \
          const double im = lambda[n] * carry[n + 1] - lambda[n + 1] * carry[n] + now[n + 1]; \
          carry[n] = re, carry[n + 1] = im;                                                  \
          now[n] = (REAL)re, now[n + 1] = (REAL)im;                                          \
        }                                                                                    \
        const REAL *before = k > 0 ? h_b + (k - 1) * row : (h_0 ? h_0 + b * row : 0);        \
        if (before) {                                                                        \
          for (long n = 0; n < row; n += 2) {                                                \
            sum[n] += before[n] * carry[n] + before[n + 1] * carry[n + 1];                   \
            sum[n + 1] += before[n] * carry[n + 1] - before[n + 1] * carry[n];               \
          }                                                                                  \
        }                                                                                    \
      }                                                                                      \
    }                                                                                        \
    return 0;                                                                                \
  }                                                                                          \
                                                                                             \
  int scan_forward_##SUFFIX(REAL *x, const double *lambda, const REAL *h_0, long first,      \
                            long last, long length, long states, int threads) {              \
    PARALLEL_ROWS(first, last, threads,                                                      \
                  scan_forward_rows_##SUFFIX(x, lambda, h_0, lo, hi, length, states));       \
  }                                                                                          \
                                                                                             \
  int scan_backward_##SUFFIX(const REAL *h, REAL *g, const double *lambda, const REAL *h_0,  \
                             double *grad_lambda, long first, long last, long length,        \
                             long states, int threads) {                                     \
    PARALLEL_ROWS(first, last, threads,                                                      \
                  scan_backward_rows_##SUFFIX(h, g, lambda, h_0, grad_lambda, lo, hi, length, \
                                              states));                                      \
  }

SCAN_KERNELS(float, f32)
SCAN_KERNELS(double, f64)

KERNELS_OPENMP
