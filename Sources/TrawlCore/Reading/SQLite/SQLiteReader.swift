import CSQLite
import Foundation

/// SQLite 3 database files, read through the SQLite library and treated as hostile input.
///
/// Every ordinary table is read in schema order (`sqlite_schema` rowid order, which is creation
/// order) with `SELECT rowid, * FROM "table" ORDER BY rowid` (no sort: the table's own order); each non-NULL value becomes one cell whose field is
/// `table.column`, whose `row` is the rowid (a 1-based row counter for `WITHOUT ROWID` tables),
/// and whose location is `table rowid N` (`table row N`). Lines and columns are 0: a database has
/// none. TEXT is scanned as UTF-8, INTEGER and REAL as their decimal text, a BLOB as raw bytes
/// unless its first 8 KiB hold a NUL byte (then it is binary data and skipped); NULL and empty
/// values are counted as empty cells.
///
/// Internal tables (`sqlite_%`) and virtual tables are skipped: reading a virtual table runs its
/// module's code over attacker-controlled shadow data, and the shadow tables that hold an FTS or
/// R*Tree table's content are ordinary tables, read like any other.
///
/// The file is opened read-only and `immutable` (no lock, no journal, no WAL or shm file, never
/// written), so changes still in a write-ahead log next to it are not seen: that is reported as
/// a problem. A byte image (archive member, standard input) is deserialized read-only into memory.
/// A prepared statement is kept across `fill` calls, so a table streams in batches, and a value
/// longer than `BatchLimits.cellPiece` is handed over in overlapping pieces.
public final class SQLiteReader: CellReader {
    /// Largest value SQLite will load into memory (`SQLITE_LIMIT_LENGTH`); a longer one fails its
    /// table, reported as a problem.
    public static let maxValueLength: Int32 = 256 << 20
    /// A BLOB is scanned only if this many first bytes hold no NUL.
    public static let blobProbe = 8 * 1024

    struct Table {
        var name: String
        /// The name that reaches the real rowid (`rowid`, `_rowid_` or `oid`, whichever no column
        /// shadows), or nil for `WITHOUT ROWID` tables.
        var rowidAlias: String?
    }

    let displayPath: String
    public let sampleRows: Int?
    public private(set) var problems: [InputError] = []
    /// Names of the tables to read, in order.
    public private(set) var tableNames: [String] = []

    /// The connection (internal for tests, which may tighten its limits).
    private(set) var db: OpaquePointer?
    private var nextTable = 0
    private var statement: OpaquePointer?
    private var table = Table(name: "", rowidAlias: nil)
    /// Field names (`table.column`) of the current statement's data columns.
    private var fieldNames: [String] = []
    /// Field ids in the batch being filled, parallel to `fieldNames`.
    private var fieldIDs: [Int32] = []
    /// First data column of the statement (1 when column 0 is the rowid).
    private var firstColumn: Int32 = 0
    /// Next column to hand over in the current row, or nil when the next row must be stepped to.
    private var column: Int32?
    /// Offset reached in the current value when it is handed over in pieces.
    private var pieceOffset = 0
    private var rowCount = 0
    private var rowNumber = 0
    /// The last rowid reached in the current table (read or skipped), where a scan resumes.
    private var lastRowid: Int64?
    private var location = ""

    /// Opens the database file at `path` read-only and immutable. `displayPath` is the path
    /// reported in errors; `sampleRows` limits each table to its first rows.
    public init(path: String, displayPath: String, sampleRows: Int? = nil) throws(InputError) {
        self.displayPath = displayPath
        self.sampleRows = sampleRows
        var handle: OpaquePointer?
        let uri = Self.fileURI(path) + "?mode=ro&immutable=1"
        let rc = sqlite3_open_v2(uri, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        db = handle
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            db = nil
            throw InputError(path: displayPath, code: .readFailed,
                             message: "cannot open the SQLite database (\(message)); check that the file exists and is readable")
        }
        try prepare(handle)
        // An immutable database is read without its write-ahead log: say so when one is there.
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal"),
           let size = attributes[.size] as? Int, size > 0 {
            problems.append(InputError(path: displayPath, code: .unsupported,
                message: "a write-ahead log (\(displayPath)-wal) is next to the database; changes still in it were not scanned (Trawl never writes to the database). To scan them, copy the database with its -wal file and checkpoint the copy (`sqlite3 COPY 'PRAGMA wal_checkpoint'`)"))
        }
    }

