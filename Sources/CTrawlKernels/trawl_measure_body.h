// The body of the line measurement (trawl_measure.c), included once per classification of the
// blocks: TRAWL_MEASURE and TRAWL_MASKS_AT name the functions, TRAWL_CLASSIFY the classification,
// TRAWL_TARGET their target attribute (AVX2's, or none).

/// The classes of the block at `p[o...]`: zeros past the end, a copy padded with zeros for the last
/// partial block (one call of the classification, inlined).
TRAWL_TARGET static inline void TRAWL_MASKS_AT(const uint8_t *p, int64_t n, int64_t o, uint8_t *tail, trawl_masks *m) {
    if (o >= n) {
        memset(m, 0, sizeof *m);
        return;
    }
    const uint8_t *block = p + o;
    if (o + 64 > n) {
        memset(tail, 0, 64);
        memcpy(tail, p + o, (size_t)(n - o));
        block = tail;
    }
    TRAWL_CLASSIFY(block, m);
}

TRAWL_TARGET static size_t TRAWL_MEASURE(const uint8_t *p, size_t size, trawl_line *lines, int32_t *ends, trawl_mark_bits mk) {
    const int64_t n = (int64_t)size;
    size_t count = 0;
    trawl_line line;
    memset(&line, 0, sizeof line);
    // The digits of the open spaced, dashed and separated runs, and whether the dashed one
    // starts with a `0`.
    uint32_t spaced = 0, dashed = 0, gapped = 0;
    int zero_led = 0;
    // Where the run of digits, and the word of letters and digits, that reach the next block's
    // first byte start (the next block's start when none does).
    int64_t digit_start = 0, word_start = 0;
    // A word holding a digit that goes on past the block (its start), and where the last counted
    // word ends.
    int64_t open_word = -1, word_end = 0;
    // One block of zeros after a batch of whole blocks closes what reaches its end.
    const int64_t limit = n % 64 == 0 ? n + 64 : n;
    // The last, partial block is classified from a copy padded with zeros.
    _Alignas(16) uint8_t tail[64];
    trawl_masks previous, current, next;
    memset(&previous, 0, sizeof previous);
    TRAWL_MASKS_AT(p, n, 0, tail, &current);
    for (int64_t o = 0; o < limit; o += 64) {
        TRAWL_MASKS_AT(p, n, o + 64, tail, &next);
        const uint64_t d = current.digit;
        const uint64_t digit_before = before(d, previous.digit, 1), digit_after = after(d, next.digit, 1);
        const uint64_t between = digit_before & digit_after;
        // Where a run of digits ends (the byte after it), and whether the separator there joins
        // it to the next run, for each kind of run.
        const uint64_t run_ends = ~d & digit_before;
        uint64_t spaced_links = (current.space | current.dot) & between;
        if ((current.c2 | current.e2) != 0) {
            spaced_links |= current.c2 & after(current.a0, next.a0, 1) & digit_before & after(d, next.digit, 2);
            spaced_links |= current.e2 & after(current.x80, next.x80, 1) & after(current.af, next.af, 2) & digit_before & after(d, next.digit, 3);
        }
        const uint64_t dashed_links = (current.space | current.dot | current.dash) & between;
        const uint64_t g = current.gap, gap_after = after(g, next.gap, 1);
        const uint64_t gapped_links = (g & between) | (g & gap_after & digit_before & after(d, next.digit, 2))
            | (g & gap_after & after(g, next.gap, 2) & digit_before & after(d, next.digit, 3));
        const uint64_t words = d | current.letter;
        const uint64_t non_words = ~words;
        if (open_word >= 0 && non_words != 0) {
            // The word ends in this block, before any newline.
            word_end = o + __builtin_ctzll(non_words);
            line.alnumLengths |= trawl_length_bit(word_end - open_word);
            open_word = -1;
        }
        const uint64_t nl = current.newline;
        const size_t base = count;
        const uint64_t dot_digits = current.dot & between;
        const uint64_t colons = current.colon;
        int64_t from = 0;
        uint64_t rest = nl;
        for (;;) {
            const int64_t to = rest == 0 ? 64 : __builtin_ctzll(rest);
            // Runs of digits ending in the segment (at its newline at the latest).
            uint64_t ends_here = run_ends & ~below(from) & below(to + 1);
            while (ends_here != 0) {
                const int e = __builtin_ctzll(ends_here);
                ends_here &= ends_here - 1;
                const uint64_t non_digits = ~d & below(e);
                const int64_t start = non_digits == 0 ? digit_start : o + 64 - __builtin_clzll(non_digits);
                const uint32_t length = (uint32_t)(o + e - start);
                line.digits += length;
                line.plainLengths |= trawl_length_bit(length);
                line.plainRun = max32(line.plainRun, length);
                if (length == 5 && trawl_is_postcode_tail(p, n, o + e)) line.marks |= mk.postcode;
                const uint64_t bit = 1ull << e;
                spaced += length;
                const int closes_spaced = (spaced_links & bit) == 0;
                line.spacedLengths |= closes_spaced ? trawl_length_bit(spaced) : 0;
                line.spacedRun = max32(line.spacedRun, closes_spaced ? spaced : 0);
                if (closes_spaced && (current.letter & bit) != 0 && spaced >= 6 && (uint8_t)((p[o + e] | 0x20) - 0x61) < 2 && p[o + e - 1] == '2') {
                    line.marks |= mk.corsica;
                }
                spaced = closes_spaced ? 0 : spaced;
                zero_led = dashed == 0 ? p[start] == '0' : zero_led;
                dashed += length;
                const int closes_dashed = (dashed_links & bit) == 0;
                line.dashedLengths |= closes_dashed ? trawl_length_bit(dashed) : 0;
                line.dashedRun = max32(line.dashedRun, closes_dashed ? dashed : 0);
                line.zeroDashedRun = max32(line.zeroDashedRun, closes_dashed && zero_led ? dashed : 0);
                dashed = closes_dashed ? 0 : dashed;
                gapped += length;
                const int closes_gapped = (gapped_links & bit) == 0;
                line.run = max32(line.run, closes_gapped ? gapped : 0);
                gapped = closes_gapped ? 0 : gapped;
                if (start >= word_end && open_word < 0) {
                    // The word of letters and digits around the run: most often the run itself
                    // (a number between separators).
                    const int64_t s = start - o;
                    int64_t first = start;
                    if (s <= 0) {
                        first = word_start;
                    } else if ((words & (1ull << (s - 1))) != 0) {
                        const uint64_t outside = non_words & below(s);
                        first = outside == 0 ? word_start : o + 64 - __builtin_clzll(outside);
                    }
                    if ((non_words & bit) != 0) {
                        word_end = o + e;
                        line.alnumLengths |= trawl_length_bit(word_end - first);
                    } else {
                        const uint64_t beyond = non_words & ~below(e);
                        if (beyond == 0) {
                            open_word = first;
                        } else {
                            word_end = o + __builtin_ctzll(beyond);
                            line.alnumLengths |= trawl_length_bit(word_end - first);
                        }
                    }
                }
            }
            const uint64_t segment = below(to) & ~below(from);
            if (((colons | dot_digits) & segment) != 0) {
                if ((colons & segment) != 0) {
                    line.marks |= mk.colon;
                    const int c = line.colons + __builtin_popcountll(colons & segment);
                    line.colons = (uint8_t)(c < 255 ? c : 255);
                    if ((colons & after(colons, next.colon, 1) & segment) != 0) line.marks |= mk.double_colon;
                }
                if ((dot_digits & segment) != 0) {
                    line.marks |= mk.dot_digit;
                    const int c = line.dotDigits + __builtin_popcountll(dot_digits & segment);
                    line.dotDigits = (uint8_t)(c < 255 ? c : 255);
                }
            }
            if (rest == 0) break;
            ends[count] = (int32_t)(o + to);
            lines[count] = line;
            count++;
            memset(&line, 0, sizeof line);
            rest &= rest - 1;
            from = to + 1;
        }
        // Marks checked byte by byte, set on the line of their byte.
        uint64_t rare = current.rare;
        while (rare != 0) {
            const int k = __builtin_ctzll(rare);
            rare &= rare - 1;
            const int64_t i = o + k;
            switch (p[i]) {
            case '@':
                set_mark(mk.at, k, nl, base, &line, lines, count);
                break;
            case '+':
                if (trawl_is_international_prefix(p, n, i)) set_mark(mk.plus, k, nl, base, &line, lines, count);
                break;
            case 0xE2:
                if (trawl_is_euro_sign(p, n, i)) set_mark(mk.currency, k, nl, base, &line, lines, count);
                break;
            default:  // `u` or `U`
                if (i >= 1 && i + 1 < n && (p[i - 1] | 0x20) == 'e' && (p[i + 1] | 0x20) == 'r') set_mark(mk.currency, k, nl, base, &line, lines, count);
                break;
            }
        }
        // Two capitals (maybe then a space) before two digits: `FR76`, `GB 29`.
        uint64_t caps = d & digit_after & (before(current.letter, previous.letter, 1) | before(current.space, previous.space, 1));
        while (caps != 0) {
            const int k = __builtin_ctzll(caps);
            caps &= caps - 1;
            if (trawl_follows_two_capitals(p, o + k)) set_mark(mk.caps_digits, k, nl, base, &line, lines, count);
        }
        // What reaches the next block.
        if (d >> 63) {
            if (~d != 0) digit_start = o + 64 - __builtin_clzll(~d);
        } else {
            digit_start = o + 64;
        }
        if (words >> 63) {
            if (non_words != 0) word_start = o + 64 - __builtin_clzll(non_words);
        } else {
            word_start = o + 64;
        }
        previous = current;
        current = next;
    }
    if (p[n - 1] != 0x0A) {
        ends[count] = (int32_t)n;
        lines[count] = line;
        count++;
    }
    return count;
}

#undef TRAWL_MEASURE
#undef TRAWL_MASKS_AT
#undef TRAWL_CLASSIFY
#undef TRAWL_TARGET
