import Foundation
import Testing
@testable import TrawlCore
import TrawlTestSupport

enum XMLRead {
    static func cells(_ bytes: [UInt8]) throws -> (cells: [ReadCell], problems: [InputError]) {
        let reader = XMLReader(input: try BufferedInput(source: MemorySource(bytes)), path: "t.xml")
        var cells: [ReadCell] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            for s in batch.segments {
                #expect(s.row == 0)
                #expect(s.field < 0 || batch.fieldTables[Int(s.field)] == nil)
                cells.append(ReadCell(text: batch.text(of: s), field: s.field >= 0 ? batch.fields[Int(s.field)] : nil, line: s.line, column: s.column))
            }
        }
        return (cells, reader.problems)
    }

    static func cells(_ text: String) throws -> (cells: [ReadCell], problems: [InputError]) {
        try cells(Array(text.utf8))
    }
}

@Suite("XML reader")
struct XMLReaderTests {
    @Test func pathsAttributesAndPositions() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <students school="Lycée Hugo">
          <student id="S1" ns:role="délégué">
            <name>Élodie Durand</name>
            <nir>2 85 03 75 116 042 17</nir>
            <contact><email>e@free.fr</email></contact>
          </student>
        </students>
        """
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(problems.isEmpty)
        #expect(cells == [
            ReadCell(text: "Lycée Hugo", field: "/students/@school", line: 2, column: 19),
            ReadCell(text: "S1", field: "/students/student/@id", line: 3, column: 16),
            ReadCell(text: "délégué", field: "/students/student/@ns:role", line: 3, column: 29),
            ReadCell(text: "Élodie Durand", field: "/students/student/name", line: 4, column: 11),
            ReadCell(text: "2 85 03 75 116 042 17", field: "/students/student/nir", line: 5, column: 10),
            ReadCell(text: "e@free.fr", field: "/students/student/contact/email", line: 6, column: 21),
        ])
    }

    @Test func cdataEntitiesAndMultilineText() throws {
        let xml = "<r>\n<a>Dupont &amp; fils &#233;t&lt;&gt;</a>\n<b><![CDATA[<x> & y]]></b>\n<c>\n   first line\n   second line\n</c><d>x<![CDATA[y]]>z</d></r>"
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(problems.isEmpty)
        #expect(cells == [
            ReadCell(text: "Dupont & fils ét<>", field: "/r/a", line: 2, column: 4),
            ReadCell(text: "<x> & y", field: "/r/b", line: 3, column: 4),
            ReadCell(text: "first line\n   second line", field: "/r/c", line: 5, column: 4),
            ReadCell(text: "xyz", field: "/r/d", line: 7, column: 8),
        ])
    }

    @Test func mixedContentGivesOneCellPerRun() throws {
        let (cells, _) = try XMLRead.cells("<p>Né le <b>12/03/1990</b> à Paris<!-- c -->, France</p>")
        #expect(cells == [
            ReadCell(text: "Né le", field: "/p", line: 1, column: 4),
            ReadCell(text: "12/03/1990", field: "/p/b", line: 1, column: 13),
            ReadCell(text: "à Paris", field: "/p", line: 1, column: 28),
            ReadCell(text: ", France", field: "/p", line: 1, column: 45),
        ])
    }

    @Test func multiLineStartTagsAndEntityInAttribute() throws {
        let xml = "<root>\n  <e\n     a=\"one\"\n     b=\"t&amp;wo\" c='x'/>\n</root>"
        let (cells, _) = try XMLRead.cells(xml)
        #expect(cells == [
            ReadCell(text: "one", field: "/root/e/@a", line: 3, column: 9),
            ReadCell(text: "t&wo", field: "/root/e/@b", line: 4, column: 9),
            ReadCell(text: "x", field: "/root/e/@c", line: 4, column: 22),
        ])
    }

    @Test func crlfLatin1AndUTF16() throws {
        let crlf = try XMLRead.cells("<r>\r\n<a>x</a>\r\n<a>y</a></r>")
        #expect(crlf.cells == [ReadCell(text: "x", field: "/r/a", line: 2, column: 4), ReadCell(text: "y", field: "/r/a", line: 3, column: 4)])

        let latin1: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<n>".utf8) + [0x45, 0x6C, 0xE9, 0x6E, 0x61] + Array("</n>".utf8)
        let l = try XMLRead.cells(latin1)
        #expect(l.problems.isEmpty)
        #expect(l.cells == [ReadCell(text: "Eléna", field: "/n", line: 2, column: 4)])

        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><n>Zoé</n>".utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let u = try XMLRead.cells(utf16)
        #expect(u.problems.isEmpty)
        #expect(u.cells.map(\.text) == ["Zoé"])
    }

    @Test func malformedDocumentKeepsEarlierCellsAndStops() throws {
        let (cells, problems) = try XMLRead.cells("<r>\n<a>kept</a>\n<b>oops</c>\n<a>lost</a>\n</r>")
        #expect(cells.map(\.text) == ["kept"] || cells.map(\.text) == ["kept", "oops"])
        #expect(!cells.contains { $0.text == "lost" })
        #expect(problems.count == 1)
        #expect(problems.first?.code == .parseFailed)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.message.contains("line 3") == true)
    }

    @Test func truncatedDocumentIsReported() throws {
        let (cells, problems) = try XMLRead.cells("<r><a>x</a><a>y")
        #expect(cells.first?.text == "x")
        #expect(problems.count == 1)
        #expect(problems.first?.code == .parseFailed)
    }

    @Test func emptyInputIsNotAProblem() throws {
        let (cells, problems) = try XMLRead.cells("")
        #expect(cells.isEmpty)
        #expect(problems.isEmpty)
    }

    @Test func billionLaughsIsRefusedQuickly() throws {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        xml += " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        for i in 2...9 { xml += " <!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n" }
        xml += "]>\n<lolz>&lol9;</lolz>\n"
        let clock = ContinuousClock()
        let start = clock.now
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(clock.now - start < .seconds(2))
        #expect(cells.isEmpty)
        #expect(problems.count == 1)
        #expect(problems.first?.code == .unsupported)
        #expect(problems.first?.message.contains("billion-laughs") == true)
    }

    @Test func parameterEntitiesAreRefusedToo() throws {
        let (cells, problems) = try XMLRead.cells("<!DOCTYPE r [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]><r>&x;</r>")
        #expect(cells.isEmpty)
        #expect(problems.map(\.code) == [.unsupported])
    }

    @Test(arguments: ["file", "http", "dtd"])
    func externalEntitiesAreNeverRead(kind: String) throws {
        let marker = "xxe-marker-\(UUID().uuidString.prefix(8))@leak.example"
        let dir = try TemporaryDirectory.make("xxe")
        defer { TemporaryDirectory.remove(dir) }
        let secret = dir.appendingPathComponent("secret.txt")
        try Data(marker.utf8).write(to: secret)
        let dtd = dir.appendingPathComponent("evil.dtd")
        try Data("<!ENTITY xxe SYSTEM \"\(secret.absoluteString)\">".utf8).write(to: dtd)
        let xml: String
        switch kind {
        case "file": xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"\(secret.absoluteString)\">]>\n<r><a>&xxe;</a><b>after</b></r>"
        case "http": xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"http://127.0.0.1:9/secret\">]>\n<r><a>&xxe;</a></r>"
        default: xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"\(dtd.absoluteString)\">\n<r><a>&xxe;</a><b>after</b></r>"
        }
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(!cells.contains { $0.text.contains("xxe-marker") })
        #expect(!problems.isEmpty)
        #expect(!problems.contains { $0.message.contains("xxe-marker") })
        if kind == "dtd" {
            // The external DTD is never loaded: `&xxe;` is an undeclared entity, reading goes on.
            #expect(cells.map(\.text) == ["after"])
            #expect(problems.first?.code == .parseFailed)
        } else {
            #expect(problems.first?.code == .unsupported)
            #expect(problems.first?.message.contains("XXE") == true)
        }
    }

    @Test func deepNestingIsReadOrReportedNeverFatal() throws {
        let deep = 10_000
        let ok = try XMLRead.cells(String(repeating: "<a>", count: deep) + "x" + String(repeating: "</a>", count: deep))
        #expect(ok.problems.isEmpty)
        #expect(ok.cells.map(\.text) == ["x"])
        let tooDeep = XMLPushParser.maxDepth + 10
        let (cells, problems) = try XMLRead.cells("<r a=\"1\">" + String(repeating: "<a>", count: tooDeep) + "x" + String(repeating: "</a>", count: tooDeep) + "</r>")
        #expect(cells.map(\.text) == ["1"])
        #expect(problems.count == 1)
        #expect(problems.first?.code == .parseFailed)
        #expect(problems.first?.message.contains("nested deeper than") == true)
    }

    @Test func pathsAreTruncatedPastTheDepthLimit() throws {
        let depth = 100
        let xml = String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(problems.isEmpty)
        #expect(cells.count == 1)
        #expect(cells.first?.field == String(repeating: "/a", count: XMLReader.maxPathDepth) + "/…")
    }

    @Test func longTextIsCutIntoOverlappingPieces() throws {
        let filler = String(repeating: "abcdefghij", count: 300_000)  // 3 MB
        let xml = "<r>\n<big>" + filler + " e@free.fr</big><after a=\"1\"/></r>"
        let (cells, problems) = try XMLRead.cells(xml)
        #expect(problems.isEmpty)
        let pieces = cells.filter { $0.field == "/r/big" }
        #expect(pieces.count >= 3)
        #expect(pieces.allSatisfy { $0.text.utf8.count <= BatchLimits.cellPiece + 128 * 1024 })
        #expect(pieces.first?.line == 2)
        #expect(pieces.last?.text.hasSuffix(" e@free.fr") == true)
        #expect(cells.last == ReadCell(text: "1", field: "/r/after/@a", line: 2, column: 3_000_032))
    }

    @Test func findingsCarryTheElementPath() throws {
        let detector = try TestDetectors.make("""
            id: test-email
            name: Email
            category: user.test.email
            description: test
            pattern: '[a-z]+@[a-z]+\\.fr'
            examples: {match: ["a@b.fr"], no_match: ["a b"]}
            """)
        let engine = DetectionEngine(catalog: DetectorCatalog(detectors: [detector]), options: DetectionOptions(minConfidence: .low, showValues: true))
        let worker = engine.makeWorker()
        let reader = XMLReader(input: try BufferedInput(source: MemorySource("<r>\n  <c>\n    <mail>moi@free.fr</mail>\n  </c>\n</r>")), path: "t.xml")
        var findings: [Finding] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            worker.scan(batch, path: "t.xml", into: &findings)
        }
        #expect(findings.count == 1)
        #expect(findings.first?.field == "/r/c/mail")
        #expect(findings.first?.line == 3)
        #expect(findings.first?.column == 11)
    }
}
