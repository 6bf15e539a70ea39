// The byte classification of a 64-byte block (`trawl_masks`, trawl_simd.h), written once for
// SSE2's 16-byte and AVX2's 32-byte vectors: trawl_measure.c defines the TRAWL_V_* operations and
// the function's name and attributes, then includes this file.

/// Lanes of `x` at most `k` (unsigned).
#define TRAWL_V_AT_MOST(x, k) TRAWL_V_EQ(TRAWL_V_MIN((x), TRAWL_V_SET1(k)), (x))
/// A compare's lanes as bits, at the place of the `w`-th vector of the block.
#define TRAWL_V_BITS(x, w) ((uint64_t)TRAWL_V_MASK(x) << (TRAWL_V_WIDTH * (w)))

/// Classifies the 64 bytes at `p` into `m` (every field written).
TRAWL_CLASSIFY_ATTRIBUTES static inline void TRAWL_CLASSIFY_NAME(const uint8_t *p, trawl_masks *m) {
    trawl_masks r = {0};
    uint64_t high = 0;
    for (int w = 0; w < 64 / TRAWL_V_WIDTH; w++) {
        const TRAWL_V v = TRAWL_V_LOAD(p + TRAWL_V_WIDTH * w);
        const TRAWL_V lower = TRAWL_V_OR(v, TRAWL_V_SET1(0x20));
        const TRAWL_V from_zero = TRAWL_V_SUB(v, TRAWL_V_SET1(0x30)), from_a = TRAWL_V_SUB(lower, TRAWL_V_SET1(0x61));
        const TRAWL_V from_paren = TRAWL_V_SUB(v, TRAWL_V_SET1(0x28));
        const TRAWL_V digit = TRAWL_V_AT_MOST(from_zero, 9);
        const TRAWL_V letter = TRAWL_V_AT_MOST(from_a, 25);
        const TRAWL_V space = TRAWL_V_EQ(v, TRAWL_V_SET1(0x20));
        const TRAWL_V colon = TRAWL_V_EQ(v, TRAWL_V_SET1(0x3A));
        // ( ) + , - . / are 0x28...0x2F but `*`.
        const TRAWL_V punctuation = TRAWL_V_ANDNOT(TRAWL_V_EQ(v, TRAWL_V_SET1(0x2A)), TRAWL_V_AT_MOST(from_paren, 7));
        const TRAWL_V gap = TRAWL_V_OR(TRAWL_V_OR(punctuation, space), TRAWL_V_OR(colon, TRAWL_V_EQ(v, TRAWL_V_SET1(0x09))));
        const TRAWL_V rare = TRAWL_V_OR(TRAWL_V_OR(TRAWL_V_EQ(v, TRAWL_V_SET1(0x40)), TRAWL_V_EQ(v, TRAWL_V_SET1(0x2B))),
                                        TRAWL_V_OR(TRAWL_V_EQ(lower, TRAWL_V_SET1(0x75)), TRAWL_V_EQ(v, TRAWL_V_SET1(0xE2))));
        r.digit |= TRAWL_V_BITS(digit, w);
        r.letter |= TRAWL_V_BITS(letter, w);
        r.newline |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0x0A)), w);
        r.space |= TRAWL_V_BITS(space, w);
        r.dot |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0x2E)), w);
        r.dash |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0x2D)), w);
        r.colon |= TRAWL_V_BITS(colon, w);
        r.gap |= TRAWL_V_BITS(gap, w);
        r.rare |= TRAWL_V_BITS(rare, w);
        high |= TRAWL_V_MASK(v);
    }
    if (high != 0) {
        // Bytes past ASCII: those of NBSP (C2 A0) and NNBSP (E2 80 AF).
        for (int w = 0; w < 64 / TRAWL_V_WIDTH; w++) {
            const TRAWL_V v = TRAWL_V_LOAD(p + TRAWL_V_WIDTH * w);
            r.c2 |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0xC2)), w);
            r.a0 |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0xA0)), w);
            r.e2 |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0xE2)), w);
            r.x80 |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0x80)), w);
            r.af |= TRAWL_V_BITS(TRAWL_V_EQ(v, TRAWL_V_SET1(0xAF)), w);
        }
        r.gap |= r.c2 | r.a0 | r.e2 | r.x80 | r.af;
    }
    *m = r;
}

#undef TRAWL_V_AT_MOST
#undef TRAWL_V_BITS
#undef TRAWL_V
#undef TRAWL_V_WIDTH
#undef TRAWL_V_LOAD
#undef TRAWL_V_SET1
#undef TRAWL_V_OR
#undef TRAWL_V_ANDNOT
#undef TRAWL_V_SUB
#undef TRAWL_V_EQ
#undef TRAWL_V_MIN
#undef TRAWL_V_MASK
#undef TRAWL_CLASSIFY_NAME
#undef TRAWL_CLASSIFY_ATTRIBUTES
