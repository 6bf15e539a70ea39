#ifndef TRAWL_CTRAWLZLIB_SHIM_H
#define TRAWL_CTRAWLZLIB_SHIM_H
#include <zlib.h>
#endif
