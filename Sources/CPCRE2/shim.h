#ifndef TRAWL_CPCRE2_SHIM_H
#define TRAWL_CPCRE2_SHIM_H
// PCRE2 selects its code-unit width with a macro; Trawl matches UTF-8 bytes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
