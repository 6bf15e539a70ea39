// Shapes a match must start with, found faster than PCRE2 finds the match: PCRE2 tries its pattern
// at every byte that can start it (every digit, for an IPv4 address), while the shape is rare.
// A detector whose every match starts at such a shape runs its pattern, anchored, only there
// (TrawlCore's MatchStart).
#ifndef TRAWL_SHAPES_H
#define TRAWL_SHAPES_H

#include <stdint.h>

/// The first `r` in `from..<to` where a dotted quad starts in `p[0..<n]`: one to three digits, not
/// after a digit (or at 0), then `.`, one to three digits, `.`, one to three digits, `.` and a
/// digit, all before `n`. Returns `to` when there is none. Needs `0 <= from <= to <= n`.
int64_t trawl_next_dotted_quad(const uint8_t *p, int64_t from, int64_t to, int64_t n);

#endif
