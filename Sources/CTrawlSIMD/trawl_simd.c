// Everything is in include/trawl_simd.h (static inline, so that Swift inlines it); SwiftPM needs
// one source file for a C target.
#include "trawl_simd.h"
