/* Peak float32 multiply-add rate of this CPU: independent FMA chains, nothing from memory.
 * Built and run by bench/cpu_peak.py:  fma_peak ISA THREADS ITERATIONS  ->  "GFLOP/s seconds".
 * Twelve accumulators per thread: more than FMA latency x FMA ports on current x86 cores, so the
 * chains never wait on each other and the rate is the ports' throughput. */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long iterations;
static int use_avx512;

#define CHAINS(op, a, b, c)                                                                      \
    op(a[0], b, c); op(a[1], b, c); op(a[2], b, c); op(a[3], b, c); op(a[4], b, c); op(a[5], b, c); \
    op(a[6], b, c); op(a[7], b, c); op(a[8], b, c); op(a[9], b, c); op(a[10], b, c); op(a[11], b, c)
#define FMA256(x, b, c) x = _mm256_fmadd_ps(x, b, c)
#define FMA512(x, b, c) x = _mm512_fmadd_ps(x, b, c)

__attribute__((target("avx2,fma"))) static float run_avx2(void) {
    __m256 a[12], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
    for (long n = 0; n < iterations; n++) { CHAINS(FMA256, a, b, c); }
    float sum = 0.0f, lanes[8];
    for (int i = 0; i < 12; i++) { _mm256_storeu_ps(lanes, a[i]); sum += lanes[0]; }
    return sum;
}

__attribute__((target("avx512f"))) static float run_avx512(void) {
    __m512 a[12], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float)i);
    for (long n = 0; n < iterations; n++) { CHAINS(FMA512, a, b, c); }
    float sum = 0.0f, lanes[16];
    for (int i = 0; i < 12; i++) { _mm512_storeu_ps(lanes, a[i]); sum += lanes[0]; }
    return sum;
}

static void *work(void *out) {
    *(float *)out = use_avx512 ? run_avx512() : run_avx2();  /* kept, so nothing is optimised away */
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: fma_peak avx2|avx512 THREADS ITERATIONS\n"); return 2; }
    use_avx512 = strcmp(argv[1], "avx512") == 0;
    int threads = atoi(argv[2]);
    iterations = atol(argv[3]);
    __builtin_cpu_init();
    if (use_avx512 ? !__builtin_cpu_supports("avx512f") : !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        printf("unsupported\n");
        return 0;
    }
    pthread_t ids[256];
    float sums[256];
    if (threads < 1 || threads > 256) return 2;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, work, &sums[i]);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + 1e-9 * (end.tv_nsec - start.tv_nsec);
    double lanes = use_avx512 ? 16.0 : 8.0;
    printf("%.2f %.4f\n", threads * (double)iterations * 12 * lanes * 2 / seconds / 1e9, seconds);
    return 0;
}
