#include "trawl_shapes.h"
#include <string.h>

static inline int is_digit(uint8_t b) { return (uint8_t)(b - '0') < 10; }

/// The end of one to three digits from `i` followed by `.` (the dot's index), or -1.
static inline int64_t octet_dot(const uint8_t *p, int64_t i, int64_t n) {
    int64_t k = i;
    while (k < n && k - i < 4 && is_digit(p[k])) k++;
    const int64_t digits = k - i;
    return digits >= 1 && digits <= 3 && k < n && p[k] == '.' ? k : -1;
}

int64_t trawl_next_dotted_quad(const uint8_t *p, int64_t from, int64_t to, int64_t n) {
    // Every dotted quad's first dot is one to three bytes past its start: look at the dots from
    // `from + 1` on, and for each at the run of digits right before it.
    int64_t i = from + 1;
    while (i < n) {
        const uint8_t *dot = memchr(p + i, '.', (size_t)(n - i));
        if (dot == NULL) return to;
        i = dot - p;
        int64_t r = i;
        while (r > 0 && i - r < 4 && is_digit(p[r - 1])) r--;
        if (r >= to) return to;
        const int64_t digits = i - r;
        // Three digits or fewer, not after another digit.
        if (r >= from && digits >= 1 && digits <= 3 && (r == 0 || !is_digit(p[r - 1]))) {
            const int64_t second = octet_dot(p, i + 1, n);
            const int64_t third = second < 0 ? -1 : octet_dot(p, second + 1, n);
            if (third >= 0 && third + 1 < n && is_digit(p[third + 1])) return r;
        }
        i++;
    }
    return to;
}
