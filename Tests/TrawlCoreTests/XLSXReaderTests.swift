import Foundation
import Testing
import ZIPFoundation
@testable import TrawlCore
import TrawlTestSupport

/// A cell of a spreadsheet as the reader produced it.
struct SheetCell: Equatable, CustomStringConvertible {
    var text: String
    var field: String
    var table: String?
    var line: Int
    var column: Int
    var row: Int
    var location: String?
    var description: String { "\(table ?? "-")/\(field)@\(line):\(column) r\(row) \(location ?? "-")=\(text.debugDescription)" }
}

enum XLSXFixture {
    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>
        """

    static func workbook(_ sheets: [String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
            """
        for (i, name) in sheets.enumerated() { xml += "<sheet name=\"\(name)\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>" }
        return xml + "</sheets></workbook>"
    }

    static func rels(_ sheetTargets: [String], sharedStrings: Bool = true) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for (i, target) in sheetTargets.enumerated() {
            xml += "<Relationship Id=\"rId\(i + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"\(target)\"/>"
        }
        if sharedStrings {
            xml += "<Relationship Id=\"rId99\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        }
        return xml + "</Relationships>"
    }

    static func sheet(_ rows: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\n\(rows)\n</sheetData></worksheet>"
    }

    /// Writes a zip of `parts` (deflated) and returns its URL.
    static func write(_ parts: [(String, [UInt8])], to dir: URL, name: String = "book.xlsx") throws -> URL {
        let url = dir.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for (path, bytes) in parts {
            let data = Data(bytes)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return url
    }

    static func write(_ parts: [(String, String)], to dir: URL) throws -> URL {
        try write(parts.map { ($0.0, Array($0.1.utf8)) }, to: dir)
    }

    static func cells(_ reader: XLSXReader) throws -> [SheetCell] {
        var cells: [SheetCell] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            for s in batch.segments {
                #expect(s.anchored)
                cells.append(SheetCell(text: batch.text(of: s), field: batch.fields[Int(s.field)], table: batch.fieldTables[Int(s.field)],
                                       line: s.line, column: s.column, row: s.row, location: s.location >= 0 ? batch.locations[Int(s.location)] : nil))
            }
        }
        return cells
    }

    static func emptyCounts(_ reader: XLSXReader) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            for (id, n) in batch.emptyCells { counts["\(batch.fieldTables[Int(id)] ?? "-")/\(batch.fields[Int(id)])", default: 0] += n }
        }
        return counts
    }
}

