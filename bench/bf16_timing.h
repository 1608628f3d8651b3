// Clock and median for the bf16 benchmarks (bf16_onednn_conv.c, bf16_winograd_gemm.c).
#include <stdlib.h>
#include <time.h>

static double clock_seconds(clockid_t id) {
    struct timespec t; clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/// The median of `n` values, which it sorts.
static double median(double *values, int n) {
    qsort(values, n, sizeof(double), compare_doubles);
    return values[n / 2];
}
