// Byte classification of 64-byte blocks for the line measurement (TrawlCore's BlockMeasure).
//
// Swift's SIMD types compile vector compares well, but not the step from a compare's lanes to a
// bit mask: without a movemask it multiplies each 8 lanes into 8 bits, several times slower than
// SSE2's `pmovmskb`. On x86-64 (where SSE2 is baseline) the measurement classifies with SSE2
// intrinsics, or AVX2's where the CPU has them (`trawl_classify_body.h`, beside trawl_measure.c);
// elsewhere byte by byte (`trawl_classify64_bytes`, below).
// BlockMeasure's Swift classification is the reference the tests compare both with.
#ifndef TRAWL_SIMD_H
#define TRAWL_SIMD_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/// The number of `byte`s in `p[0..<n]`: with SSE2, 16 bytes a step into byte counters, summed
/// every 255 steps (Swift's loop, and a plain C one, widened each compare to 64 bits).
static inline size_t trawl_count_byte(const uint8_t *p, size_t n, uint8_t byte) {
    size_t count = 0, i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    const __m128i needle = _mm_set1_epi8((char)byte);
    while (i + 16 <= n) {
        __m128i counters = _mm_setzero_si128();
        for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(v, needle));
        }
        __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si64(sums) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
#endif
    for (; i < n; i++) count += p[i] == byte;
    return count;
}

/// One block's classes, bit k for byte k. Bytes past the batch's end are in no class.
typedef struct {
    uint64_t digit, letter, newline, space, dot, dash, colon;
    /// The run separators of `run` (` ./-()+,:`, tab and the bytes of the non-breaking spaces).
    uint64_t gap;
    /// Bytes checked one by one: `@`, `+`, `u` or `U` (`eur`), 0xE2 (`€`).
    uint64_t rare;
    /// The bytes of NBSP (C2 A0) and NNBSP (E2 80 AF); zero in a block of ASCII.
    uint64_t c2, a0, e2, x80, af;
} trawl_masks;

/// The same classes as `trawl_classify64`, byte by byte: the classification where SSE2 is missing.
static inline void trawl_classify64_bytes(const uint8_t *p, trawl_masks *m) {
    trawl_masks r = {0};
    for (int k = 0; k < 64; k++) {
        const uint8_t v = p[k], lower = v | 0x20;
        const uint64_t bit = 1ull << k;
        if ((uint8_t)(v - 0x30) < 10) r.digit |= bit;
        if ((uint8_t)(lower - 0x61) < 26) r.letter |= bit;
        if (v == 0x0A) r.newline |= bit;
        if (v == 0x20) r.space |= bit;
        if (v == 0x2E) r.dot |= bit;
        if (v == 0x2D) r.dash |= bit;
        if (v == 0x3A) r.colon |= bit;
        // ( ) + , - . / are 0x28...0x2F but `*`.
        if (((uint8_t)(v - 0x28) < 8 && v != 0x2A) || v == 0x20 || v == 0x3A || v == 0x09) r.gap |= bit;
        if (v == 0x40 || v == 0x2B || lower == 0x75 || v == 0xE2) r.rare |= bit;
        if (v == 0xC2) r.c2 |= bit;
        if (v == 0xA0) r.a0 |= bit;
        if (v == 0xE2) r.e2 |= bit;
        if (v == 0x80) r.x80 |= bit;
        if (v == 0xAF) r.af |= bit;
    }
    r.gap |= r.c2 | r.a0 | r.e2 | r.x80 | r.af;
    *m = r;
}

/// Classifies as the measurement does, with SSE2 (x86-64's baseline) or, with `wide`, AVX2, and
/// returns 1; returns 0 where that classification is missing. For the tests, which compare them
/// with the Swift reference.
int trawl_classify64_vector(const uint8_t *p, trawl_masks *m, int wide);

#endif
