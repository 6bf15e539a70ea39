import CSQLite
import Foundation
import Testing
@testable import TrawlCore
import TrawlTestSupport

/// A cell as `SQLiteReader` produced it.
struct DBCell: Equatable, CustomStringConvertible {
    var field: String
    var table: String?
    var text: String
    var row: Int
    var location: String?
    var line = 0
    var column = 0
    var description: String { "\(field)#\(row)@\(location ?? "-")=\(text.debugDescription)" }
}

/// Everything one reader produced: cells (pieces of long values included, with their emit range
/// relative to the piece), empty cells per field, problems.
struct DBRead {
    var cells: [DBCell] = []
    var emitRanges: [Range<Int>] = []
    var empties: [String: Int] = [:]
    var problems: [InputError] = []
    var batches = 0

    func texts(_ field: String) -> [String] { cells.filter { $0.field == field }.map(\.text) }
    func count(_ field: String) -> Int { cells.filter { $0.field == field }.count }
    /// The fields seen, in first-seen order.
    var fields: [String] {
        var seen: [String] = []
        for c in cells where !seen.contains(c.field) { seen.append(c.field) }
        return seen
    }

    init(_ reader: SQLiteReader) throws {
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            batches += 1
            #expect(batches < 10_000, "reader does not end")
            if batches >= 10_000 { break }
            for s in batch.segments {
                cells.append(DBCell(field: batch.fields[Int(s.field)], table: batch.fieldTables[Int(s.field)], text: batch.text(of: s),
                                    row: s.row, location: s.location >= 0 ? batch.locations[Int(s.location)] : nil,
                                    line: s.line, column: s.column))
                emitRanges.append((s.emitFrom - s.start)..<min(s.emitUntil, s.end) - s.start)
            }
            for (id, n) in batch.emptyCells { empties[batch.fields[Int(id)], default: 0] += n }
        }
        problems = reader.problems
    }
}

/// Builds fixture databases with the SQLite C API, so the tests need no `sqlite3` command.
enum SQLiteFixture {
    enum Value {
        case text(String), int(Int64), real(Double), blob([UInt8]), null
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Creates the database at `path`, runs `sql`, then inserts `rows` with `insert` (one `?` per value).
    static func create(_ path: String, _ sql: String, insert: String? = nil, rows: [[Value]] = []) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK else {
            sqlite3_close_v2(db)
            throw Failure(description: "cannot create \(path)")
        }
        defer { sqlite3_close_v2(db) }
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "?"
            sqlite3_free(error)
            throw Failure(description: message)
        }
        guard let insert else { return }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, insert, -1, &stmt, nil) == SQLITE_OK else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        for row in rows {
            sqlite3_reset(stmt)
            for (i, value) in row.enumerated() {
                let n = Int32(i + 1)
                switch value {
                case .text(let s): sqlite3_bind_text(stmt, n, s, -1, transient)
                case .int(let v): sqlite3_bind_int64(stmt, n, v)
                case .real(let v): sqlite3_bind_double(stmt, n, v)
                case .blob(let b): b.withUnsafeBytes { _ = sqlite3_bind_blob(stmt, n, $0.baseAddress, Int32(b.count), transient) }
                case .null: sqlite3_bind_null(stmt, n)
                }
            }
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        }
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}

/// The shared corpus, `../shared/corpus` from the package root (absent on most machines).
enum SharedCorpus {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/corpus").standardized
    static let chinook = root.appendingPathComponent("chinook-lerocha/Chinook_Sqlite.sqlite").path
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

@Suite("SQLite reader")
struct SQLiteReaderTests {
    static let people = """
    CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, phone INTEGER, score REAL, note TEXT, pic BLOB);
    INSERT INTO person VALUES (1, 'Jeanne Martin', 612345678, 12.5, '', NULL);
    INSERT INTO person VALUES (2, 'Paul Durand', NULL, NULL, 'courriel paul@free.fr', NULL);
    CREATE TABLE city (name TEXT, postcode TEXT);
    INSERT INTO city VALUES ('Lyon', '69001');
    """

