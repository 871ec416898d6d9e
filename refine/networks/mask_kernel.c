/* The bounded mask with the bin gate (refine/networks/gated_mask.py), forward and backward,
 * one pass over memory each; refine/networks/gated_mask.py builds and calls this file through
 * refine/networks/native.py.
 *
 *   a = |x|/s + ε,   level = log a,   gate = σ(slope·level + offset)
 *   g = gain + weight·gate,   σ_g = σ(g),   m = clamp((1 + 2τ)σ_g − τ, 0, 1),   y = x·m
 *
 * Why C: in torch operators every quantity above is a pass over a (B, K, L) tensor (13 passes
 * forward, 23 backward), so at the default training step's shape the mask's time is memory
 * traffic and per-operator cost. Here each element is read once and its intermediates stay in
 * registers; the backward recomputes them instead of reading them back.
 *
 * Layout: element (b, k, l) of x (and of y and ∂E/∂x) is at b·sb + k·sk + l, and of part p
 * (gain, weight, slope, offset) at b·pb + k·pk + p·pp + l: rows of L frames are contiguous,
 * and both the (B, K, L) and the (K, B, L) memory layout are read in place. The scale s is
 * given per frame, s[b·L + l] (a clip's one RMS repeated). Every function handles the rows
 * r = b·K + k in [first, last), split over `threads` OpenMP threads (parallel_rows.h) or, in
 * one part each, over threads of its caller's own; the backward writes row r's share of ∂E/∂s
 * to grad_scale_rows[r·L + l], or summed over its frames to grad_scale_rows[r] when
 * `per_clip`, and the caller sums the rows.
 *
 * Vectorising: a row is computed in blocks of WIDTH frames, a fixed trip count that the
 * compiler turns into vector code, and the last block is moved back to end at the row's end,
 * recomputing a few frames instead of running a scalar tail (writes are idempotent; the
 * scale's shares go to a per-row buffer first, so none is counted twice). With REFINE_MVEC
 * the blocks call glibc's vector expf/logf (libmvec, declared SIMD below and linked with
 * -lmvec); without it the scalar ones, the same to rounding.
 */
#include <math.h>

#include "parallel_rows.h"

#ifdef REFINE_MVEC
__attribute__((simd("notinbranch"))) float expf(float);
__attribute__((simd("notinbranch"))) float logf(float);
__attribute__((simd("notinbranch"))) double exp(double);
__attribute__((simd("notinbranch"))) double log(double);
#endif

#define WIDTH 16
#define MAX_FRAMES 16384 /* L, for a row's scale shares on the stack */

/* The first frame of block `start` of a row of `length` frames (length ≥ WIDTH). */
static inline long block_at(long start, long length) {
  return start + WIDTH <= length ? start : length - WIDTH;
}

