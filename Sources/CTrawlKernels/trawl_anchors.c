#include "trawl_anchors.h"

typedef struct {
    const uint8_t *p;
    size_t n;
    const int32_t *ends;
    const uint64_t *output;
    /// `(row * state_of_row) >> 32` is `row / class_count` for every row (a multiple of it below
    /// 2^31, as AnchorMatcher checks): a multiply, not a division, per word found.
    uint64_t state_of_row;
    uint64_t *words;
} trawl_walk_context;

// A word ends at byte `i`, in state row `row`: ORs its slots into its line's words (the first line
// from `*line` that ends at or after `i`). Out of line: words are rare next to bytes, and the loop
// keeps its registers for the walks.
__attribute__((noinline)) static void trawl_found(const trawl_walk_context *c, size_t i, uint32_t row, size_t *line) {
    size_t l = *line;
    while ((size_t)c->ends[l] < i) l++;
    *line = l;
    c->words[l] |= c->output[((uint64_t)row * c->state_of_row) >> 32];
}

// The byte the walk reads at `p[*i]` past ASCII: its folded form, or itself; moves `*i` past the
// character's other bytes.
__attribute__((noinline)) static uint8_t trawl_fold_at(const uint8_t *p, size_t n, size_t *i) {
    int width;
    const int folded = trawl_fold(p, n, *i, &width);
    if (folded < 0) return p[*i];
    *i += (size_t)width - 1;
    return (uint8_t)folded;
}

// One byte (or one folded character) of the walk at `i` in state row `row`, its line cursor `line`.
// A newline is in no word's class: it takes the automaton back to its root, so a walk goes over
// line ends without a branch, and a word's line is found only when one ends.
#define TRAWL_STEP(i, row, line)                                             \
    do {                                                                     \
        uint8_t b = p[i];                                                    \
        if (__builtin_expect(b >= 0x80, 0)) b = trawl_fold_at(p, n, &(i));   \
        const uint32_t entry = next[(row) + class_of[b]];                    \
        (row) = entry & ~TRAWL_ANCHOR_OUTPUT;                                \
        if (__builtin_expect((entry & TRAWL_ANCHOR_OUTPUT) != 0, 0))        \
            trawl_found(&c, i, row, &(line));                                \
        (i)++;                                                               \
    } while (0)

void trawl_anchor_walk(const trawl_automaton *automaton, const uint8_t *p, size_t n, const int32_t *ends, size_t line_count,
                       uint64_t *words, int walks) {
    if (line_count == 0 || n == 0) return;
    const uint8_t *class_of = automaton->class_of;
    const uint32_t *next = automaton->next;
    // ceil(2^32 / class_count): for row = s * class_count, row * this = s * 2^32 + s * e with
    // e < class_count, and s * e < s * class_count < 2^31.
    const uint64_t state_of_row = ((1ull << 32) + automaton->class_count - 1) / automaton->class_count;
    const trawl_walk_context c = {p, n, ends, automaton->output, state_of_row, words};
    // Part k starts at the line after the one holding byte k * n / parts.
    const int parts = walks == 4 && n >= 4096 ? 4 : 1;
    size_t start[4], end[4], lines[4];
    uint32_t rows[4] = {0, 0, 0, 0};
    size_t line = 0;
    int count = 0;
    for (int k = 0; k < parts; k++) {
        const size_t first = line;
        if (k == parts - 1) {
            line = line_count;
        } else {
            const size_t cut = (size_t)(k + 1) * n / (size_t)parts;
            while (line < line_count && (size_t)ends[line] < cut) line++;
            line = line < line_count ? line + 1 : line_count;
        }
        if (first < line) {
            start[count] = first == 0 ? 0 : (size_t)ends[first - 1] + 1;
            end[count] = (size_t)ends[line - 1];
            lines[count] = first;
            count++;
        }
    }
    if (count == 4) {
        size_t i0 = start[0], i1 = start[1], i2 = start[2], i3 = start[3];
        uint32_t r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        for (;;) {
            // A step moves at most 3 bytes (a folded character), so `steps` steps stay in every part.
            size_t room = end[0] - i0;
            if (end[1] - i1 < room) room = end[1] - i1;
            if (end[2] - i2 < room) room = end[2] - i2;
            if (end[3] - i3 < room) room = end[3] - i3;
            const size_t steps = room / 3;
            if (steps == 0) break;
            for (size_t s = 0; s < steps; s++) {
                TRAWL_STEP(i0, r0, lines[0]);
                TRAWL_STEP(i1, r1, lines[1]);
                TRAWL_STEP(i2, r2, lines[2]);
                TRAWL_STEP(i3, r3, lines[3]);
            }
        }
        start[0] = i0, start[1] = i1, start[2] = i2, start[3] = i3;
        rows[0] = r0, rows[1] = r1, rows[2] = r2, rows[3] = r3;
    }
    for (int k = 0; k < count; k++) {
        size_t i = start[k];
        uint32_t row = rows[k];
        while (i < end[k]) TRAWL_STEP(i, row, lines[k]);
    }
}
