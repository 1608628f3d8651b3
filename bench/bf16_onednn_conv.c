// Times oneDNN convolution forward, backward-data and backward-weights in fp32 or bf16
// for one shape, to decide whether srdist's bf16 engine should be oneDNN (issue 36).
// bf16 mode: bf16 src/weights/diff_dst, fp32 dst/diff_src/diff_weights (fp32 accumulation).
// Two figures per pass: the primitive alone on oneDNN's preferred (blocked) layouts, and the
// primitive plus the reorders srdist would pay (fp32 NCHW/OIHW in, fp32 NCHW/OIHW out).
// Build: gcc -O2 -o bf16_onednn_conv bench/bf16_onednn_conv.c -ldnnl
// Usage: bf16_onednn_conv f32|bf16 N CIN COUT H W K REPEATS [bench-conv]   (threads: OMP_NUM_THREADS)
// With `bench-conv`, each round runs `srdist bench-conv`'s passes instead, with the reorders: forward,
// backward-weights, backward-data + backward-weights; compare whole processes with the same REPEATS.
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <string.h>
#include "bf16_timing.h"

#define CHECK(call) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { \
    fprintf(stderr, "%s failed: %d (line %d)\n", #call, (int)s_, __LINE__); exit(1); } } while (0)

static dnnl_engine_t engine;
static dnnl_stream_t stream;

// CPU_TIME=1: the process's CPU seconds (all threads), as `srdist bench-conv --cpu-time`; steadier than
// wall time on a shared machine.
static clockid_t clock_id = CLOCK_MONOTONIC;

static double now(void) { return clock_seconds(clock_id); }

static dnnl_memory_t memory(const dnnl_memory_desc_t *md, float fill) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, DNNL_MEMORY_ALLOCATE));
    void *p; CHECK(dnnl_memory_get_data_handle(m, &p));
    size_t bytes = dnnl_memory_desc_get_size(md);
    if (md->data_type == dnnl_f32) { for (size_t i = 0; i < bytes / 4; i++) ((float *)p)[i] = fill; }
    else memset(p, 0x3c, bytes); // bf16 0x3c3c ≈ 0.0115
    return m;
}

/// A reorder from `from` to `to`, or NULL when the layouts are equal.
static dnnl_primitive_t reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    if (dnnl_memory_desc_equal(from, to)) return NULL;
    dnnl_primitive_desc_t pd; dnnl_primitive_t p;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL));
    CHECK(dnnl_primitive_create(&p, pd));
    dnnl_primitive_desc_destroy(pd);
    return p;
}

static void run_reorder(dnnl_primitive_t p, dnnl_memory_t from, dnnl_memory_t to) {
    if (!p) return;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    CHECK(dnnl_primitive_execute(p, stream, 2, args));
}

typedef struct {
    dnnl_primitive_t prim;
    dnnl_exec_arg_t args[4]; int nargs;
    dnnl_primitive_t in[2]; dnnl_memory_t inFrom[2], inTo[2]; int nin; // plain fp32 → preferred
    dnnl_primitive_t out; dnnl_memory_t outFrom, outTo;                  // preferred → plain fp32
} pass_t;

static double time_pass(pass_t *p, int with_reorders) {
    double t = now();
    if (with_reorders) for (int i = 0; i < p->nin; i++) run_reorder(p->in[i], p->inFrom[i], p->inTo[i]);
    CHECK(dnnl_primitive_execute(p->prim, stream, p->nargs, p->args));
    if (with_reorders) run_reorder(p->out, p->outFrom, p->outTo);
    CHECK(dnnl_stream_wait(stream));
    return now() - t;
}

/// The primitive's memory for `what`, and a plain fp32 buffer with its reorder in (`input`) or out.
static dnnl_memory_t bind(pass_t *p, dnnl_primitive_desc_t pd, dnnl_query_t what, int arg,
                          const dnnl_memory_desc_t *plain, int input) {
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, what, 0);
    dnnl_memory_t m = memory(md, 0.01f);
    p->args[p->nargs++] = (dnnl_exec_arg_t){arg, m};
    dnnl_memory_t q = memory(plain, 0.01f);
    if (input) { p->in[p->nin] = reorder(plain, md); p->inFrom[p->nin] = q; p->inTo[p->nin] = m; p->nin++; }
    else { p->out = reorder(md, plain); p->outFrom = m; p->outTo = q; }
    return m;
}

static void finish(pass_t *p, dnnl_primitive_desc_t pd, const char *name) {
    const char *impl; CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    fprintf(stderr, "%s: %s\n", name, impl);
    CHECK(dnnl_primitive_create(&p->prim, pd));
}

