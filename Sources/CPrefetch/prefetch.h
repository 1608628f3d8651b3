// Software prefetch for Swift, which has no prefetch of its own: static inline, so
// the Swift compiler inlines it into the loop as one prefetcht0 instruction.
#pragma once

/// Asks the CPU to bring the cache line holding `p` into all cache levels for reading.
static inline void srdist_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
