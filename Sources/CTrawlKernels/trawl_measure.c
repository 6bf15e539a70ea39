#include "trawl_measure.h"
#include "trawl_simd.h"
#include <string.h>

/// x86-64 (SSE2 is its baseline): the blocks are classified with vector compares, and the
/// measurement is also compiled for AVX2, taken where the CPU has it.
#if defined(__SSE2__) && defined(__x86_64__)
#define TRAWL_AVX2_DISPATCH 1
#include <cpuid.h>
#include <immintrin.h>

#define TRAWL_V __m128i
#define TRAWL_V_WIDTH 16
#define TRAWL_V_LOAD(p) _mm_loadu_si128((const __m128i *)(p))
#define TRAWL_V_SET1(c) _mm_set1_epi8((char)(c))
#define TRAWL_V_OR _mm_or_si128
#define TRAWL_V_ANDNOT _mm_andnot_si128
#define TRAWL_V_SUB _mm_sub_epi8
#define TRAWL_V_EQ _mm_cmpeq_epi8
#define TRAWL_V_MIN _mm_min_epu8
#define TRAWL_V_MASK(x) ((uint16_t)_mm_movemask_epi8(x))
#define TRAWL_CLASSIFY_NAME trawl_classify64
#define TRAWL_CLASSIFY_ATTRIBUTES __attribute__((always_inline))
#include "trawl_classify_body.h"

#define TRAWL_V __m256i
#define TRAWL_V_WIDTH 32
#define TRAWL_V_LOAD(p) _mm256_loadu_si256((const __m256i *)(p))
#define TRAWL_V_SET1(c) _mm256_set1_epi8((char)(c))
#define TRAWL_V_OR _mm256_or_si256
#define TRAWL_V_ANDNOT _mm256_andnot_si256
#define TRAWL_V_SUB _mm256_sub_epi8
#define TRAWL_V_EQ _mm256_cmpeq_epi8
#define TRAWL_V_MIN _mm256_min_epu8
#define TRAWL_V_MASK(x) ((uint32_t)_mm256_movemask_epi8(x))
#define TRAWL_CLASSIFY_NAME trawl_classify64_avx2
#define TRAWL_CLASSIFY_ATTRIBUTES __attribute__((always_inline, target("avx2")))
#include "trawl_classify_body.h"
#else
#define TRAWL_AVX2_DISPATCH 0
#define trawl_classify64 trawl_classify64_bytes
#endif

/// Bit k: `x` at k - j, the bits before the block from `previous` (j is 1 to 3).
static inline uint64_t before(uint64_t x, uint64_t previous, unsigned j) { return x << j | previous >> (64 - j); }
/// Bit k: `x` at k + j, the bits past the block from `next` (j is 1 to 3).
static inline uint64_t after(uint64_t x, uint64_t next, unsigned j) { return x >> j | next << (64 - j); }
/// Bits 0..<k (k up to 64).
static inline uint64_t below(int64_t k) { return k >= 64 ? ~0ull : (1ull << k) - 1; }
static inline uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
/// Sets `mark` on the line of bit `bit` of a block whose newlines are `nl` and whose first line is
/// `lines[base]` (or the open `line`, the `count`-th).
static inline void set_mark(uint16_t mark, int bit, uint64_t nl, size_t base, trawl_line *line, trawl_line *lines, size_t count) {
    const size_t l = base + (size_t)__builtin_popcountll(nl & below(bit));
    if (l < count) lines[l].marks |= mark; else line->marks |= mark;
}

// The measurement, compiled once with the baseline classification (SSE2 on x86-64) and, on
// x86-64, once for CPUs with AVX2 (32-byte compares: half the classification's instructions).
#define TRAWL_MEASURE measure_baseline
#define TRAWL_MASKS_AT masks_at_baseline
#define TRAWL_CLASSIFY trawl_classify64
#define TRAWL_TARGET
#include "trawl_measure_body.h"

#if TRAWL_AVX2_DISPATCH
#define TRAWL_MEASURE measure_avx2
#define TRAWL_MASKS_AT masks_at_avx2
#define TRAWL_CLASSIFY trawl_classify64_avx2
#define TRAWL_TARGET __attribute__((target("avx2")))
#include "trawl_measure_body.h"

__attribute__((target("avx2"))) static void trawl_classify64_avx2_call(const uint8_t *p, trawl_masks *m) { trawl_classify64_avx2(p, m); }

/// AVX2 with its registers saved by the system (CPUID leaf 7 and 1, XGETBV), asked once:
/// -1 until then (a race only asks twice).
static int avx2_state = -1;

static int detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

/// True when this CPU has AVX2.
static int trawl_has_avx2(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = detect_avx2();
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state;
}
#endif

int trawl_classify64_vector(const uint8_t *p, trawl_masks *m, int wide) {
#if TRAWL_AVX2_DISPATCH
    if (!wide) trawl_classify64(p, m);
    else if (trawl_has_avx2()) trawl_classify64_avx2_call(p, m);
    else return 0;
    return 1;
#else
    (void)p;
    (void)m;
    (void)wide;
    return 0;
#endif
}

size_t trawl_measure(const uint8_t *p, size_t n, trawl_line *lines, int32_t *ends, trawl_mark_bits marks, int baseline) {
#if TRAWL_AVX2_DISPATCH
    if (!baseline && trawl_has_avx2()) return measure_avx2(p, n, lines, ends, marks);
#endif
    (void)baseline;
    return measure_baseline(p, n, lines, ends, marks);
}