int main(int argc, char **argv) {
    if (argc != 9 && argc != 10) {
        fprintf(stderr, "usage: %s f32|bf16 N CIN COUT H W K REPEATS [bench-conv]\n", argv[0]);
        return 1;
    }
    int bf16 = strcmp(argv[1], "bf16") == 0;
    if (getenv("CPU_TIME") && strcmp(getenv("CPU_TIME"), "1") == 0) clock_id = CLOCK_PROCESS_CPUTIME_ID;
    int n = atoi(argv[2]), ci = atoi(argv[3]), co = atoi(argv[4]), h = atoi(argv[5]), w = atoi(argv[6]);
    int k = atoi(argv[7]), repeats = atoi(argv[8]);
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));

    dnnl_dims_t src = {n, ci, h, w}, wei = {co, ci, k, k}, bia = {co}, dst = {n, co, h, w};
    dnnl_dims_t strides = {1, 1}, pad = {(k - 1) / 2, (k - 1) / 2};
    dnnl_data_type_t low = bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t srcA, weiA, dstA, srcF, weiF, dstF, biaF, diffSrcA, diffWeiA, diffDstA;
    CHECK(dnnl_memory_desc_init_by_tag(&srcA, 4, src, low, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&weiA, 4, wei, low, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&dstA, 4, dst, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&diffDstA, 4, dst, low, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&diffSrcA, 4, src, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&diffWeiA, 4, wei, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&srcF, 4, src, dnnl_f32, dnnl_nchw));
    CHECK(dnnl_memory_desc_init_by_tag(&weiF, 4, wei, dnnl_f32, dnnl_oihw));
    CHECK(dnnl_memory_desc_init_by_tag(&dstF, 4, dst, dnnl_f32, dnnl_nchw));
    CHECK(dnnl_memory_desc_init_by_tag(&biaF, 1, bia, dnnl_f32, dnnl_x));

    pass_t fwd = {0}, bwdD = {0}, bwdW = {0};
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t fpd, dpd, wpd;
    CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct,
                                             &srcA, &weiA, &biaF, &dstA, strides, pad, pad));
    CHECK(dnnl_primitive_desc_create(&fpd, &cd, NULL, engine, NULL));
    bind(&fwd, fpd, dnnl_query_src_md, DNNL_ARG_SRC, &srcF, 1);
    bind(&fwd, fpd, dnnl_query_weights_md, DNNL_ARG_WEIGHTS, &weiF, 1);
    fwd.args[fwd.nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, memory(&biaF, 0.1f)};
    bind(&fwd, fpd, dnnl_query_dst_md, DNNL_ARG_DST, &dstF, 0);
    finish(&fwd, fpd, "forward");

    CHECK(dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &diffSrcA, &weiA, &diffDstA,
                                                   strides, pad, pad));
    CHECK(dnnl_primitive_desc_create(&dpd, &cd, NULL, engine, fpd));
    bind(&bwdD, dpd, dnnl_query_diff_dst_md, DNNL_ARG_DIFF_DST, &dstF, 1);
    bind(&bwdD, dpd, dnnl_query_weights_md, DNNL_ARG_WEIGHTS, &weiF, 1);
    bind(&bwdD, dpd, dnnl_query_diff_src_md, DNNL_ARG_DIFF_SRC, &srcF, 0);
    finish(&bwdD, dpd, "backward-data");

    CHECK(dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &srcA, &diffWeiA, &biaF,
                                                      &diffDstA, strides, pad, pad));
    CHECK(dnnl_primitive_desc_create(&wpd, &cd, NULL, engine, fpd));
    bind(&bwdW, wpd, dnnl_query_src_md, DNNL_ARG_SRC, &srcF, 1);
    bind(&bwdW, wpd, dnnl_query_diff_dst_md, DNNL_ARG_DIFF_DST, &dstF, 1);
    bwdW.args[bwdW.nargs++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, memory(&biaF, 0)};
    bind(&bwdW, wpd, dnnl_query_diff_weights_md, DNNL_ARG_DIFF_WEIGHTS, &weiF, 0);
    finish(&bwdW, wpd, "backward-weights");

    pass_t *passes[3] = {&fwd, &bwdD, &bwdW};
    if (argc == 10) {
        if (strcmp(argv[9], "bench-conv") != 0) { fprintf(stderr, "unknown mode %s\n", argv[9]); return 1; }
        pass_t *mix[4] = {&fwd, &bwdW, &bwdD, &bwdW};
        for (int r = 0; r <= repeats; r++) for (int i = 0; i < 4; i++) time_pass(mix[i], 1);
        return 0;
    }
    const char *names[3] = {"forward", "backward-data", "backward-weights"};
    double *t = calloc((size_t)repeats * 6, sizeof(double));
    for (int r = -1; r < repeats; r++)        // round -1: untimed warm-up
        for (int i = 0; i < 6; i++) {
            double s = time_pass(passes[i % 3], i / 3);
            if (r >= 0) t[i * repeats + r] = s;
        }
    double flops = 2.0 * n * co * h * w * ci * k * k;
    printf("%s n%d %d→%d %dx%d k%d threads=%s, %s ms\n", argv[1], n, ci, co, h, w, k,
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "all",
           clock_id == CLOCK_MONOTONIC ? "wall" : "CPU");
    double sum[2] = {0, 0};
    for (int i = 0; i < 6; i++) {
        double m = median(t + i * repeats, repeats);
        sum[i / 3] += m;
        printf("  %-17s %-15s %8.2f ms %7.1f GFLOPS\n", names[i % 3], i < 3 ? "primitive" : "with reorders",
               m * 1e3, flops / m * 1e-9);
    }
    printf("  all three passes: primitive %.2f ms, with reorders %.2f ms\n", sum[0] * 1e3, sum[1] * 1e3);
    return 0;
}
