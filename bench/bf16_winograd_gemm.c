// The part of a Winograd F(6×6,3×3) layer bf16 could speed up on AVX512-BF16: its 64 position
// GEMMs per work unit (one 48×48 image, 64 tiles), [Cout×Cin]·[Cin×64]. Times them as srdist
// runs them (OpenBLAS cblas_sgemm, fp32) and as one oneDNN bf16 batched matmul per unit
// (bf16 filters and tiles, fp32 output), on one thread, in CPU milliseconds per layer pass.
// Build: gcc -O2 -o bf16_winograd_gemm bench/bf16_winograd_gemm.c -ldnnl -lopenblas
// Usage: bf16_winograd_gemm IMAGES CIN COUT REPEATS   (e.g. 16 64 64 5; 2 256 256 5)
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include "bf16_timing.h"

#define CHECK(call) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { \
    fprintf(stderr, "%s failed: %d (line %d)\n", #call, (int)s_, __LINE__); exit(1); } } while (0)
enum { POSITIONS = 64, TILES = 64 };

static double cpu_now(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

static float *floats(size_t n, float v) {
    float *p = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = v * (float)(i % 7 + 1);
    return p;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s IMAGES CIN COUT REPEATS\n", argv[0]); return 1; }
    int images = atoi(argv[1]), ci = atoi(argv[2]), co = atoi(argv[3]), repeats = atoi(argv[4]);
    openblas_set_num_threads(1);
    float *w = floats((size_t)POSITIONS * co * ci, 0.01f), *x = floats((size_t)POSITIONS * ci * TILES, 0.1f);
    float *y = floats((size_t)POSITIONS * co * TILES, 0);

    dnnl_engine_t engine; dnnl_stream_t stream;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    dnnl_dims_t wd = {POSITIONS, co, ci}, xd = {POSITIONS, ci, TILES}, yd = {POSITIONS, co, TILES};
    dnnl_memory_desc_t wb, xb, xf, yf;
    CHECK(dnnl_memory_desc_init_by_tag(&wb, 3, wd, dnnl_bf16, dnnl_abc));
    CHECK(dnnl_memory_desc_init_by_tag(&xb, 3, xd, dnnl_bf16, dnnl_abc));
    CHECK(dnnl_memory_desc_init_by_tag(&xf, 3, xd, dnnl_f32, dnnl_abc));
    CHECK(dnnl_memory_desc_init_by_tag(&yf, 3, yd, dnnl_f32, dnnl_abc));
    dnnl_matmul_desc_t md; dnnl_primitive_desc_t pd, rpd; dnnl_primitive_t mm, toBF16;
    CHECK(dnnl_matmul_desc_init(&md, &wb, &xb, NULL, &yf));
    CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL));
    const char *impl; CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    CHECK(dnnl_primitive_create(&mm, pd));
    CHECK(dnnl_reorder_primitive_desc_create(&rpd, &xf, engine, &xb, engine, NULL));
    CHECK(dnnl_primitive_create(&toBF16, rpd));
    dnnl_memory_t mw, mx, mxf, my;
    CHECK(dnnl_memory_create(&mw, &wb, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&mx, &xb, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&mxf, &xf, engine, x));
    CHECK(dnnl_memory_create(&my, &yf, engine, y));
    dnnl_exec_arg_t margs[3] = {{DNNL_ARG_SRC, mw}, {DNNL_ARG_WEIGHTS, mx}, {DNNL_ARG_DST, my}};
    dnnl_exec_arg_t rargs[2] = {{DNNL_ARG_FROM, mxf}, {DNNL_ARG_TO, mx}};
    CHECK(dnnl_primitive_execute(toBF16, stream, 2, rargs));

    double *t = calloc((size_t)repeats * 3, sizeof(double));
    for (int r = -1; r < repeats; r++) {
        double s = cpu_now();
        for (int i = 0; i < images; i++)
            for (int p = 0; p < POSITIONS; p++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, co, TILES, ci, 1, w + (size_t)p * co * ci, ci,
                            x + (size_t)p * ci * TILES, TILES, 0, y + (size_t)p * co * TILES, TILES);
        double a = cpu_now();
        for (int i = 0; i < images; i++) CHECK(dnnl_primitive_execute(mm, stream, 3, margs));
        CHECK(dnnl_stream_wait(stream));
        double b = cpu_now();
        for (int i = 0; i < images; i++) {   // the tiles rounded to bf16 first, as a bf16 Winograd would
            CHECK(dnnl_primitive_execute(toBF16, stream, 2, rargs));
            CHECK(dnnl_primitive_execute(mm, stream, 3, margs));
        }
        CHECK(dnnl_stream_wait(stream));
        double c = cpu_now();
        if (r >= 0) { t[r] = a - s; t[repeats + r] = b - a; t[2 * repeats + r] = c - b; }
    }
    const char *names[3] = {"OpenBLAS sgemm fp32", "oneDNN matmul bf16", "oneDNN bf16 + tile rounding"};
    double flops = 2.0 * images * POSITIONS * co * ci * TILES;
    printf("Winograd F(6x6) position GEMMs, %d images, %d→%d, 1 thread, CPU ms (oneDNN: %s)\n", images, ci, co, impl);
    for (int i = 0; i < 3; i++) {
        double m = median(t + i * repeats, repeats);
        printf("  %-28s %8.2f ms %7.1f GFLOPS\n", names[i], m * 1e3, flops / m * 1e-9);
    }
    return 0;
}
