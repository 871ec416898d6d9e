/* Splitting a kernel's rows over threads, for scan_kernel.c and mask_kernel.c.
 *
 * Built with -fopenmp in a process where torch runs on GNU OpenMP, a kernel library links the
 * libgomp.so.1 that torch has already loaded (refine/networks/native.py checks), so its
 * parallel loop runs on torch's own threads. Those spin for a while after each of torch's
 * parallel operators: a thread of any other pool that starts then shares a core with one of
 * them (on 2 cores a mask kernel split over two Python threads took as long as on one), while
 * torch's threads take the work at once. Without OpenMP the pragma is ignored and callers
 * split the rows over threads of their own.
 */
#ifndef REFINE_PARALLEL_ROWS_H
#define REFINE_PARALLEL_ROWS_H

/* Returns from the enclosing function after running CALL, an expression of the rows [lo, hi)
 * that returns 0 or an error, on each of `threads` parts of the rows [first, last) (one part
 * per OpenMP thread; in turn without OpenMP): 0, or the parts' errors or-ed together. */
#define PARALLEL_ROWS(first, last, threads, CALL)                                             \
  do {                                                                                        \
    const int parts_ = (threads) > 1 ? (threads) : 1;                                         \
    const long first_ = (first), span_ = (last) - (first);                                    \
    int failed_ = 0;                                                                          \
    _Pragma("omp parallel for num_threads(parts_) schedule(static) reduction(| : failed_) if (parts_ > 1)") \
    for (int part_ = 0; part_ < parts_; part_++) {                                            \
      const long lo = first_ + span_ * part_ / parts_;                                        \
      const long hi = first_ + span_ * (part_ + 1) / parts_;                                  \
      failed_ |= (CALL);                                                                      \
    }                                                                                         \
    return failed_;                                                                           \
  } while (0)

/* kernels_openmp(): whether the library was built with OpenMP, so that its callers know
 * whether to pass their threads or to split the rows themselves. */
#ifdef _OPENMP
#define KERNELS_OPENMP \
  int kernels_openmp(void) { return 1; }
#else
#define KERNELS_OPENMP \
  int kernels_openmp(void) { return 0; }
#endif

#endif
