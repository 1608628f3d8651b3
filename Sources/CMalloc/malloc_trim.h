// glibc's malloc_trim for Swift, whose Glibc module leaves <malloc.h> out.
#pragma once
#include <malloc.h>

/// Returns the heap's free pages to the system (glibc `malloc_trim(0)`); 1 if any were.
static inline int srdist_malloc_trim(void) { return malloc_trim(0); }
