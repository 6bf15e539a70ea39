import Testing
@testable import TrawlCore

@Suite("CSV reader")
struct CSVReaderTests {
    @Test func headerGivesFieldNamesAndPositions() throws {
        let (cells, problems) = try Read.cells("nom,email\nDupont,d@free.fr\nMartin,m@free.fr\n", format: .csv)
        #expect(problems.isEmpty)
        #expect(cells == [
            ReadCell(text: "Dupont", field: "nom", line: 2, column: 1),
            ReadCell(text: "d@free.fr", field: "email", line: 2, column: 8),
            ReadCell(text: "Martin", field: "nom", line: 3, column: 1),
            ReadCell(text: "m@free.fr", field: "email", line: 3, column: 8),
        ])
    }

    @Test func quotedCellsWithEscapesCommasAndLineBreaks() throws {
        let csv = "id,note,ville\r\n1,\"a, \"\"b\"\"\nsuite\",Paris\r\n2,,Lyon\r\n"
        let (cells, problems) = try Read.cells(csv, format: .csv)
        #expect(problems.isEmpty)
        #expect(cells == [
            ReadCell(text: "1", field: "id", line: 2, column: 1),
            ReadCell(text: "a, \"b\"\nsuite", field: "note", line: 2, column: 4),
            ReadCell(text: "Paris", field: "ville", line: 3, column: 8),
            ReadCell(text: "2", field: "id", line: 4, column: 1),
            ReadCell(text: "Lyon", field: "ville", line: 4, column: 4),
        ])
    }

    @Test(arguments: [(";", "a;b"), ("\t", "a\tb"), ("|", "a|b"), (",", "a,b")])
    func sniffsTheDelimiter(delimiter: String, header: String) throws {
        let (cells, _) = try Read.cells("\(header)\nx\(delimiter)y\n", format: .csv)
        #expect(cells.map(\.field) == ["a", "b"])
        #expect(cells.map(\.text) == ["x", "y"])
    }

    @Test func utf8BOMAndMultibyteColumns() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("prénom\tnom\nÉlodie\tDurand\n".utf8)
        let (cells, _) = try Read.cells(bytes, format: .tsv)
        #expect(cells == [
            ReadCell(text: "Élodie", field: "prénom", line: 2, column: 1),
            ReadCell(text: "Durand", field: "nom", line: 2, column: 8),
        ])
    }

    @Test func unterminatedQuoteIsReportedAndStillScanned() throws {
        let (cells, problems) = try Read.cells("a,b\n1,\"open\n2,3\n", format: .csv)
        #expect(cells.map(\.text) == ["1", "open\n2,3\n"])
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("line 2") == true)
    }

    @Test func extraCellsGetPositionalNames() throws {
        let (cells, _) = try Read.cells("a\n1,2\n", format: .csv)
        #expect(cells.map(\.field) == ["a", "column_2"])
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test func keyPathsAndLines() throws {
        let json = """
        {
          "student": {"contact": {"email": "e@free.fr", "tel": 612345678}},
          "list": [{"nir": "x"}, {"nir": "y"}],
          "odd key": "z",
          "ok": true, "none": null, "empty": ""
        }
        """
        let (cells, problems) = try Read.cells(json, format: .json)
        #expect(problems.isEmpty)
        #expect(cells == [
            ReadCell(text: "e@free.fr", field: "$.student.contact.email", line: 2, column: 37),
            ReadCell(text: "612345678", field: "$.student.contact.tel", line: 2, column: 56),
            ReadCell(text: "x", field: "$.list[*].nir", line: 3, column: 21),
            ReadCell(text: "y", field: "$.list[*].nir", line: 3, column: 35),
            ReadCell(text: "z", field: "$[\"odd key\"]", line: 4, column: 15),
        ])
    }

    @Test func ndjsonEachLineIsARoot() throws {
        let (cells, problems) = try Read.cells("{\"a\":\"1\"}\n{\"a\":\"2\",\"b\":[\"3\",[\"4\"]]}\n", format: .ndjson)
        #expect(problems.isEmpty)
        #expect(cells.map(\.description) == ["$.a@1:7=\"1\"", "$.a@2:7=\"2\"", "$.b[*]@2:16=\"3\"", "$.b[*][*]@2:21=\"4\""])
    }

    @Test func escapesAreDecoded() throws {
        let (cells, _) = try Read.cells(#"{"k":"a\"b\\c\u00e9\ud83d\ude00\n"}"#, format: .json)
        #expect(cells.first?.text == "a\"b\\cé😀\n")
    }

    @Test func syntaxErrorFallsBackToTextAndIsReported() throws {
        let (cells, problems) = try Read.cells("{\"a\": \"1\",\n oops here d@free.fr\n}", format: .json)
        #expect(problems.count == 1)
        #expect(problems[0].code == .parseFailed)
        #expect(problems[0].line == 2)
        #expect(cells.first?.text == "1")
        #expect(cells.dropFirst().contains { $0.text.contains("d@free.fr") && $0.field == nil && $0.line == 2 })
    }

    @Test func deepNestingDoesNotOverflowTheStack() throws {
        let depth = 200_000
        let text = String(repeating: "[", count: depth) + "\"v\"" + String(repeating: "]", count: depth)
        let (cells, problems) = try Read.cells(text, format: .json)
        #expect(problems.count == 1)  // deeper than JSONReader.maxDepth: reported, then read as text
        #expect(cells.contains { $0.text.contains("v") })
    }
}

