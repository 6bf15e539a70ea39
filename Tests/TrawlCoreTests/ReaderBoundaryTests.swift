import Testing
@testable import TrawlCore

/// The readers' fast paths copy whole runs of buffered bytes; a run cut by the buffer's end (a
/// cell, a `""` escape, a CR, a JSON escape or a multi-byte character split across two reads) must
/// give the same cells as the same input read at once.
@Suite("Reader fast paths at buffer boundaries")
struct ReaderBoundaryTests {
    /// The cells of `bytes` read at once, after checking that every split into two reads (and
    /// reads of 1, 2, 3 and 7 bytes) gives the same cells and problems.
    static func cellsAtEveryCut(_ bytes: [UInt8], reader make: (BufferedInput) throws -> CellReader) throws -> [ReadCell] {
        let whole = try Read.cells(of: try make(try BufferedInput(source: MemorySource(bytes))))
        let splits = (1..<bytes.count).map { [$0, bytes.count] } + [[1], [2], [3], [7]]
        for pieces in splits {
            let cut = try Read.cells(of: try make(try BufferedInput(source: PieceSource(bytes, pieces: pieces))))
            #expect(cut.cells == whole.cells, "reads of \(pieces)")
            #expect(cut.problems.map(\.message) == whole.problems.map(\.message), "reads of \(pieces)")
        }
        return whole.cells
    }

    static func csv(_ input: BufferedInput) throws -> CellReader { try CSVReader(input: input, path: "t.csv", delimiter: 0x2C) }
    static func json(_ input: BufferedInput) throws -> CellReader { JSONReader(input: input, path: "t.json") }