#define MASK_KERNELS(REAL, SUFFIX, EXP, LOG, ABS)                                              \
  static inline void forward_block_##SUFFIX(                                                  \
      const REAL *restrict x, const REAL *restrict s, const REAL *restrict gain,              \
      const REAL *restrict weight, const REAL *restrict slope, const REAL *restrict offset,   \
      REAL *restrict y, long count, REAL floor, REAL margin) {                                \
    for (long l = 0; l < count; l++) {                                                        \
      const REAL level = LOG(ABS(x[l]) / s[l] + floor);                                       \
      const REAL gate = (REAL)1 / ((REAL)1 + EXP(-(slope[l] * level + offset[l])));         \
      const REAL squashed = (REAL)1 / ((REAL)1 + EXP(-(gain[l] + weight[l] * gate)));        \
      REAL m = squashed * (1 + 2 * margin) - margin;                                          \
      m = m < 0 ? 0 : (m > 1 ? 1 : m);                                                        \
      y[l] = x[l] * m;                                                                        \
    }                                                                                         \
  }                                                                                           \
                                                                                              \
  /* y = x·m over rows [first, last). Returns 0, or −1 when L exceeds MAX_FRAMES. */         \
  static int mask_forward_rows_##SUFFIX(                                                      \
      const REAL *restrict x, const REAL *restrict scale, const REAL *restrict parts,         \
      REAL *restrict y, long first, long last, long channels, long length, long sb, long sk,  \
      long pb, long pk, long pp, double floor, double margin) {                               \
    if (length > MAX_FRAMES) return -1;                                                       \
    for (long r = first; r < last; r++) {                                                     \
      const long b = r / channels, k = r % channels, at = b * sb + k * sk;                    \
      const REAL *gain = parts + b * pb + k * pk;                                             \
      const REAL *s = scale + b * length;                                                     \
      if (length < WIDTH) {                                                                   \
        forward_block_##SUFFIX(x + at, s, gain, gain + pp, gain + 2 * pp, gain + 3 * pp,      \
                               y + at, length, (REAL)floor, (REAL)margin);                    \
        continue;                                                                             \
      }                                                                                       \
      for (long start = 0; start < length; start += WIDTH) {                                  \
        const long l = block_at(start, length);                                               \
        const REAL *g = gain + l;                                                             \
        forward_block_##SUFFIX(x + at + l, s + l, g, g + pp, g + 2 * pp, g + 3 * pp,          \
                               y + at + l, WIDTH, (REAL)floor, (REAL)margin);                 \
      }                                                                                       \
    }                                                                                         \
    return 0;                                                                                 \
  }                                                                                           \
                                                                                              \
  static inline void backward_block_##SUFFIX(                                                 \
      const REAL *restrict x, const REAL *restrict s, const REAL *restrict gain,              \
      const REAL *restrict weight, const REAL *restrict slope, const REAL *restrict offset,   \
      const REAL *restrict grad, REAL *restrict grad_x, REAL *restrict g_gain,                \
      REAL *restrict g_weight, REAL *restrict g_slope, REAL *restrict g_offset,               \
      REAL *restrict g_scale, long count, REAL floor, REAL margin, REAL leash,                \
      REAL leash_logit) {                                                                     \
    for (long l = 0; l < count; l++) {                                                        \
      const REAL v = x[l], ratio = ABS(v) / s[l], above = ratio + floor;                      \
      const REAL level = LOG(above);                                                          \
      const REAL gate = (REAL)1 / ((REAL)1 + EXP(-(slope[l] * level + offset[l])));         \
      const REAL g = gain[l] + weight[l] * gate;                                              \
      const REAL squashed = (REAL)1 / ((REAL)1 + EXP(-g));                                    \
      const REAL stretched = squashed * (1 + 2 * margin) - margin;                            \
      const REAL m = stretched < 0 ? 0 : (stretched > 1 ? 1 : stretched);                     \
      REAL grad_mask = grad[l] * v;                                                           \
      /* Inward: past an end only a gradient that moves the mask back inside passes. */      \
      grad_mask = grad_mask * (stretched - m) < 0 ? 0 : grad_mask;                            \
      const REAL past = g > leash_logit ? g - leash_logit : (g < -leash_logit ? g + leash_logit : 0); \
      const REAL dg = grad_mask * squashed * (1 - squashed) * (1 + 2 * margin) + leash * past; \
      const REAL d_inner = dg * weight[l] * gate * (1 - gate); /* ∂E/∂(slope·level + b) */   \
      g_gain[l] = dg;                                                                         \
      g_weight[l] = dg * gate;                                                                \
      g_slope[l] = d_inner * level;                                                           \
      g_offset[l] = d_inner;                                                                  \
      const REAL d_ratio = d_inner * slope[l] / above; /* ∂E/∂(|x|/s) */                     \
      const REAL sign = v > 0 ? 1 : (v < 0 ? -1 : 0);                                         \
      grad_x[l] = d_ratio * sign / s[l] + grad[l] * m;                                        \
      g_scale[l] = -d_ratio * ratio / s[l]; /* ∂(|x|/s)/∂s = −(|x|/s)/s */                   \
    }                                                                                         \
  }                                                                                           \
                                                                                              \
  /* grad = ∂E/∂y; writes ∂E/∂x (laid out as x), ∂E/∂parts (as parts) and the rows' shares   \
   * of ∂E/∂s. leash: λ/numel of the leash's gradient on g past |g| = leash_logit (0: none).  \
   * Returns 0, or −1 when L exceeds MAX_FRAMES. */                                          \
  static int mask_backward_rows_##SUFFIX(                                                     \
      const REAL *restrict x, const REAL *restrict scale, const REAL *restrict parts,         \
      const REAL *restrict grad, REAL *restrict grad_x, REAL *restrict grad_parts,            \
      double *restrict grad_scale_rows, long first, long last, long channels, long length,    \
      long sb, long sk, long pb, long pk, long pp, int per_clip, double floor, double margin, \
      double leash, double leash_logit) {                                                     \
    REAL shares[MAX_FRAMES];                                                                  \
    if (length > MAX_FRAMES) return -1;                                                       \
    for (long r = first; r < last; r++) {                                                     \
      const long b = r / channels, k = r % channels, at = b * sb + k * sk;                    \
      const long part_at = b * pb + k * pk;                                                   \
      const REAL *gain = parts + part_at, *s = scale + b * length;                            \
      REAL *g_gain = grad_parts + part_at;                                                    \
      const long block = length < WIDTH ? length : WIDTH;                                     \
      for (long start = 0; start < length; start += block) {                                  \
        const long l = length < WIDTH ? 0 : block_at(start, length);                          \
        const REAL *g = gain + l;                                                             \
        REAL *d = g_gain + l;                                                                 \
        backward_block_##SUFFIX(x + at + l, s + l, g, g + pp, g + 2 * pp, g + 3 * pp,         \
                                grad + at + l, grad_x + at + l, d, d + pp, d + 2 * pp,        \
                                d + 3 * pp, shares + l, block, (REAL)floor, (REAL)margin,     \
                                (REAL)leash, (REAL)leash_logit);                              \
      }                                                                                       \
      if (per_clip) {                                                                         \
        double whole = 0.0;                                                                   \
        for (long l = 0; l < length; l++) whole += shares[l];                                 \
        grad_scale_rows[r] = whole;                                                           \
      } else {                                                                                \
        for (long l = 0; l < length; l++) grad_scale_rows[r * length + l] = shares[l];        \
      }                                                                                       \
    }                                                                                         \
    return 0;                                                                                 \
  }                                                                                           \
                                                                                              \
  int mask_forward_##SUFFIX(const REAL *x, const REAL *scale, const REAL *parts, REAL *y,     \
                            long first, long last, long channels, long length, long sb,       \
                            long sk, long pb, long pk, long pp, double floor, double margin,  \
                            int threads) {                                                    \
    PARALLEL_ROWS(first, last, threads,                                                       \
                  mask_forward_rows_##SUFFIX(x, scale, parts, y, lo, hi, channels, length,    \
                                             sb, sk, pb, pk, pp, floor, margin));             \
  }                                                                                           \
                                                                                              \
  int mask_backward_##SUFFIX(const REAL *x, const REAL *scale, const REAL *parts,             \
                             const REAL *grad, REAL *grad_x, REAL *grad_parts,                \
                             double *grad_scale_rows, long first, long last, long channels,   \
                             long length, long sb, long sk, long pb, long pk, long pp,        \
                             int per_clip, double floor, double margin, double leash,         \
                             double leash_logit, int threads) {                               \
    PARALLEL_ROWS(first, last, threads,                                                       \
                  mask_backward_rows_##SUFFIX(x, scale, parts, grad, grad_x, grad_parts,      \
                                              grad_scale_rows, lo, hi, channels, length, sb,  \
                                              sk, pb, pk, pp, per_clip, floor, margin, leash, \
                                              leash_logit));                                  \
  }

MASK_KERNELS(float, f32, expf, logf, fabsf)
MASK_KERNELS(double, f64, exp, log, fabs)

KERNELS_OPENMP
