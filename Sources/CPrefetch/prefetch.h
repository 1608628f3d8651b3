// Software prefetch and the spin-wait pause for Swift, which has neither: static inline,
// so the Swift compiler inlines each into its loop as one instruction.
#pragma once

/// Asks the CPU to bring the cache line holding `p` into all cache levels for reading.
static inline void srdist_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// The spin-wait hint (x86 `pause`): a waiting loop that issues it gives the core to its
/// SMT sibling and lets a hypervisor see the spin (pause-loop exiting) and run the
/// virtual CPU being waited for. Nothing elsewhere.
static inline void srdist_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}