    @Test func csvQuotesEscapesLineEndsAndMultibyteColumns() throws {
        // CRLF, a lone CR, `""` inside and as a whole quoted cell, a quote inside an unquoted cell,
        // a blank cell, and multi-byte characters in runs longer than eight bytes.
        let csv = "id,note,ville\r\n1,\"a, \"\"b\"\"\nsuite\",Paris\r\n2,,Lyon\r\n3, ,x\"y\r4,é€😀 Ünïcödé-long-enough,\"\"\"\"\n5,last"
        let cells = try Self.cellsAtEveryCut(Array(csv.utf8), reader: Self.csv)
        #expect(cells == [
            ReadCell(text: "1", field: "id", line: 2, column: 1),
            ReadCell(text: "a, \"b\"\nsuite", field: "note", line: 2, column: 4),
            ReadCell(text: "Paris", field: "ville", line: 3, column: 8),
            ReadCell(text: "2", field: "id", line: 4, column: 1),
            ReadCell(text: "Lyon", field: "ville", line: 4, column: 4),
            ReadCell(text: "3", field: "id", line: 5, column: 1),
            ReadCell(text: "x\"y", field: "ville", line: 5, column: 5),
            ReadCell(text: "4", field: "id", line: 6, column: 1),
            ReadCell(text: "é€😀 Ünïcödé-long-enough", field: "note", line: 6, column: 3),
            ReadCell(text: "\"", field: "ville", line: 6, column: 28),
            ReadCell(text: "5", field: "id", line: 7, column: 1),
            ReadCell(text: "last", field: "note", line: 7, column: 3),
        ])
    }

    /// Empty cells and blank lines, which the whole-cell fast path takes in passing, keep the
    /// cells after them on their line, column and field.
    @Test func csvEmptyCellsAndBlankLinesAtEveryCut() throws {
        let cells = try Self.cellsAtEveryCut(Array("a,b,c\n1,,\n\n,,2\n\n\n3,4,5\n,\n6".utf8), reader: Self.csv)
        #expect(cells == [
            ReadCell(text: "1", field: "a", line: 2, column: 1),
            ReadCell(text: "2", field: "c", line: 4, column: 3),
            ReadCell(text: "3", field: "a", line: 7, column: 1),
            ReadCell(text: "4", field: "b", line: 7, column: 3),
            ReadCell(text: "5", field: "c", line: 7, column: 5),
            ReadCell(text: "6", field: "a", line: 9, column: 1),
        ])
    }

    /// SQL values, the plain ones taken by the fast path (strings without escapes, numbers,
    /// `NULL`, spaces before them) and the others between them, at every cut.
    @Test func sqlPlainAndOtherValuesAtEveryCut() throws {
        let dump = "INSERT INTO `t` VALUES (1,'Zoé',NULL,-2.5,''),(2, 'a b' , null,'l\\'x',0x41)\n,(3,'',NULL,'ok',  'é€');"
        let cells = try Self.cellsAtEveryCut(Array(dump.utf8)) { SQLReader(input: $0, path: "t.sql") }
        #expect(cells == [
            ReadCell(text: "1", field: "t.#1", line: 1, column: 25),
            ReadCell(text: "Zoé", field: "t.#2", line: 1, column: 28),
            ReadCell(text: "-2.5", field: "t.#4", line: 1, column: 38),
            ReadCell(text: "2", field: "t.#1", line: 1, column: 48),
            ReadCell(text: "a b", field: "t.#2", line: 1, column: 52),
            ReadCell(text: "l'x", field: "t.#4", line: 1, column: 65),
            ReadCell(text: "0x41", field: "t.#5", line: 1, column: 71),
            ReadCell(text: "3", field: "t.#1", line: 2, column: 3),
            ReadCell(text: "ok", field: "t.#4", line: 2, column: 14),
            ReadCell(text: "é€", field: "t.#5", line: 2, column: 21),
        ])
    }

    @Test func csvUnterminatedQuoteAtEveryCut() throws {
        let cells = try Self.cellsAtEveryCut(Array("a,b\n1,\"open \"\"x\"\"\n2,3\n".utf8), reader: Self.csv)
        #expect(cells.map(\.text) == ["1", "open \"x\"\n2,3\n"])
    }

    /// Long cells, quoted (with `""` and line breaks) and not, are cut into the same pieces
    /// whatever the reads, each at most `BatchLimits.cellPiece` bytes, overlapping by
    /// `BatchLimits.overlap`.
    @Test func csvLongCellsArePiecedTheSameWhateverTheReads() throws {
        let piece = BatchLimits.cellPiece, overlap = BatchLimits.overlap
        var quoted: [UInt8] = [], decoded: [UInt8] = []
        while decoded.count < 2 * piece + piece / 2 {
            let word = Array("v \(decoded.count) ".utf8)  // ASCII: a piece may end inside a character
            quoted += word + Array("\"\"\n".utf8)
            decoded += word + Array("\"\n".utf8)
        }
        let plain = [UInt8](repeating: 0x78, count: 2 * piece + 17)
        let bytes = Array("a,b\n1,\"".utf8) + quoted + Array("\",z\n".utf8) + plain + Array(",w\n".utf8)
        let whole = try Read.cells(of: try Self.csv(try BufferedInput(source: MemorySource(bytes))))
        let cut = try Read.cells(of: try Self.csv(try BufferedInput(source: PieceSource(bytes, pieces: [1, 3, 7, 64, 509, 2, 1021, 4096, 65_537]))))
        #expect(cut.cells == whole.cells)
        #expect(whole.cells.allSatisfy { $0.text.utf8.count <= piece })

        func joined(_ cells: [ReadCell]) -> [UInt8] {
            cells.enumerated().flatMap { i, c in Array(c.text.utf8).dropFirst(i == 0 ? 0 : overlap) }
        }
        let a = whole.cells.filter { $0.field == "b" && $0.text.count > 1 }
        #expect(a.count == 3)
        #expect(joined(a) == decoded)
        let x = whole.cells.filter { $0.field == "a" && $0.text.hasPrefix("xxx") }
        #expect(x.count == 3)
        #expect(joined(x) == plain)
    }

    @Test func jsonStringsEscapesNumbersAndLiteralsAtEveryCut() throws {
        // Escapes (a surrogate pair, a lone high surrogate, `\"`), multi-byte runs longer than
        // eight bytes, numbers, literals, an empty string and an odd key.
        let json = #"{"a": "x\"y\\z\u00e9\ud83d\ude00 plain-ascii-run", "b": [1, -2.5e+3, "é€😀 Ünïcödé"],"#
            + #" "odd key": {"c": null, "d": true, "e": "", "f": "\ud83dx"}}"# + "\n"
        let cells = try Self.cellsAtEveryCut(Array(json.utf8), reader: Self.json)
        #expect(cells == [
            ReadCell(text: "x\"y\\zé😀 plain-ascii-run", field: "$.a", line: 1, column: 8),
            ReadCell(text: "1", field: "$.b[*]", line: 1, column: 58),
            ReadCell(text: "-2.5e+3", field: "$.b[*]", line: 1, column: 61),
            ReadCell(text: "é€😀 Ünïcödé", field: "$.b[*]", line: 1, column: 71),
            ReadCell(text: "\u{FFFD}x", field: "$[\"odd key\"].f", line: 1, column: 135),
        ])
    }

    /// Keys are interned per parent path: records that repeat, reorder, skip or add keys, and the
    /// same key under other parents, still get their own paths.
    /// A raw LF inside a key (invalid JSON, but read) restarts the column, in the fast path as in
    /// the byte-by-byte one (found by differential fuzzing against the reader before its fast path).
    @Test func jsonRawNewlineInAKeyAtEveryCut() throws {
        let cells = try Self.cellsAtEveryCut(Array("{\"k\nk\": \"v\", \"x\": \"w\"}".utf8), reader: Self.json)
        #expect(cells == [
            ReadCell(text: "v", field: "$[\"k\nk\"]", line: 2, column: 6),
            ReadCell(text: "w", field: "$.x", line: 2, column: 16),
        ])
    }

    @Test func jsonKeyPathsAcrossRecordsAtEveryCut() throws {
        let ndjson = #"{"a":"1","b":{"a":"2"}}"# + "\n" + #"{"b":{"a":"3","z":"4"},"a":"5","c":"6"}"# + "\n"
            + #"{"c":"7","l":[{"a":"8"},{"b":"9"}]}"# + "\n" + #"{"a":{"a":"10"},"\u0061":"11"}"#
        let cells = try Self.cellsAtEveryCut(Array(ndjson.utf8), reader: Self.json)
        #expect(cells.map { "\($0.field ?? "-")=\($0.text)" } == [
            "$.a=1", "$.b.a=2", "$.b.a=3", "$.b.z=4", "$.a=5", "$.c=6", "$.c=7", "$.l[*].a=8", "$.l[*].b=9", "$.a.a=10", "$.a=11",
        ])
    }

    @Test func jsonSyntaxErrorAtEveryCut() throws {
        let cells = try Self.cellsAtEveryCut(Array("{\"a\": \"1\",\n oops here d@free.fr\n}".utf8), reader: Self.json)
        #expect(cells.first?.text == "1")
    }

    /// A JSON string longer than a cell piece, with escapes, is cut into the same pieces whatever
    /// the reads.
    @Test func jsonLongStringIsPiecedTheSameWhateverTheReads() throws {
        var value = ""
        while value.utf8.count < 2 * BatchLimits.cellPiece + 99 { value += "v \(value.utf8.count) \\\"\\n" }
        let bytes = Array("[\"\(value)\", \"after\"]".utf8)
        let whole = try Read.cells(of: try Self.json(try BufferedInput(source: MemorySource(bytes))))
        let cut = try Read.cells(of: try Self.json(try BufferedInput(source: PieceSource(bytes, pieces: [1, 3, 7, 64, 509, 2, 1021, 4096, 65_537]))))
        #expect(cut.cells == whole.cells)
        #expect(whole.cells.count >= 3 && whole.cells.last?.text == "after")
        #expect(whole.cells.allSatisfy { $0.text.utf8.count <= BatchLimits.cellPiece })
    }
}
