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

/// What a line holds (LineIndex.Line). Widest fields first: 64 bytes (59 and padding).
typedef struct {
    uint64_t plainLengths, spacedLengths, dashedLengths, alnumLengths;
    uint32_t digits, run, plainRun, spacedRun, dashedRun, zeroDashedRun;
    uint8_t marks, dotDigits, colons;
} trawl_line;

/// The bit of each mark (PrefilterDefinition.Mark.bit).
typedef struct {
    uint8_t at, dot_digit, colon, plus, currency, double_colon, caps_digits, corsica;
} trawl_mark_bits;

/// Measures every line of `p[0..<n]` (n > 0) into `lines` and `ends` (room for every line: the
/// newlines, plus one when `p` does not end with one); returns the number of lines.
size_t trawl_measure(const uint8_t *p, size_t n, trawl_line *lines, int32_t *ends, trawl_mark_bits marks);

#endif