@Suite("Text reader and decoding")
struct TextReaderTests {
    @Test func linesAndColumns() throws {
        let findings = try TestDetectors.scan("one\nÉé x d@free.fr\n\nthree d@free.fr", detectors: [try TestDetectors.make(Fixtures.emailYAML)])
        #expect(findings.map { "\($0.line):\($0.column)" } == ["2:6", "4:7"])
    }

    @Test func utf16WithBOMIsDecoded() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "nom;mail\r\nÉlodie;e@free.fr\r\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let (cells, _) = try Read.cells(bytes, format: .csv)
        #expect(cells.map(\.text) == ["Élodie", "e@free.fr"])
        #expect(cells.map(\.line) == [2, 2])
    }

    @Test func aLineLongerThanAChunkIsScannedInOverlappingPiecesWithoutDuplicates() throws {
        // Values every ~2 KB along a 3 MiB single line, so some straddle every cut.
        var bytes: [UInt8] = []
        var expectedColumns: [String: Int] = [:]
        let filler = [UInt8](repeating: 0x78, count: 1993)
        var n = 0
        while bytes.count < 3 * BatchLimits.cellPiece {
            bytes += filler
            bytes.append(0x20)
            let value = "v\(n)@free.fr"
            expectedColumns[value] = bytes.count + 1
            bytes += Array(value.utf8)
            bytes.append(0x20)
            n += 1
        }
        bytes.append(0x0A)
        let findings = try TestDetectors.scan(String(decoding: bytes, as: UTF8.self), detectors: [try TestDetectors.make(Fixtures.emailYAML)])
        #expect(findings.count == n)
        #expect(Set(findings.compactMap(\.value)) == Set(expectedColumns.keys))
        #expect(findings.allSatisfy { $0.line == 1 })
        #expect(findings.allSatisfy { expectedColumns[$0.value ?? ""] == $0.column })
    }
}

enum Fixtures {
    static let emailYAML = """
    id: test-email
    name: e-mail
    category: user.contact.email
    description: test
    pattern: '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9-])'
    confidence: medium
    context: ["courriel"]
    fields: '(?:^|_)e_?mail(?:_|$)'
    examples: {match: ["«a@free.fr»"], no_match: ["a@b"]}
    """
}

@Suite("Field ids")
struct FieldIDTests {
    /// A reader's cached ids hold only for a batch with the same fields: a copy that gains a
    /// field, another batch, a fresh one.
    @Test func cachedIDsHoldOnlyWhileTheFieldsAreTheSame() {
        var cache = FieldIDCache()
        var a = TextBatch()
        #expect(a.fieldsStamp == 0)
        #expect(cache.id(0, in: &a, name: "x") == 0)
        #expect(cache.id(1, in: &a, name: "y") == 1)
        var copy = a
        #expect(copy.fieldsStamp == a.fieldsStamp)
        #expect(cache.id(1, in: &copy, name: "y") == 1)
        // The copy and the original each gain a different field: neither may use the other's ids.
        #expect(copy.fieldID("z") == 2)
        #expect(a.fieldID("w") == 2)
        #expect(copy.fieldsStamp != a.fieldsStamp)
        #expect(cache.id(2, in: &copy, name: "z") == 2)
        #expect(cache.id(2, in: &a, name: "w") == 2)
        // Another batch whose fields came in another order.
        var other = TextBatch()
        #expect(other.fieldID("y") == 0)
        #expect(cache.id(0, in: &other, name: "x") == 1)
        #expect(cache.id(1, in: &other, name: "y") == 0)
        #expect(other.fields == ["y", "x"])
        // A fresh batch.
        var fresh = TextBatch()
        #expect(cache.id(1, in: &fresh, name: "y") == 0)
        #expect(fresh.fields == ["y"])
        // Tables are part of a field.
        #expect(cache.id(3, in: &fresh, name: "y", table: "t") == 1)
        #expect(fresh.fieldTables == [nil, "t"])
        // Keys that keep coming (a JSON map keyed by record): every new field makes the older
        // entries stale, and each is found again.
        var keyed = TextBatch()
        for key in 0..<300 { #expect(cache.id(key, in: &keyed, name: "k\(key)") == Int32(key)) }
        #expect(cache.id(0, in: &keyed, name: "k0") == 0)
        #expect(cache.id(299, in: &keyed, name: "k299") == 299)
        #expect(keyed.fields.count == 300)
    }
}