    @Test func columnsTypesAndEmptyCells() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("people.db").path
        try SQLiteFixture.create(path, Self.people)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "people.db"))
        #expect(read.problems.isEmpty)
        #expect(read.fields == ["person.id", "person.name", "person.phone", "person.score", "person.note", "city.name", "city.postcode"])
        #expect(read.texts("person.name") == ["Jeanne Martin", "Paul Durand"])
        #expect(read.texts("person.phone") == ["612345678"])  // INTEGER as its decimal text
        #expect(read.texts("person.score") == ["12.5"])  // REAL as its text
        #expect(read.texts("person.note") == ["courriel paul@free.fr"])
        #expect(read.texts("city.postcode") == ["69001"])
        #expect(read.empties["person.note"] == 1)  // empty string
        #expect(read.empties["person.phone"] == 1)  // NULL
        #expect(read.empties["person.score"] == 1)
        #expect(read.empties["person.pic"] == 2)
        #expect(read.empties["person.name"] == nil)
        #expect(read.cells.allSatisfy { $0.line == 0 && $0.column == 0 })
        #expect(read.cells.first { $0.field == "city.name" }?.table == "city")
        #expect(read.cells.first { $0.field == "person.name" }?.table == "person")
    }

    @Test func rowidAndLocation() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("r.db").path
        try SQLiteFixture.create(path, """
        CREATE TABLE Customer (Email TEXT);
        INSERT INTO Customer (rowid, Email) VALUES (42, 'a@free.fr'), (7, 'b@free.fr');
        """)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "r.db"))
        #expect(read.cells == [
            DBCell(field: "Customer.Email", table: "Customer", text: "b@free.fr", row: 7, location: "Customer rowid 7"),
            DBCell(field: "Customer.Email", table: "Customer", text: "a@free.fr", row: 42, location: "Customer rowid 42"),
        ])
    }

    @Test func columnNamedRowidDoesNotHideTheRowid() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("r.db").path
        try SQLiteFixture.create(path, """
        CREATE TABLE t (rowid TEXT, v TEXT);
        INSERT INTO t (_rowid_, rowid, v) VALUES (5, 'not the rowid', 'x');
        """)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "r.db"))
        #expect(read.fields == ["t.rowid", "t.v"])
        #expect(read.cells.map(\.row) == [5, 5])
        #expect(read.cells.first?.text == "not the rowid")
        #expect(read.cells.first?.location == "t rowid 5")
    }

    @Test func withoutRowidTableCountsRows() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("w.db").path
        try SQLiteFixture.create(path, """
        CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
        INSERT INTO kv VALUES ('b', 'deux'), ('a', 'un');
        """)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "w.db"))
        #expect(read.problems.isEmpty)
        #expect(read.cells == [
            DBCell(field: "kv.k", table: "kv", text: "a", row: 1, location: "kv row 1"),
            DBCell(field: "kv.v", table: "kv", text: "un", row: 1, location: "kv row 1"),
            DBCell(field: "kv.k", table: "kv", text: "b", row: 2, location: "kv row 2"),
            DBCell(field: "kv.v", table: "kv", text: "deux", row: 2, location: "kv row 2"),
        ])
    }

    @Test func quotedIdentifiers() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("q.db").path
        try SQLiteFixture.create(path, #"""
        CREATE TABLE "my ""odd"" table" ("e mail ""perso""" TEXT, "x" INTEGER);
        INSERT INTO "my ""odd"" table" VALUES ('a@free.fr', 1);
        """#)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "q.db"))
        #expect(read.problems.isEmpty)
        #expect(read.texts("my \"odd\" table.e mail \"perso\"") == ["a@free.fr"])
        #expect(read.cells.first?.location == "my \"odd\" table rowid 1")
        #expect(SQLiteReader.quote("a\"b") == "\"a\"\"b\"")
    }

    @Test func blobs() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("b.db").path
        var lateNUL = [UInt8](repeating: 0x41, count: SQLiteReader.blobProbe)
        lateNUL += [0] + Array("a@free.fr".utf8)
        try SQLiteFixture.create(path, "CREATE TABLE f (data BLOB);", insert: "INSERT INTO f VALUES (?)", rows: [
            [.blob(Array("mail: a@free.fr".utf8))],  // text stored as a blob: scanned
            [.blob([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01])],  // binary: skipped
            [.blob(lateNUL)],  // no NUL in the first 8 KiB: scanned
            [.blob([])],  // empty
        ])
        let read = try DBRead(SQLiteReader(path: path, displayPath: "b.db"))
        #expect(read.texts("f.data").count == 2)
        #expect(read.texts("f.data").first == "mail: a@free.fr")
        #expect(read.cells.map(\.row) == [1, 3])
        #expect(read.empties["f.data"] == 1)
    }

    @Test func rowWithAValueOverTheLengthLimitIsSkippedAndReported() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("big.db").path
        let long = String(repeating: "x", count: 2000)
        try SQLiteFixture.create(path, "CREATE TABLE t (v TEXT, w TEXT); CREATE TABLE u (v TEXT);",
                                 insert: "INSERT INTO t VALUES (?, ?)",
                                 rows: [[.text("a"), .text("a2")], [.text(long), .text("b2")], [.text("c"), .text(long)], [.text("d"), .null]])
        try SQLiteFixture.create(path, "INSERT INTO u VALUES ('after');")
        for sample in [nil, 3] as [Int?] {
            let reader = try SQLiteReader(path: path, displayPath: "big.db", sampleRows: sample)
            sqlite3_limit(reader.db, SQLITE_LIMIT_LENGTH, 1000)
            let read = try DBRead(reader)
            #expect(read.texts("t.v") == (sample == nil ? ["a", "d"] : ["a"]))
            #expect(read.texts("u.v") == ["after"])
            #expect(read.problems.map(\.code) == [.unsupported, .unsupported])
            #expect(read.problems.first?.message.contains("table \"t\" rowid 2 holds a value longer than") == true)
            #expect(read.problems.last?.message.contains("rowid 3") == true)
        }
    }

    @Test func withoutRowidTableStopsAtAValueOverTheLengthLimit() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("big.db").path
        try SQLiteFixture.create(path, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;", insert: "INSERT INTO kv VALUES (?, ?)",
                                 rows: [[.text("a"), .text("1")], [.text("b"), .text(String(repeating: "x", count: 2000))], [.text("c"), .text("3")]])
        let reader = try SQLiteReader(path: path, displayPath: "big.db")
        sqlite3_limit(reader.db, SQLITE_LIMIT_LENGTH, 1000)
        let read = try DBRead(reader)
        #expect(read.texts("kv.v") == ["1"])
        #expect(read.problems.map(\.code) == [.unsupported])
        #expect(read.problems.first?.message.contains("only its first row was scanned") == true)
    }

    @Test func emptyDatabaseHasNoCells() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("empty.db").path
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(try DBRead(SQLiteReader(path: path, displayPath: "empty.db")).cells.isEmpty)
        #expect(try DBRead(SQLiteReader(bytes: [], displayPath: "empty.db")).cells.isEmpty)
        #expect(try DBRead(SQLiteReader(path: path, displayPath: "empty.db")).problems.isEmpty)
    }

    @Test func sampleRowsReadsTheFirstRowsOfEachTable() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("s.db").path
        try SQLiteFixture.create(path, """
        CREATE TABLE a (v TEXT); CREATE TABLE b (v TEXT);
        INSERT INTO a VALUES ('1'), ('2'), ('3'), ('4'), ('5');
        INSERT INTO b VALUES ('x'), ('y'), ('z');
        """)
        let read = try DBRead(SQLiteReader(path: path, displayPath: "s.db", sampleRows: 2))
        #expect(read.texts("a.v") == ["1", "2"])
        #expect(read.texts("b.v") == ["x", "y"])
    }

    @Test func virtualTablesAreSkippedAndTheirContentReadFromShadowTables() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("v.db").path
        try SQLiteFixture.create(path, """
        CREATE VIRTUAL TABLE docs USING fts5(body);
        INSERT INTO docs VALUES ('courriel a@free.fr');
        """)
        let reader = try SQLiteReader(path: path, displayPath: "v.db")
        #expect(!reader.tableNames.contains("docs"))
        let read = try DBRead(reader)
        #expect(read.problems.isEmpty)
        #expect(read.texts("docs_content.c0") == ["courriel a@free.fr"])
    }

    @Test func longValueIsReadInOverlappingPiecesAndFoundOnce() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("long.db").path
        // 2.5 MiB with an email address across the first cut and one near the end.
        // The first address straddles the end of the first piece (`cellPiece`).
        var value = String(repeating: "a ", count: (BatchLimits.cellPiece - 12) / 2) + "x jeanne.martin@orange.fr "
        value += String(repeating: "b ", count: (5 << 19 - value.utf8.count) / 2) + "paul@free.fr"
        try SQLiteFixture.create(path, "CREATE TABLE t (note TEXT, other TEXT);", insert: "INSERT INTO t VALUES (?, ?)",
                                 rows: [[.text(value), .text("after")]])
        let read = try DBRead(SQLiteReader(path: path, displayPath: "long.db"))
        let pieces = read.cells.indices.filter { read.cells[$0].field == "t.note" }
        #expect(pieces.count == 3)
        #expect(read.batches >= 3)  // streamed: no batch holds the whole value
        // The emit ranges of the pieces tile the value exactly once.
        let rebuilt = pieces.map { Array(read.cells[$0].text.utf8)[read.emitRanges[$0]] }.reduce(into: [UInt8]()) { $0 += $1 }
        #expect(rebuilt == Array(value.utf8))
        #expect(pieces.allSatisfy { read.cells[$0].location == "t rowid 1" && read.cells[$0].row == 1 })
        #expect(read.texts("t.other") == ["after"])
        // Through the engine: each address is reported once.
        let engine = DetectionEngine(catalog: DetectorCatalog(detectors: [try TestDetectors.make(Fixtures.emailYAML)]),
                                     options: DetectionOptions(minConfidence: .low, showValues: true))
        let worker = engine.makeWorker()
        let reader = try SQLiteReader(path: path, displayPath: "long.db")
        var findings: [Finding] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            worker.scan(batch, path: "long.db", into: &findings)
        }
        #expect(findings.map { $0.value ?? "" }.sorted() == ["jeanne.martin@orange.fr", "paul@free.fr"])
        #expect(findings.allSatisfy { $0.location == "t rowid 1" && $0.row == 1 && $0.field == "t.note" })
    }

    @Test func manyRowsStreamInBatches() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("many.db").path
        let row = String(repeating: "x", count: 1000)
        try SQLiteFixture.create(path, "CREATE TABLE t (v TEXT);", insert: "INSERT INTO t VALUES (?)",
                                 rows: Array(repeating: [.text(row)], count: 3000))
        let reader = try SQLiteReader(path: path, displayPath: "many.db")
        var batches = 0
        var cells = 0
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            #expect(batch.byteCount < BatchLimits.bytes + 2 * 1001)
            cells += batch.segments.count
            batches += 1
        }
        #expect(cells == 3000)
        #expect(batches >= 3)
    }

    @Test func notADatabaseThrowsAClearError() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("fake.db").path
        try Data(String(repeating: "this is not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: InputError.self) { try SQLiteReader(path: path, displayPath: "fake.db") }
        #expect(error?.path == "fake.db")
        #expect(error?.code == .parseFailed)
        #expect(error?.message.contains("file is not a database") == true)
        #expect(error?.message.contains("not a SQLite 3 database") == true)
        // The same from bytes.
        let fromBytes = #expect(throws: InputError.self) { try SQLiteReader(bytes: SQLiteFixture.bytes(path), displayPath: "fake.db") }
        #expect(fromBytes?.code == .parseFailed)
    }

    @Test func corruptHeaderThrows() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("c.db").path
        try SQLiteFixture.create(path, Self.people)
        var bytes = try SQLiteFixture.bytes(path)
        for i in 16..<100 { bytes[i] = 0xFF }  // page size, versions, counters: nonsense
        let error = #expect(throws: InputError.self) { try SQLiteReader(bytes: bytes, displayPath: "c.db") }
        #expect(error?.code == .parseFailed)
        #expect(error?.message.isEmpty == false)
    }

    @Test func truncatedFileReportsTheTableAndGoesOn() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("t.db").path
        let big = String(repeating: "y", count: 500)
        // `small` fits in its first pages; `big` spans many; `late` is created last, its root page
        // past the cut.
        try SQLiteFixture.create(path, "CREATE TABLE small (v TEXT); INSERT INTO small VALUES ('a@free.fr'); CREATE TABLE big (v TEXT);",
                                 insert: "INSERT INTO big VALUES (?)", rows: Array(repeating: [.text(big)], count: 400))
        try SQLiteFixture.create(path, "CREATE TABLE late (v TEXT); INSERT INTO late VALUES ('z');")
        let bytes = try SQLiteFixture.bytes(path)
        let cut = Array(bytes[0..<(bytes.count / 2)])
        let truncated = dir.appendingPathComponent("truncated.db").path
        try Data(cut).write(to: URL(fileURLWithPath: truncated))
        for reader in [try SQLiteReader(path: truncated, displayPath: "truncated.db"), try SQLiteReader(bytes: cut, displayPath: "truncated.db")] {
            let read = try DBRead(reader)
            #expect(read.texts("small.v") == ["a@free.fr"])
            #expect(read.count("big.v") > 0 && read.count("big.v") < 400)  // read until the cut
            try #require(read.problems.count == 3)
            #expect(read.problems[0].message.contains("damaged or truncated (database disk image is malformed)"))
            #expect(read.problems[1].message.contains("cannot read table \"big\""))
            #expect(read.problems[1].message.contains("only its first \(read.count("big.v")) rows were scanned"))
            #expect(read.problems[1].message.contains("integrity_check"))
            #expect(read.problems[2].message.contains("cannot read table \"late\""))
            #expect(read.problems[2].message.contains("it was not scanned"))
            #expect(read.problems.allSatisfy { $0.path == "truncated.db" && $0.code == .parseFailed })
        }
    }

    @Test func bytesGiveTheSameCellsAsThePath() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("people.db").path
        try SQLiteFixture.create(path, Self.people + "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID; INSERT INTO kv VALUES ('k', 'v');")
        let fromPath = try DBRead(SQLiteReader(path: path, displayPath: "people.db", sampleRows: 1))
        let fromBytes = try DBRead(SQLiteReader(bytes: SQLiteFixture.bytes(path), displayPath: "people.db", sampleRows: 1))
        #expect(fromPath.cells.count == 8)
        #expect(fromBytes.cells == fromPath.cells)
        #expect(fromBytes.empties == fromPath.empties)
        #expect(fromBytes.problems.isEmpty)
    }

    /// The names in `dir`, sorted.
    static func entries(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test(arguments: ["DELETE", "WAL"])
    func fileIsNeverTouched(journalMode: String) throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("keep.db").path
        try SQLiteFixture.create(path, "PRAGMA journal_mode=\(journalMode);" + Self.people)
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        let before = try SQLiteFixture.bytes(path)
        #expect(Self.entries(dir) == ["keep.db"])
        do {
            let reader = try SQLiteReader(path: path, displayPath: "keep.db")
            let read = try DBRead(reader)
            #expect(read.problems.isEmpty)
            #expect(read.cells.count == 9)
            #expect(Self.entries(dir) == ["keep.db"])  // no -journal, -wal or -shm, even while open
            withExtendedLifetime(reader) {}
        }
        #expect(try SQLiteFixture.bytes(path) == before)
        let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        #expect(mtime == old)
        #expect(Self.entries(dir) == ["keep.db"])
    }

    @Test func uncheckpointedWriteAheadLogIsReported() throws {
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let path = dir.appendingPathComponent("w.db").path
        try SQLiteFixture.create(path, "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a');")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path + "-wal"))
        let read = try DBRead(SQLiteReader(path: path, displayPath: "w.db"))
        #expect(read.texts("t.v") == ["a"])
        #expect(read.problems.count == 1)
        #expect(read.problems.first?.code == .unsupported)
        #expect(read.problems.first?.message.contains("w.db-wal") == true)
    }

    @Test func pathsAreEncodedInTheURI() throws {
        #expect(SQLiteReader.fileURI("/a b/c%d?e#f/é.db") == "file:///a%20b/c%25d%3Fe%23f/%C3%A9.db")
        #expect(SQLiteReader.fileURI("rel/x.db") == "file:rel/x.db")
        #expect(SQLiteReader.fileURI("//host/x") == "file:////host/x")
        let dir = try TemporaryDirectory.make("sqlite")
        defer { TemporaryDirectory.remove(dir) }
        let sub = dir.appendingPathComponent("odd %41 ?q=1 #frag é").path
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let path = sub + "/d?b#.db"
        try SQLiteFixture.create(path, "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('ok');")
        let read = try DBRead(SQLiteReader(path: path, displayPath: "odd"))
        #expect(read.texts("t.v") == ["ok"])
    }

    @Test func missingFileThrows() {
        let error = #expect(throws: InputError.self) { try SQLiteReader(path: "/nonexistent/trawl/x.db", displayPath: "x.db") }
        #expect(error?.code == .readFailed)
        #expect(error?.path == "x.db")
    }

    @Test func headerSniffing() {
        let header = Array("SQLite format 3".utf8) + [0, 0x10, 0x00]
        #expect(header.withUnsafeBufferPointer { SQLiteReader.looksLikeSQLite($0) })
        let text = Array("SQLite format 3 is a file format".utf8)
        #expect(!text.withUnsafeBufferPointer { SQLiteReader.looksLikeSQLite($0) })
        let short = Array("SQLite".utf8)
        #expect(!short.withUnsafeBufferPointer { SQLiteReader.looksLikeSQLite($0) })
    }

    @Test("Chinook corpus database", .enabled(if: SharedCorpus.exists(SharedCorpus.chinook),
                                              "corpus file ../shared/corpus/chinook-lerocha/Chinook_Sqlite.sqlite is absent: test skipped"))
    func chinookCorpus() throws {
        let read = try DBRead(SQLiteReader(path: SharedCorpus.chinook, displayPath: "Chinook_Sqlite.sqlite"))
        #expect(read.problems.isEmpty)
        #expect(Set(read.cells.filter { $0.table == "Customer" }.map(\.row)).count == 59)
        #expect(read.count("Customer.Email") == 59)
        #expect(read.count("Employee.BirthDate") == 8)
        #expect(read.count("Customer.Fax") == 12)
        #expect(read.empties["Customer.Fax"] == 47)
        #expect(read.cells.first { $0.field == "Customer.Email" }?.location == "Customer rowid 1")
    }
}