@Suite("XLSX reader")
struct XLSXReaderTests {
    static let sharedStrings = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">
        <si><t>nom</t></si>
        <si><t>email</t></si>
        <si><r><rPr><b/></rPr><t>Du</t></r><r><t xml:space="preserve">pont &amp; fils</t></r><rPh sb="0" eb="1"><t>ドゥ</t></rPh></si>
        <si><t>d@free.fr</t></si>
        <si><t>nir</t></si>
        <si><t>Élodie</t></si>
        </sst>
        """

    static let firstSheet = XLSXFixture.sheet("""
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>actif</t></is></c></row>
        <row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2"><v>42.5</v></c><c r="D2" t="b"><v>1</v></c></row>
        <row r="3"><c r="A3" t="inlineStr"><is><r><t>Mar</t></r><r><t>tin</t></r></is></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="str"><f>A3</f><v>calc</v></c></row>
        <row r="4"/>
        """)

    /// Header on row 3 (rows 1-2 empty), cells without `r`, an empty header cell.
    static let secondSheet = XLSXFixture.sheet("""
        <row r="1"><c r="A1"/></row>
        <row r="2"><c r="B2" t="inlineStr"><is><t>  </t></is></c></row>
        <row r="3"><c t="s"><v>4</v></c><c/><c t="inlineStr"><is><t>ville</t></is></c></row>
        <row><c t="inlineStr"><is><t>1 85 03 75 116 042 17</t></is></c><c t="s"><v>5</v></c><c t="inlineStr"><is><t>Lyon</t></is></c></row>
        <row><c t="inlineStr"><is><t>2 90 12 13 055 123 45</t></is></c></row>
        """)

    static func workbookParts() -> [(String, String)] {
        [
            ("[Content_Types].xml", XLSXFixture.contentTypes),
            ("xl/workbook.xml", XLSXFixture.workbook(["Élèves", "Liste 2024"])),
            ("xl/_rels/workbook.xml.rels", XLSXFixture.rels(["worksheets/sheet1.xml", "/xl/worksheets/other.xml"])),
            ("xl/sharedStrings.xml", sharedStrings),
            ("xl/worksheets/sheet1.xml", firstSheet),
            ("xl/worksheets/other.xml", secondSheet),
        ]
    }

    static let expected: [SheetCell] = [
        SheetCell(text: "Dupont & fils", field: "nom", table: "Élèves", line: 2, column: 1, row: 2, location: "Élèves!A2"),
        SheetCell(text: "d@free.fr", field: "email", table: "Élèves", line: 2, column: 2, row: 2, location: "Élèves!B2"),
        SheetCell(text: "42.5", field: "C", table: "Élèves", line: 2, column: 3, row: 2, location: "Élèves!C2"),
        SheetCell(text: "TRUE", field: "actif", table: "Élèves", line: 2, column: 4, row: 2, location: "Élèves!D2"),
        SheetCell(text: "Martin", field: "nom", table: "Élèves", line: 3, column: 1, row: 3, location: "Élèves!A3"),
        SheetCell(text: "calc", field: "C", table: "Élèves", line: 3, column: 3, row: 3, location: "Élèves!C3"),
        SheetCell(text: "1 85 03 75 116 042 17", field: "nir", table: "Liste 2024", line: 4, column: 1, row: 4, location: "'Liste 2024'!A4"),
        SheetCell(text: "Élodie", field: "B", table: "Liste 2024", line: 4, column: 2, row: 4, location: "'Liste 2024'!B4"),
        SheetCell(text: "Lyon", field: "ville", table: "Liste 2024", line: 4, column: 3, row: 4, location: "'Liste 2024'!C4"),
        SheetCell(text: "2 90 12 13 055 123 45", field: "nir", table: "Liste 2024", line: 5, column: 1, row: 5, location: "'Liste 2024'!A5"),
    ]

    @Test func readsSheetsWithHeadersTypesAndLocations() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        let url = try XLSXFixture.write(Self.workbookParts(), to: dir)
        let reader = try XLSXReader(path: url.path, displayPath: "book.xlsx")
        let cells = try XLSXFixture.cells(reader)
        #expect(reader.problems.isEmpty)
        #expect(cells == Self.expected)
    }

    @Test func readsFromMemoryToo() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        let url = try XLSXFixture.write(Self.workbookParts(), to: dir)
        let reader = try XLSXReader(data: Array(try Data(contentsOf: url)), displayPath: "a.zip!book.xlsx")
        #expect(try XLSXFixture.cells(reader) == Self.expected)
        #expect(reader.problems.isEmpty)
    }

    @Test func emptyCellsWithinTheHeaderAreCounted() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        let url = try XLSXFixture.write(Self.workbookParts(), to: dir)
        let counts = try XLSXFixture.emptyCounts(try XLSXReader(path: url.path, displayPath: "book.xlsx"))
        // Sheet 1, header width 4: row 2 full; row 3 misses B (error cell) and D. Row 4 is empty.
        // Sheet 2, header width 3: row 4 full; row 5 misses B and C.
        #expect(counts == ["Élèves/email": 1, "Élèves/actif": 1, "Liste 2024/B": 1, "Liste 2024/ville": 1])
    }

    @Test func notAZipIsAnError() throws {
        #expect(throws: InputError.self) { try XLSXReader(data: Array("PK\u{3}\u{4} not really".utf8), displayPath: "x.xlsx") }
        do {
            _ = try XLSXReader(data: Array("hello".utf8), displayPath: "x.xlsx")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .parseFailed)
            #expect(error.message.contains("zip"))
        }
    }

    @Test func missingWorkbookIsAnError() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        let url = try XLSXFixture.write([("hello.txt", "hi")], to: dir)
        do {
            _ = try XLSXReader(path: url.path, displayPath: "x.xlsx")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .parseFailed)
            #expect(error.message.contains("xl/workbook.xml"))
        }
    }

    @Test func brokenSheetIsReportedAndTheNextIsRead() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        var parts = Self.workbookParts()
        parts[4] = ("xl/worksheets/sheet1.xml", XLSXFixture.sheet("<row r=\"1\"><c t=\"inlineStr\"><is><t>h</t></is></c></row>\n<row r=\"2\"><c t=\"inlineStr\"><is><t>kept</t></is></c></row>\n<row r=\"3\"><c><v>1</x></c></row>"))
        let reader = try XLSXReader(path: try XLSXFixture.write(parts, to: dir).path, displayPath: "b.xlsx")
        let cells = try XLSXFixture.cells(reader)
        #expect(cells.first?.text == "kept")
        #expect(cells.filter { $0.table == "Liste 2024" }.count == 4)
        #expect(reader.problems.count == 1)
        #expect(reader.problems.first?.code == .parseFailed)
        #expect(reader.problems.first?.message.contains("xl/worksheets/sheet1.xml") == true)
        #expect(reader.problems.first?.message.contains("line 5") == true)
    }

    @Test func missingSheetPartIsReported() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        var parts = Self.workbookParts()
        parts.remove(at: 4)
        let reader = try XLSXReader(path: try XLSXFixture.write(parts, to: dir).path, displayPath: "b.xlsx")
        let cells = try XLSXFixture.cells(reader)
        #expect(cells.count == 4)
        #expect(reader.problems.map(\.code) == [.parseFailed])
        #expect(reader.problems.first?.message.contains("sheet1.xml") == true)
    }

    @Test func partBeyondTheSizeLimitIsAnErrorNotAnOOM() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        var parts = Self.workbookParts().map { ($0.0, Array($0.1.utf8)) }
        // 8 MB of blanks compress to a few kilobytes.
        parts[4] = ("xl/worksheets/sheet1.xml", Array(XLSXFixture.sheet("").utf8) + [UInt8](repeating: 0x20, count: 8 << 20))
        let url = try XLSXFixture.write(parts, to: dir)
        for limits in [XLSXLimits(maxPartBytes: 4 << 20), XLSXLimits()] {
            let reader = try XLSXReader(path: url.path, displayPath: "bomb.xlsx", limits: limits)
            let cells = try XLSXFixture.cells(reader)
            #expect(cells.count == 4)  // the second sheet is still read
            #expect(reader.problems.count == 1)
            #expect(reader.problems.first?.code == .archiveLimit)
            #expect(reader.problems.first?.message.contains("xl/worksheets/sheet1.xml") == true)
        }
    }

    @Test func entityDeclarationsInAPartAreRefused() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        var parts = Self.workbookParts()
        parts[4] = ("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&x;</t></is></c></row></sheetData></worksheet>")
        let reader = try XLSXReader(path: try XLSXFixture.write(parts, to: dir).path, displayPath: "x.xlsx")
        let cells = try XLSXFixture.cells(reader)
        #expect(cells.allSatisfy { $0.table == "Liste 2024" })
        #expect(reader.problems.map(\.code) == [.unsupported])
    }

    @Test func sheetReferencesAndColumnLetters() {
        #expect(XLSXReader.reference("Sheet1") == "Sheet1")
        #expect(XLSXReader.reference("My Sheet") == "'My Sheet'")
        #expect(XLSXReader.reference("l'an") == "'l''an'")
        #expect(XLSXReader.reference("2024") == "'2024'")
        #expect([1, 26, 27, 52, 703, 16_384].map(XLSXReader.columnLetters) == ["A", "Z", "AA", "AZ", "AAA", "XFD"])
        #expect(Array("XFD9".utf8).withUnsafeBufferPointer(XLSXReader.column(ofReference:)) == 16_384)
        #expect(Array("9".utf8).withUnsafeBufferPointer(XLSXReader.column(ofReference:)) == nil)
    }

    @Test func largeSheetIsStreamedInSeveralBatches() throws {
        let dir = try TemporaryDirectory.make("xlsx")
        defer { TemporaryDirectory.remove(dir) }
        var rows = "<row r=\"1\"><c t=\"inlineStr\"><is><t>email</t></is></c></row>\n"
        let count = 60_000
        for r in 2...count { rows += "<row r=\"\(r)\"><c r=\"A\(r)\" t=\"inlineStr\"><is><t>user\(r)@example-domain.fr</t></is></c></row>\n" }
        var parts = Self.workbookParts()
        parts[4] = ("xl/worksheets/sheet1.xml", XLSXFixture.sheet(rows))
        let reader = try XLSXReader(path: try XLSXFixture.write(parts, to: dir).path, displayPath: "big.xlsx")
        var batches = 0
        var total = 0
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            if !batch.isEmpty { batches += 1 }
            #expect(batch.byteCount < BatchLimits.bytes + 256 * 1024)
            total += batch.segments.count
        }
        #expect(batches >= 2)
        #expect(total == count - 1 + 4)
        #expect(reader.problems.isEmpty)
    }
}