    /// Reads a database from its bytes (an archive member, standard input): a copy is
    /// deserialized read-only into an in-memory connection.
    public init(bytes: [UInt8], displayPath: String, sampleRows: Int? = nil) throws(InputError) {
        self.displayPath = displayPath
        self.sampleRows = sampleRows
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        db = handle
        guard rc == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)
            db = nil
            throw InputError(path: displayPath, code: .readFailed, message: "cannot open an in-memory SQLite connection (out of memory)")
        }
        // SQLite frees the copy when the connection closes (or when deserializing fails).
        guard let copy = sqlite3_malloc64(sqlite3_uint64(max(bytes.count, 1)))?.assumingMemoryBound(to: UInt8.self) else {
            throw InputError(path: displayPath, code: .readFailed,
                             message: "not enough memory to load the \(bytes.count)-byte SQLite database")
        }
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { copy.update(from: base, count: source.count) }
        }
        // An in-memory image cannot be in WAL mode: mark a WAL database (header bytes 18 and 19
        // = 2) as a rollback-journal one. Only the copy changes; the image is complete either way.
        if bytes.count >= 20 && copy[18] == 2 && copy[19] == 2 {
            copy[18] = 1
            copy[19] = 1
        }
        let size = sqlite3_int64(bytes.count)
        let flags = UInt32(SQLITE_DESERIALIZE_READONLY) | UInt32(SQLITE_DESERIALIZE_FREEONCLOSE)
        let drc = sqlite3_deserialize(handle, "main", copy, size, sqlite3_int64(max(bytes.count, 1)), flags)
        guard drc == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(handle))
            throw InputError(path: displayPath, code: .readFailed, message: "cannot load the SQLite database into memory (\(message))")
        }
        try prepare(handle)
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close_v2(db)
    }

    /// True when `head` starts with the SQLite 3 file header, `SQLite format 3\0`.
    public static func looksLikeSQLite(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let magic: [UInt8] = Array("SQLite format 3".utf8) + [0]
        guard head.count >= magic.count else { return false }
        for i in 0..<magic.count where head[i] != magic[i] { return false }
        return true
    }

    /// A `file:` URI for `path`: every byte outside the unreserved set and `/` is percent-encoded
    /// (`%`, `?`, `#`, spaces, non-ASCII...). An absolute path gets an empty authority
    /// (`file:///a/b`), so a path starting with `//` is never read as a host name.
    static func fileURI(_ path: String) -> String {
        var out = path.hasPrefix("/") ? "file://" : "file:"
        let hex: [Character] = Array("0123456789ABCDEF")
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(Character(Unicode.Scalar(b)))
            default:
                out.append("%")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
        }
        return out
    }

    /// `"name"` with inner double quotes doubled: an SQL identifier, whatever it holds.
    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Locks the connection down, then reads the schema: the tables to scan, in order.
    private func prepare(_ db: OpaquePointer) throws(InputError) {
        // Defence in depth: nothing may be written, loaded or attached, and schema expressions may
        // only call innocuous functions; defensive mode forbids what could corrupt a database.
        _ = trawl_sqlite3_db_config_int(db, SQLITE_DBCONFIG_DEFENSIVE, 1)
        sqlite3_enable_load_extension(db, 0)
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, Self.maxValueLength)
        sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20)
        sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0)
        for pragma in ["PRAGMA query_only=1", "PRAGMA trusted_schema=0", "PRAGMA cell_size_check=1"] {
            sqlite3_exec(db, pragma, nil, nil, nil)
        }
        var (names, rc) = Self.readSchema(db)
        if rc & 0xFF == SQLITE_CORRUPT {
            // A truncated or damaged file (SQLite refuses one shorter than its header says):
            // `writable_schema` makes SQLite read what it can; the connection stays read-only.
            // Defensive mode forbids `writable_schema`: lift it for this read-only connection.
            let first = String(cString: sqlite3_errmsg(db))
            _ = trawl_sqlite3_db_config_int(db, SQLITE_DBCONFIG_DEFENSIVE, 0)
            sqlite3_exec(db, "PRAGMA writable_schema=1", nil, nil, nil)
            (names, rc) = Self.readSchema(db)
            if rc == SQLITE_OK {
                problems.append(InputError(path: displayPath, code: .parseFailed,
                    message: "the SQLite database is damaged or truncated (\(first)); its tables were read as far as possible. Check it with `sqlite3 FILE 'PRAGMA integrity_check'` or scan a good copy"))
            }
        }
        guard rc == SQLITE_OK else {
            throw InputError(path: displayPath, code: .parseFailed,
                             message: "cannot read the SQLite schema (\(String(cString: sqlite3_errmsg(db)))): the file is damaged, truncated or not a SQLite 3 database; check it with `sqlite3 FILE 'PRAGMA integrity_check'` or scan a good copy")
        }
        tableNames = names
    }

    /// The ordinary tables in `sqlite_schema` rowid (creation) order, and SQLite's result code.
    private static func readSchema(_ db: OpaquePointer) -> ([String], Int32) {
        let sql = "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
        var names: [String] = []
        var stmt: OpaquePointer?
        var rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        if rc == SQLITE_OK {
            while true {
                rc = sqlite3_step(stmt)
                guard rc == SQLITE_ROW else { break }
                guard let name = text(stmt, 0) else { continue }
                if let create = text(stmt, 1), isVirtual(create) { continue }
                names.append(name)
            }
            if rc == SQLITE_DONE { rc = SQLITE_OK }
        }
        sqlite3_finalize(stmt)
        return (names, rc)
    }

    /// True for `CREATE VIRTUAL TABLE` statements (SQLite stores the leading keywords verbatim
    /// from the creating statement, so spacing and case vary).
    private static func isVirtual(_ create: String) -> Bool {
        let words = create.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).prefix(2)
        return words.count == 2 && words[words.startIndex + 1].lowercased() == "virtual"
    }

    private static func text(_ stmt: OpaquePointer?, _ i: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, i) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    private func errorMessage() -> String { String(cString: sqlite3_errmsg(db)) }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        // Field ids belong to the batch: look each column up once per fill.
        fieldIDs = fieldNames.map { batch.fieldID($0, table: table.name) }
        while batch.byteCount < BatchLimits.bytes {
            if statement == nil {
                guard nextTable < tableNames.count else { return false }
                openTable(tableNames[nextTable], &batch)
                nextTable += 1
                continue
            }
            guard let current = column else {
                step()
                continue
            }
            let count = sqlite3_column_count(statement)
            var i = current
            while i < count {
                guard emit(i, &batch) else {
                    column = i  // the batch is full in the middle of a long value
                    return true
                }
                i += 1
                if batch.byteCount >= BatchLimits.bytes && i < count {
                    column = i
                    return true
                }
            }
            column = nil
        }
        return statement != nil || nextTable < tableNames.count
    }

    /// Prepares the statement that reads `name`. A table that cannot be read is a problem; the
    /// scan goes on with the next one.
    private func openTable(_ name: String, _ batch: inout TextBatch) {
        rowCount = 0
        lastRowid = nil
        let limit = sampleRows.map { " LIMIT \(max($0, 0))" } ?? ""
        // The column names, to find a rowid alias no column shadows.
        var probe: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT * FROM \(Self.quote(name))", -1, &probe, nil) == SQLITE_OK else {
            tableFailed(name, afterRows: 0)
            sqlite3_finalize(probe)
            return
        }
        var columns: [String] = []
        for i in 0..<sqlite3_column_count(probe) {
            columns.append(sqlite3_column_name(probe, i).map { String(cString: $0) } ?? "column_\(i + 1)")
        }
        sqlite3_finalize(probe)
        let lower = Set(columns.map { $0.lowercased() })
        var stmt: OpaquePointer?
        var alias: String?
        if let candidate = ["rowid", "_rowid_", "oid"].first(where: { !lower.contains($0) }),
           sqlite3_prepare_v2(db, "SELECT \(candidate), * FROM \(Self.quote(name)) ORDER BY \(candidate)\(limit)", -1, &stmt, nil) == SQLITE_OK {
            alias = candidate
        } else {
            // WITHOUT ROWID (or every alias shadowed by a column): number the rows instead.
            sqlite3_finalize(stmt)
            stmt = nil
            guard sqlite3_prepare_v2(db, "SELECT * FROM \(Self.quote(name))\(limit)", -1, &stmt, nil) == SQLITE_OK else {
                tableFailed(name, afterRows: 0)
                sqlite3_finalize(stmt)
                return
            }
        }
        statement = stmt
        table = Table(name: name, rowidAlias: alias)
        firstColumn = alias == nil ? 0 : 1
        fieldNames = columns.map { "\(name).\($0)" }
        fieldIDs = fieldNames.map { batch.fieldID($0, table: name) }
        column = nil
    }

    /// Moves to the next row of the current table, or closes the statement at its end.
    private func step() {
        let rc = sqlite3_step(statement)
        if rc == SQLITE_ROW {
            rowCount += 1
            if table.rowidAlias != nil {
                let rowid = sqlite3_column_int64(statement, 0)
                lastRowid = rowid
                rowNumber = Int(rowid)
            } else {
                rowNumber = rowCount
            }
            location = "\(table.name) \(table.rowidAlias != nil ? "rowid" : "row") \(rowNumber)"
            column = firstColumn
            pieceOffset = 0
            return
        }
        if rc != SQLITE_DONE {
            if sqlite3_errcode(db) & 0xFF == SQLITE_TOOBIG, skipTooBigRow() { return }
            tableFailed(table.name, afterRows: rowCount)
        }
        closeTable()
    }

    /// After a row holding a value longer than `maxValueLength`: reports it and goes on with the
    /// rows after it (rowid tables are scanned in rowid order, so the row is the first one past
    /// `lastRowid`, found from the key alone). Returns false when the table cannot be resumed.
    private func skipTooBigRow() -> Bool {
        guard let alias = table.rowidAlias else { return false }
        let from = Self.quote(table.name)
        let after = lastRowid.map { " WHERE \(alias) > \($0)" } ?? ""
        var probe: OpaquePointer?
        defer { sqlite3_finalize(probe) }
        guard sqlite3_prepare_v2(db, "SELECT \(alias) FROM \(from)\(after) ORDER BY \(alias) LIMIT 1", -1, &probe, nil) == SQLITE_OK,
              sqlite3_step(probe) == SQLITE_ROW else { return false }
        let skipped = sqlite3_column_int64(probe, 0)
        problems.append(InputError(path: displayPath, code: .unsupported,
            message: "table \(Self.quote(table.name)) rowid \(skipped) holds a value longer than \(Self.maxValueLength >> 20) MiB, the most Trawl loads from a SQLite database; that row was not scanned, the rest of the table was"))
        lastRowid = skipped
        rowCount += 1  // the skipped row counts towards `sampleRows`
        var limit = ""
        if let sampleRows {
            guard sampleRows - rowCount > 0 else {
                closeTable()  // the sample ends with the skipped row
                return true
            }
            limit = " LIMIT \(sampleRows - rowCount)"
        }
        var next: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT \(alias), * FROM \(from) WHERE \(alias) > \(skipped) ORDER BY \(alias)\(limit)", -1, &next, nil) == SQLITE_OK else {
            sqlite3_finalize(next)
            return false
        }
        sqlite3_finalize(statement)
        statement = next
        column = nil
        return true
    }

    private func closeTable() {
        sqlite3_finalize(statement)
        statement = nil
        column = nil
        fieldNames = []
        fieldIDs = []
    }

    private func tableFailed(_ name: String, afterRows rows: Int) {
        let done = rows == 0 ? "it was not scanned" : rows == 1 ? "only its first row was scanned" : "only its first \(rows) rows were scanned"
        if sqlite3_errcode(db) & 0xFF == SQLITE_TOOBIG {
            problems.append(InputError(path: displayPath, code: .unsupported,
                message: "cannot read table \(Self.quote(name)): a row holds a value longer than \(Self.maxValueLength >> 20) MiB, the most Trawl loads from a SQLite database; \(done)"))
            return
        }
        problems.append(InputError(path: displayPath, code: .parseFailed,
            message: "cannot read table \(Self.quote(name)) (\(errorMessage())): \(done). The database may be damaged or truncated; check it with `sqlite3 FILE 'PRAGMA integrity_check'` or scan a good copy"))
    }

    /// True when a BLOB starts with the signature of a file the scanner reads.
    static func holdsAFile(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        MediaKind.detect(head: Array(head)) != nil || ArchiveKind.detect(head: head) != nil
    }

    /// Hands over column `i` of the current row. Returns false when the batch filled up before
    /// the end of a long value (`pieceOffset` says where to resume).
    private func emit(_ i: Int32, _ batch: inout TextBatch) -> Bool {
        let id = fieldIDs[Int(i - firstColumn)]
        let pointer: UnsafePointer<UInt8>?
        switch sqlite3_column_type(statement, i) {
        case SQLITE_NULL:
            batch.appendEmpty(field: id)
            return true
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(statement, i))
            pointer = sqlite3_column_blob(statement, i)?.assumingMemoryBound(to: UInt8.self)
            if let pointer, n > 0 {
                // Binary data (a serialized object): nothing a text detector can read. A file
                // (an image, a PDF, a recording, an archive) is handed over as it is: the scanner
                // decodes it like a file on disk.
                let probe = UnsafeBufferPointer(start: pointer, count: min(n, Self.blobProbe))
                if probe.contains(0), !Self.holdsAFile(UnsafeBufferPointer(rebasing: probe.prefix(MediaKind.headLength))) { return true }
            }
        default:
            // TEXT as stored (UTF-8); INTEGER and REAL converted to their decimal text by SQLite.
            pointer = sqlite3_column_text(statement, i)
        }
        let n = Int(sqlite3_column_bytes(statement, i))
        guard let pointer, n > 0 else {
            batch.appendEmpty(field: id)
            return true
        }
        let value = UnsafeBufferPointer(start: pointer, count: n)
        if n <= BatchLimits.cellPiece {
            batch.append(value, field: id, line: 0, column: 0, row: rowNumber, location: location)
            return true
        }
        // A long value: overlapping pieces, as `CellBuilder` cuts them. Matches starting in the
        // first half of an overlap belong to the piece before it, the rest to the piece after.
        let half = BatchLimits.overlap / 2
        while pieceOffset < n {
            let end = min(pieceOffset + BatchLimits.cellPiece, n)
            let last = end == n
            batch.append(value[pieceOffset..<end], field: id, line: 0, column: 0,
                         emitFrom: pieceOffset == 0 ? 0 : half,
                         emitUntil: last ? nil : end - pieceOffset - half,
                         row: rowNumber, location: location)
            if last { break }
            pieceOffset = end - BatchLimits.overlap
            if batch.byteCount >= BatchLimits.bytes { return false }
        }
        pieceOffset = 0
        return true
    }
}
