// The anchor words' automaton walk (TrawlCore's AnchorMatcher), and the folding it applies.
//
// One walk is bound by the latency of its table loads: each state is the entry the previous one
// points to. Four walks over four parts of a batch, interleaved, overlap that latency. Swift
// compiled the same loop with its state spilled to the stack and an overflow check per step, at
// about three times this loop's cost per byte.
#ifndef TRAWL_ANCHORS_H
#define TRAWL_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

/// The base letter of each Latin-1 letter U+00C0...U+00FF (UTF-8 `C3 80`...`C3 BF`), indexed by
/// its second byte minus 0x80; 0 for the characters that fold to nothing else (`Æ`, `×`, `ß`...).
static const uint8_t trawl_latin1_base[64] = {
    'a', 'a', 'a', 'a', 'a', 'a', 0, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    0, 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 0, 0,
    'a', 'a', 'a', 'a', 'a', 'a', 0, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    0, 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 0, 'y',
};

/// The folded form of the character past ASCII at `p[i]` (`n` bytes in all), with its width in
/// `*width`; -1 when the character is not folded (its bytes stand for themselves). See
/// AnchorMatcher for the folding.
static inline int trawl_fold(const uint8_t *p, size_t n, size_t i, int *width) {
    const uint8_t b = p[i];
    const uint8_t b1 = i + 1 < n ? p[i + 1] : 0, b2 = i + 2 < n ? p[i + 2] : 0;
    const int two = i + 1 < n, three = i + 2 < n;
    switch (b) {
    case 0xC2:  // no-break space (U+00A0)
        if (two && b1 == 0xA0) { *width = 2; return ' '; }
        break;
    case 0xC3:
        if (two && b1 >= 0x80 && b1 <= 0xBF && trawl_latin1_base[b1 - 0x80] != 0) { *width = 2; return trawl_latin1_base[b1 - 0x80]; }
        break;
    case 0xC5:  // Ÿ (U+0178) and ſ (U+017F)
        if (two && b1 == 0xB8) { *width = 2; return 'y'; }
        if (two && b1 == 0xBF) { *width = 2; return 's'; }
        break;
    case 0xE2:  // the Kelvin sign (U+212A); U+2000-200A, U+202F, U+205F (spaces)
        if (three && b1 == 0x84 && b2 == 0xAA) { *width = 3; return 'k'; }
        if (three && ((b1 == 0x80 && (b2 <= 0x8A || b2 == 0xAF)) || (b1 == 0x81 && b2 == 0x9F))) { *width = 3; return ' '; }
        break;
    case 0xE1:  // U+1680, U+180E (spaces)
        if (three && ((b1 == 0x9A && b2 == 0x80) || (b1 == 0xA0 && b2 == 0x8E))) { *width = 3; return ' '; }
        break;
    case 0xE3:  // U+3000 (ideographic space)
        if (three && b1 == 0x80 && b2 == 0x80) { *width = 3; return ' '; }
        break;
    default:
        break;
    }
    *width = 1;
    return -1;
}

/// Set in an entry of the automaton's `next` table when a word ends in the state it leads to.
#define TRAWL_ANCHOR_OUTPUT 0x80000000u

/// The automaton: `class_of[b]` is the class of an ASCII byte (capitals as their lower-case
/// letter, spaces as a space) or of a byte past ASCII; `next[row + class]` is the next state's
/// row (`state * class_count`), with `TRAWL_ANCHOR_OUTPUT` set when a word ends in that state;
/// `output[state]` the anchor slots whose words end there.
typedef struct {
    const uint8_t *class_of;
    const uint32_t *next;
    const uint64_t *output;
    uint32_t class_count;
} trawl_automaton;

/// Walks the automaton over the `line_count` lines of `p[0..<n]` (line `l` ends at `ends[l]`, its
/// newline or `n`; words never span a newline) and ORs the slots of the words found on line `l`
/// into `words[l]`. `walks` is 1 or 4 (the tests compare the two).
void trawl_anchor_walk(const trawl_automaton *automaton, const uint8_t *p, size_t n, const int32_t *ends, size_t line_count,
                       uint64_t *words, int walks);

#endif
