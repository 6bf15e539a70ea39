// The line measurement of TrawlCore's LineIndex over 64-byte blocks (BlockMeasure says what each
// measure is; LineIndex's byte-by-byte measurement defines it, and the tests compare the two).
//
// Swift compiled this loop with much of its state (three blocks of masks, the open runs) spilled
// to the stack and reloaded at each step; written here it runs the same bit operations from
// registers.
#ifndef TRAWL_MEASURE_H
#define TRAWL_MEASURE_H

#include <stddef.h>
#include <stdint.h>

/// What a line holds (LineIndex.Line). Widest fields first: 64 bytes (60 and padding).
typedef struct {
    uint64_t plainLengths, spacedLengths, dashedLengths, alnumLengths;
    uint32_t digits, run, plainRun, spacedRun, dashedRun, zeroDashedRun;
    uint16_t marks;
    uint8_t dotDigits, colons;
} trawl_line;

// What both measurements (this one and LineIndex's byte-by-byte reference) decide the same way.

/// Bit n-1 for a length n (1 to 64, clamped): LineIndex.lengthBit.
static inline uint64_t trawl_length_bit(int64_t length) {
    if (length < 1) length = 1;
    if (length > 64) length = 64;
    return 1ull << (length - 1);
}

static inline int trawl_is_capital(uint8_t b) { return b >= 0x41 && b <= 0x5A; }

/// Two capitals, maybe then a space, right before the digit at `i` (`caps-digits`, with a second
/// digit after it).
static inline int trawl_follows_two_capitals(const uint8_t *p, int64_t i) {
    if (i < 2) return 0;
    const uint8_t b1 = p[i - 1], b2 = p[i - 2];
    return (trawl_is_capital(b1) && trawl_is_capital(b2)) || (b1 == 0x20 && i >= 3 && trawl_is_capital(b2) && trawl_is_capital(p[i - 3]));
}

/// The `+` at `i` is before a digit 1-9, maybe after one space (`plus`), in `p[0..<n]`.
static inline int trawl_is_international_prefix(const uint8_t *p, int64_t n, int64_t i) {
    return i + 1 < n && ((uint8_t)(p[i + 1] - 0x31) < 9 || (p[i + 1] == 0x20 && i + 2 < n && (uint8_t)(p[i + 2] - 0x31) < 9));
}

/// After a run of five digits that ends at `i` (`p[i]` is past it): spaces or tabs, then a capital
/// or a byte past ASCII (which may start a capital, `É`), in `p[0..<n]` (`postcode`: `75008 PARIS`).
static inline int trawl_is_postcode_tail(const uint8_t *p, int64_t n, int64_t i) {
    if (i >= n || (p[i] != 0x20 && p[i] != 0x09)) return 0;
    while (i < n && (p[i] == 0x20 || p[i] == 0x09)) i++;
    return i < n && (trawl_is_capital(p[i]) || p[i] >= 0x80);
}

/// `€` (E2 82 AC) starts at `i`, which holds 0xE2, in `p[0..<n]`.
static inline int trawl_is_euro_sign(const uint8_t *p, int64_t n, int64_t i) { return i + 2 < n && p[i + 1] == 0x82 && p[i + 2] == 0xAC; }

/// The bit of each mark (PrefilterDefinition.Mark.bit).
typedef struct {
    uint16_t at, dot_digit, colon, plus, currency, double_colon, caps_digits, corsica, postcode;
} trawl_mark_bits;

/// Measures every line of `p[0..<n]` (n > 0) into `lines` and `ends` (room for every line: the
/// newlines, plus one when `p` does not end with one); returns the number of lines. The blocks
/// are classified with AVX2 where the CPU has it, unless `baseline` (the tests measure both ways).
size_t trawl_measure(const uint8_t *p, size_t n, trawl_line *lines, int32_t *ends, trawl_mark_bits marks, int baseline);

#endif
