#ifndef TRAWL_CSQLITE_SHIM_H
#define TRAWL_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
