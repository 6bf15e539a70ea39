#ifndef TRAWL_CSQLITE_SHIM_H
#define TRAWL_CSQLITE_SHIM_H
#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: a fixed-argument wrapper for the
   integer options (SQLITE_DBCONFIG_DEFENSIVE and friends). */
static inline int trawl_sqlite3_db_config_int(sqlite3 *db, int op, int value) {
    return sqlite3_db_config(db, op, value, (int *)0);
}
#endif
