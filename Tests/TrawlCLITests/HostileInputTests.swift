import Foundation
import Testing
import TrawlTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hostile and broken inputs (issue 7), each scanned by the built binary next to a good file that
/// holds a planted e-mail. For every input and every report format: the input's own error (or
/// skip, or finding) names it, the good file's finding is still there, the exit code follows the
/// contract, the process ends within a minute and a bounded amount of memory, nothing was fetched
/// from the network, and the planted value is never printed.
@Suite("Hostile inputs", .serialized)
struct HostileInputTests {
    static let planted = "lea.martin@free.fr"
    static let fixtures = CLI.repoRoot.appendingPathComponent("Tests/TrawlCLITests/Fixtures/hostile")
    /// Generous bounds: a debug build on a loaded two-core machine.
    static let timeLimit: Double = 60
    static let memoryLimit = 500 << 20

    // MARK: - What an input must give

    struct Problem: Sendable, CustomStringConvertible {
        var code: String
        /// Relative to the scanned directory; archive members as `a.zip!/b.csv`.
        var path: String
        /// A word the message must hold (the member a limit stopped at, the cause).
        var mentions: String?
        var description: String { "\(code) \(path)" }
    }

    struct Found: Sendable, CustomStringConvertible {
        var path: String
        var line: Int
        var column: Int
        var description: String { "\(path):\(line):\(column)" }
    }

    struct Expect: Sendable {
        var errors: [Problem] = []
        var skipped: [(reason: String, path: String)] = []
        var found: [Found] = []

        /// The same with full paths, for inputs written into `dir`.
        func placed(in dir: URL) -> Expect {
            let full = { (relative: String) in dir.appendingPathComponent(relative).path }
            return Expect(errors: errors.map { Problem(code: $0.code, path: full($0.path), mentions: $0.mentions) },
                          skipped: skipped.map { ($0.reason, full($0.path)) },
                          found: found.map { Found(path: full($0.path), line: $0.line, column: $0.column) })
        }

        mutating func add(_ other: Expect) {
            errors += other.errors
            skipped += other.skipped
            found += other.found
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Writes the input(s) into the directory; `port` is a loopback port nobody may connect to.
        var build: @Sendable (_ dir: URL, _ port: UInt16) throws -> Void
        var expect: Expect
        var testDescription: String { name }
    }

    static func error(_ code: String, _ path: String, mentions: String? = nil) -> Expect {
        Expect(errors: [Problem(code: code, path: path, mentions: mentions)])
    }

    static func found(_ path: String, line: Int, column: Int) -> Expect {
        Expect(found: [Found(path: path, line: line, column: column)])
    }

    static func copy(_ name: String) -> @Sendable (URL, UInt16) throws -> Void {
        { dir, _ in try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: dir.appendingPathComponent(name)) }
    }

    static func write(_ name: String, _ bytes: @escaping @Sendable (UInt16) -> [UInt8]) -> @Sendable (URL, UInt16) throws -> Void {
        { dir, port in try Data(bytes(port)).write(to: dir.appendingPathComponent(name)) }
    }

    static func text(_ name: String, _ content: @escaping @Sendable (UInt16) -> String) -> @Sendable (URL, UInt16) throws -> Void {
        write(name) { Array(content($0).utf8) }
    }

    static func python(_ script: String) -> @Sendable (URL, UInt16) throws -> Void {
        { dir, _ in try Python.run(script, in: dir) }
    }

    /// Bytes that are not UTF-8: lone continuation bytes, a cut sequence, an overlong '/', 0xFF.
    /// Columns count them as the readers do: 9 characters (continuation bytes are not counted),
    /// or 14 in XML, where each becomes U+FFFD before libxml2 reads it.
    static let notUTF8: [UInt8] = [0xFF, 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0x28, 0xC0, 0xAF]
    static let mail = Array(planted.utf8)

    /// A workbook with one sheet of inline strings, and a zip and a gzip of a CSV, all made by Python.
    static let makeWorkbook = """
        import zipfile
        ns = 'http://schemas.openxmlformats.org/'
        rows = ''.join('<row r="%d"><c r="A%d" t="inlineStr"><is><t>agent%d@laposte.net</t></is></c></row>' % (i, i, i) for i in range(1, 2001))
        parts = {
          '[Content_Types].xml': '<Types xmlns="%spackage/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>' % ns,
          '_rels/.rels': '<Relationships xmlns="%spackage/2006/relationships"><Relationship Id="rId1" Type="%sofficeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>' % (ns, ns),
          'xl/workbook.xml': '<workbook xmlns="%sspreadsheetml/2006/main" xmlns:r="%sofficeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, ns),
          'xl/_rels/workbook.xml.rels': '<Relationships xmlns="%spackage/2006/relationships"><Relationship Id="rId1" Type="%sofficeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % (ns, ns),
          'xl/worksheets/sheet1.xml': '<worksheet xmlns="%sspreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % (ns, rows),
        }
        with zipfile.ZipFile('whole.xlsx', 'w', zipfile.ZIP_DEFLATED) as z:
            for name, text in parts.items(): z.writestr(name, text)
        """

    static let cases: [Case] = [
        // Decompression bombs and archive limits.
        Case(name: "zip member of 100 MB of zeros (about 1000:1, deflate's most)", build: python("""
            import zipfile
            with zipfile.ZipFile('ratio.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z: z.writestr('zeros.csv', bytes(100 << 20))
            """), expect: error("archive-limit", "ratio.zip", mentions: "zeros.csv")),
        Case(name: "zip member that inflates far past its declared size", build: python("""
            import struct, zlib
            c = zlib.compressobj(9, zlib.DEFLATED, -15); data = c.compress(b'a' * (100 << 20)) + c.flush(); name = b'liar.csv'
            local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 8, 0, 0, 0, len(data), 1000, len(name), 0) + name
            cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 8, 0, 0, 0, len(data), 1000, len(name), 0, 0, 0, 0, 0, 0) + name
            end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(cd), len(local) + len(data), 0)
            open('liar.zip', 'wb').write(local + data + cd + end)
            """), expect: error("decode-failed", "liar.zip!/liar.csv", mentions: "declared size")),
        Case(name: "zips nested 5 deep", build: python("""
            import io, zipfile
            inner, name = b'email\\nagent@laposte.net\\n', 'c.csv'
            for level in range(5, 0, -1):
                b = io.BytesIO()
                with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z: z.writestr(name, inner)
                inner, name = b.getvalue(), 'level%d.zip' % level
            open('nested.zip', 'wb').write(inner)
            """), expect: error("archive-limit", "nested.zip!/level2.zip!/level3.zip!/level4.zip!/level5.zip", mentions: "depth")),
        Case(name: "gzip bomb of text", build: python("""
            import gzip
            open('bomb.csv.gz', 'wb').write(gzip.compress(b'a' * (100 << 20), 9))
            """), expect: error("archive-limit", "bomb.csv.gz", mentions: "bomb.csv")),
        Case(name: "gzip bomb of zeros (a binary member)", build: python("""
            import gzip
            open('zeros.bin.gz', 'wb').write(gzip.compress(bytes(100 << 20), 9))
            """), expect: Expect(skipped: [("binary", "zeros.bin.gz!/zeros.bin")])),
        Case(name: "tar whose header claims 8 GB", build: python("""
            import tarfile
            info = tarfile.TarInfo('huge.csv'); info.size = 8 * 10**9
            open('huge.tar', 'wb').write(info.tobuf(format=tarfile.GNU_FORMAT) + b'email\\nagent@laposte.net\\n')
            """), expect: error("decode-failed", "huge.tar", mentions: "huge.csv")),
        Case(name: "bomb.zip fixture", build: copy("bomb.zip"), expect: error("archive-limit", "bomb.zip", mentions: "zeros.csv")),
        Case(name: "bomb.csv.gz fixture", build: copy("bomb.csv.gz"), expect: error("archive-limit", "bomb.csv.gz", mentions: "ratio")),
        Case(name: "truncated.tar.gz fixture", build: copy("truncated.tar.gz"), expect: error("decode-failed", "truncated.tar.gz", mentions: "truncated")),
        Case(name: "truncated.zip fixture", build: copy("truncated.zip"), expect: error("parse-failed", "truncated.zip", mentions: "central directory")),

        // Truncated and unterminated files.
        Case(name: "truncated gzip", build: python("""
            import gzip
            data = gzip.compress(''.join('Agent %d,agent%d@laposte.net\\n' % (i, i) for i in range(3000)).encode())
            open('cut.csv.gz', 'wb').write(data[:len(data) // 2])
            """), expect: error("decode-failed", "cut.csv.gz", mentions: "truncated")),
        Case(name: "truncated zip", build: python("""
            import zipfile
            with zipfile.ZipFile('whole.zip', 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('a.csv', ''.join('agent%d@laposte.net\\n' % i for i in range(3000)))
            data = open('whole.zip', 'rb').read(); open('cut.zip', 'wb').write(data[:len(data) // 2])
            import os; os.remove('whole.zip')
            """), expect: error("parse-failed", "cut.zip", mentions: "zip")),
        Case(name: "truncated XLSX", build: python(makeWorkbook + "\n" + """
            data = open('whole.xlsx', 'rb').read(); open('cut.xlsx', 'wb').write(data[:len(data) // 2])
            import os; os.remove('whole.xlsx')
            """), expect: error("parse-failed", "cut.xlsx", mentions: "XLSX")),
        Case(name: "truncated SQLite database", build: python("""
            import sqlite3, os
            db = sqlite3.connect('whole.db'); db.execute('create table t (name text, email text)')
            db.executemany('insert into t values (?, ?)', [('Agent %d' % i, 'agent%d@laposte.net' % i) for i in range(3000)]); db.commit(); db.close()
            data = open('whole.db', 'rb').read(); open('cut.db', 'wb').write(data[:len(data) // 2]); os.remove('whole.db')
            """), expect: Expect(errors: [Problem(code: "parse-failed", path: "cut.db", mentions: "truncated")])),
        Case(name: "SQL dump cut inside a string literal", build: text("cut.sql") { _ in
            "INSERT INTO t (name, email) VALUES ('Agent','agent@laposte.net'),('Martin','lea.mar"
        }, expect: error("parse-failed", "cut.sql", mentions: "truncated")),
        Case(name: "CSV with an unterminated quote", build: text("quote.csv") { _ in "name,email\n\"Martin,lea\nx,y\n" },
             expect: error("parse-failed", "quote.csv", mentions: "unterminated")),

        // XML: entities, external resources, nesting.
        Case(name: "billion laughs fixture", build: copy("billion-laughs.xml"), expect: error("unsupported", "billion-laughs.xml", mentions: "entities")),
        Case(name: "quadratic blowup", build: text("quadratic.xml") { _ in
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"\(String(repeating: "x", count: 50_000))\">]>\n<r>\(String(repeating: "&a;", count: 50_000))</r>\n"
        }, expect: error("unsupported", "quadratic.xml", mentions: "entities")),
        Case(name: "external entity on /etc/passwd", build: text("passwd.xml") { _ in
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r>&x;</r>\n"
        }, expect: error("unsupported", "passwd.xml", mentions: "entities")),
        Case(name: "external entity on a loopback URL", build: text("remote.xml") { port in
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:\(port)/secret\">]>\n<r>&x;</r>\n"
        }, expect: error("unsupported", "remote.xml", mentions: "entities")),
        Case(name: "external DTD on a loopback URL", build: text("dtd.xml") { port in
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"http://127.0.0.1:\(port)/x.dtd\">\n<r><e>\(planted)</e>&fromTheDTD;</r>\n"
        }, expect: Expect(errors: [Problem(code: "parse-failed", path: "dtd.xml", mentions: "external DTDs are never loaded")],
                          found: [Found(path: "dtd.xml", line: 3, column: 7)])),
        Case(name: "XML nested 100,000 deep (the limit)", build: text("deep.xml") { _ in
            "<?xml version=\"1.0\"?>\n" + String(repeating: "<a>", count: 100_000) + planted + String(repeating: "</a>", count: 100_000) + "\n"
        }, expect: found("deep.xml", line: 2, column: 300_001)),
        Case(name: "XML nested 200,000 deep", build: text("deeper.xml") { _ in
            "<?xml version=\"1.0\"?>\n" + String(repeating: "<a>", count: 200_000) + String(repeating: "</a>", count: 200_000) + "\n"
        }, expect: error("parse-failed", "deeper.xml", mentions: "deeper than")),

        // JSON depth, NUL bytes, encodings, line ends.
        Case(name: "JSON nested 1,000,000 deep", build: text("deep.json") { _ in
            String(repeating: "[", count: 1_000_000) + "\"\(planted)\"" + String(repeating: "]", count: 1_000_000)
        }, expect: Expect(errors: [Problem(code: "parse-failed", path: "deep.json", mentions: "nesting")],
                          found: [Found(path: "deep.json", line: 1, column: 1_000_002)])),
        Case(name: "1 MB of NUL bytes", build: write("nul.txt") { _ in [UInt8](repeating: 0, count: 1 << 20) },
             expect: Expect(skipped: [("binary", "nul.txt")])),
        Case(name: "invalid UTF-8 in text", build: write("bad.txt") { _ in Array("x ".utf8) + notUTF8 + Array(" mail ".utf8) + mail + notUTF8 + [0x0A] },
             expect: found("bad.txt", line: 1, column: 18)),
        Case(name: "invalid UTF-8 in CSV", build: write("bad.csv") { _ in Array("name,email\n".utf8) + notUTF8 + [0x2C] + mail + [0x0A] },
             expect: found("bad.csv", line: 2, column: 11)),
        Case(name: "invalid UTF-8 in JSON", build: write("bad.json") { _ in Array("{\"n\":\"".utf8) + notUTF8 + Array("\",\"email\":\"".utf8) + mail + Array("\"}\n".utf8) },
             expect: found("bad.json", line: 1, column: 27)),
        Case(name: "invalid UTF-8 in NDJSON", build: write("bad.ndjson") { _ in Array("{\"n\":\"".utf8) + notUTF8 + Array("\"}\n{\"email\":\"".utf8) + mail + Array("\"}\n".utf8) },
             expect: found("bad.ndjson", line: 2, column: 11)),
        Case(name: "invalid UTF-8 in SQL", build: write("bad.sql") { _ in Array("INSERT INTO t (n, email) VALUES ('".utf8) + notUTF8 + Array("','".utf8) + mail + Array("');\n".utf8) },
             expect: found("bad.sql", line: 1, column: 47)),
        Case(name: "invalid UTF-8 in XML", build: write("bad.xml") { _ in
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r><n>".utf8) + notUTF8 + Array("</n><email>".utf8) + mail + Array("</email></r>\n".utf8)
        }, expect: found("bad.xml", line: 2, column: 32)),
        Case(name: "a character cut by the edge of an XML feed chunk", build: text("edge.xml") { _ in
            // The 64 KiB feed edge falls inside an é: it waits for its second byte, it is not replaced.
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r><ab>" + String(repeating: "é", count: 40_000) + "</ab><e>\(planted)</e></r>\n"
        }, expect: found("edge.xml", line: 2, column: 40_016)),
        Case(name: "UTF-16 little endian without a BOM", build: write("utf16le.txt") { _ in utf16("line one\nmail \(planted)\n", bigEndian: false) },
             expect: found("utf16le.txt", line: 2, column: 6)),
        Case(name: "UTF-16 big endian without a BOM", build: write("utf16be.txt") { _ in utf16("line one\nmail \(planted)\n", bigEndian: true) },
             expect: found("utf16be.txt", line: 2, column: 6)),
        Case(name: "CRLF line ends", build: text("crlf.txt") { _ in "line one\r\nline two\r\nmail \(planted)\r\n" },
             expect: found("crlf.txt", line: 3, column: 6)),
        Case(name: "CRLF cut by the edge of a read", build: text("edge.txt") { _ in
            // The first 1 MiB read ends between a CR and its LF: one line end, not two.
            "\n" + String(repeating: "ab\r\n", count: 1 << 18) + "mail \(planted)\r\n"
        }, expect: found("edge.txt", line: (1 << 18) + 2, column: 6)),
        Case(name: "lone CR line ends", build: text("cr.txt") { _ in "line one\rline two\rmail \(planted)\rlast" },
             expect: found("cr.txt", line: 3, column: 6)),
    ]

    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { u in bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
    }

    /// Each input alone next to the good file, in JSON with no finding gating: its own error,
    /// skip or finding, the good file's finding, exit 2 (or 0), bounds, no network.
    @Test(arguments: cases)
    func eachInputIsReportedAndTheScanGoesOn(_ hostile: Case) throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let listener = try LoopbackListener()
        try hostile.build(dir, listener.port)
        try Self.writeGoodFile(in: dir)
        let expect = hostile.expect.placed(in: dir)
        let json = try Child.run(["scan", "--no-policy", dir.path, "--format", "json", "--fail-on", "never"])
        try Self.checkJSON(json, expect: expect, good: dir.appendingPathComponent("good.txt").path, status: expect.errors.isEmpty ? 0 : 2)
        #expect(!listener.wasContacted(), "a document made Trawl open a network connection")
    }

    /// Every input at once, one folder each, in every report format (a scan per input and format
    /// would take minutes): each input's error or skip is named in each report.
    @Test func everyInputInEveryFormat() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let listener = try LoopbackListener()
        var expect = Expect()
        for (i, hostile) in Self.cases.enumerated() {
            let folder = dir.appendingPathComponent(String(format: "%02d", i))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try hostile.build(folder, listener.port)
            expect.add(hostile.expect.placed(in: folder))
        }
        try Self.writeGoodFile(in: dir)
        try Self.scanInEveryFormat(dir, expect: expect)
        #expect(!listener.wasContacted(), "a document made Trawl open a network connection")
    }

    static func writeGoodFile(in dir: URL) throws {
        try "contact: \(planted)\n".write(to: dir.appendingPathComponent("good.txt"), atomically: true, encoding: .utf8)
    }

    // MARK: - Patterns that backtrack

    /// Long runs that make regular expressions work hard, each a 200 KB line of its own file.
    static let adversarialLines: [String: String] = {
        let n = 200_000
        func run(_ unit: String) -> String { String(repeating: unit, count: n / unit.utf8.count) }
        return [
            "digits": run("7"), "spaces": run(" "), "ats": run("@"), "dots": run("."), "a-dot": run("a."),
            "digit-groups": run("12 "), "digit-dashes": run("1-"), "a-at": run("a@"), "letters": run("a"),
            "phone-prefixes": run("+33 "), "phone-pairs": run("06 12 "), "near-emails": run("aa.bb@cc."),
            "iban-starts": run("FR76 "), "dotted-digits": run("1."), "dashes": run("-"), "alnum": run("A1"),
            "mrz-fillers": run("<"), "date-starts": run("01/"), "name-words": run("Jean "),
        ]
    }()

    @Test func everyDefaultDetectorOnLinesThatBacktrack() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        for (name, line) in Self.adversarialLines {
            try "x \(line)\n".write(to: dir.appendingPathComponent("\(name).txt"), atomically: true, encoding: .utf8)
        }
        // The same runs as CSV cells, where field-value shapes are tried on whole cells too.
        let cells = Self.adversarialLines.values.map { "\"\(String($0.prefix(50_000)))\",\(String($0.prefix(50_000)))\n" }.joined()
        try ("nom,date_naissance\n" + cells).write(to: dir.appendingPathComponent("cells.csv"), atomically: true, encoding: .utf8)
        try "contact: \(Self.planted)\n".write(to: dir.appendingPathComponent("good.txt"), atomically: true, encoding: .utf8)
        let result = try Child.run(["scan", "--no-policy", "--format", "json", dir.path])
        try Self.checkBounds(result, what: "adversarial lines")
        let report = try CLI.json(result.stdout)
        // Limits may be hit; then each must be reported, naming its file, and nothing else may fail.
        for case let error as [String: Any] in report["errors"] as? [Any] ?? [] {
            #expect(error["code"] as? String == "match-limit", "\(error)")
            #expect((error["path"] as? String)?.hasPrefix(dir.path + "/") == true, "\(error)")
        }
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["path"] as? String == dir.appendingPathComponent("good.txt").path })
    }

    @Test func aLineOfTwentyThousandEmailsIsNotQuadratic() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let count = 22_222
        let line = (0..<count).map { "agent\($0)@laposte.net" }.joined(separator: " ")
        try (line + "\n").write(to: dir.appendingPathComponent("one-line.txt"), atomically: true, encoding: .utf8)
        let result = try Child.run(["scan", "--no-policy", "--format", "json", dir.path])
        // Counting each finding's column from the start of the line took 30 s here (debug build).
        try Self.checkBounds(result, what: "one long line", seconds: 15)
        let findings = try #require(try CLI.json(result.stdout)["findings"] as? [[String: Any]])
        #expect(findings.count == count)
        #expect(findings.last?["column"] as? Int == line.utf8.count - "agent\(count - 1)@laposte.net".utf8.count + 1)
    }

    /// A user detector whose pattern, field-name hint and field-value shape all backtrack without
    /// end: each abandoned attempt must be reported in every format (the hint and the value shape
    /// used to be dropped silently).
    @Test func matchLimitHitsAreReportedInEveryFormat() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let detectors = dir.appendingPathComponent("detectors")
        let inputs = dir.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: detectors, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try """
            id: backtracker
            name: Backtracker
            category: user.test.backtracker
            description: Backtracks catastrophically on purpose.
            pattern: '(?:x|x)+$'
            fields: '^(?:a|a)+$'
            field_value: '(?:b|b)+$'
            examples: {match: ["xx"], no_match: ["q"]}
            """.write(to: detectors.appendingPathComponent("backtracker.yaml"), atomically: true, encoding: .utf8)
        let forty = { (c: String) in String(repeating: c, count: 40) }
        try "\(forty("x"))!\n".write(to: inputs.appendingPathComponent("pattern.txt"), atomically: true, encoding: .utf8)
        try "\(forty("a"))1,b\nfoo,bar\n".write(to: inputs.appendingPathComponent("hint.csv"), atomically: true, encoding: .utf8)
        try "aaaa,b\n\(forty("b"))!,bar\n".write(to: inputs.appendingPathComponent("value.csv"), atomically: true, encoding: .utf8)
        try "contact: \(Self.planted)\n".write(to: inputs.appendingPathComponent("good.txt"), atomically: true, encoding: .utf8)
        let limit = { (name: String) in Problem(code: "match-limit", path: name, mentions: "PCRE2 match limit") }
        try Self.scanInEveryFormat(inputs, expect: Expect(errors: [limit("pattern.txt"), limit("hint.csv"), limit("value.csv")]).placed(in: inputs),
                                   options: ["--detectors", detectors.path])
    }

    // MARK: - Checks

    /// Scans `dir` (hostile inputs and `good.txt`) in each format and checks each report;
    /// `expect` has full paths.
    static func scanInEveryFormat(_ dir: URL, expect: Expect, options: [String] = []) throws {
        let base = ["scan", "--no-policy", dir.path] + options
        let good = dir.appendingPathComponent("good.txt").path
        // With --fail-on never no finding gates: the errors decide (exit 2). By default the good
        // file's e-mail gates: findings win over incompleteness (exit 1).
        let ungated: Int32 = expect.errors.isEmpty ? 0 : 2
        try checkJSON(try Child.run(base + ["--format", "json", "--fail-on", "never"]), expect: expect, good: good, status: ungated)

        let text = try Child.run(base + ["--format", "text", "--color", "never"])
        try checkBounds(text, what: "text")
        #expect(text.status == 1, "text exit code; stderr: \(text.stderr)")
        #expect(text.stdout.contains("\(good)\n"))
        let textLines = text.stdout.split(separator: "\n")
        for e in expect.errors {
            // `  path: code: message`, or `  path:line: code: message`.
            #expect(textLines.contains { $0.hasPrefix("  \(e.path):") && $0.contains(": \(e.code): ") }, "text report lacks \(e)")
        }
        for s in expect.skipped { #expect(text.stdout.contains("  \(s.path): \(s.reason)\n"), "text report lacks the skip of \(s.path)") }

        let sarif = try Child.run(base + ["--format", "sarif", "--fail-on", "never"])
        try checkBounds(sarif, what: "sarif")
        #expect(sarif.status == ungated, "sarif exit code; stderr: \(sarif.stderr)")
        let run = try #require((try CLI.json(sarif.stdout)["runs"] as? [[String: Any]])?.first)
        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == expect.errors.isEmpty)
        let notifications = (invocation["toolExecutionNotifications"] as? [[String: Any]] ?? []).map { n -> String in
            let text = (n["message"] as? [String: Any])?["text"] as? String ?? ""
            let location = ((n["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any]
            return "\(location?["uri"] as? String ?? "") \(text)"
        }
        for e in expect.errors {
            #expect(notifications.contains { $0.hasPrefix("\(e.path) \(e.code): ") }, "sarif lacks \(e)")
        }
        for s in expect.skipped {
            #expect(notifications.contains("\(s.path) skipped: \(s.reason)"), "sarif lacks the skip of \(s.path)")
        }
        #expect(sarif.stdout.contains("\"uri\":\"\(good)\""), "the good file's result is missing from the SARIF log")

        let markdown = try Child.run(base + ["--format", "markdown"])
        try checkBounds(markdown, what: "markdown")
        #expect(markdown.status == 1, "markdown exit code; stderr: \(markdown.stderr)")
        // A job summary lists 20 errors and 20 skips at most: all of them when there are fewer,
        // and only ours, each with its code.
        let listed = markdown.stdout.split(separator: "\n").filter { $0.hasPrefix("- `") }
        let expectedLines = Set(expect.errors.map { "- `\($0.path)`: \($0.code): " } + expect.skipped.map { "- `\($0.path)`: \($0.reason)" })
        #expect(listed.count >= min(expect.errors.count, 20) + min(expect.skipped.count, 20), "\(listed)")
        for line in listed { #expect(expectedLines.contains { line.hasPrefix($0) }, "markdown lists an unexpected \(line)") }
        #expect(markdown.stdout.contains(expect.errors.isEmpty ? "scan complete" : "scan incomplete"))
    }

    /// The JSON report: exactly the expected errors and skips (full paths), the expected findings
    /// and the good file's, the exit code and the bounds.
    static func checkJSON(_ json: Child.Run, expect: Expect, good: String, status: Int32) throws {
        try checkBounds(json, what: "json")
        #expect(json.status == status, "json exit code; stderr: \(json.stderr)")
        let report = try CLI.json(json.stdout)
        let errors = report["errors"] as? [[String: Any]] ?? []
        #expect(Set(errors.map { "\($0["code"] as? String ?? "") \($0["path"] as? String ?? "")" })
                == Set(expect.errors.map { "\($0.code) \($0.path)" }), "json errors: \(errors)")
        for e in expect.errors {
            let messages = errors.filter { $0["path"] as? String == e.path }.compactMap { $0["message"] as? String }
            #expect(messages.allSatisfy { !$0.isEmpty })
            if let word = e.mentions { #expect(messages.contains { $0.contains(word) }, "'\(word)' not in \(messages)") }
        }
        let skipped = report["skipped"] as? [[String: Any]] ?? []
        #expect(Set(skipped.map { "\($0["reason"] as? String ?? "") \($0["path"] as? String ?? "")" })
                == Set(expect.skipped.map { "\($0.reason) \($0.path)" }), "json skipped: \(skipped)")
        let findings = report["findings"] as? [[String: Any]] ?? []
        let places = Set(findings.map { "\($0["path"] as? String ?? ""):\($0["line"] as? Int ?? 0):\($0["column"] as? Int ?? 0)" })
        #expect(places.contains("\(good):1:10"), "the good file's finding is missing")
        for f in expect.found { #expect(places.contains(f.description), "\(f) is not among the findings") }
        #expect((report["summary"] as? [String: Any])?["complete"] as? Bool == expect.errors.isEmpty)
    }

    /// Time, memory, no crash, and no raw planted value in anything printed.
    static func checkBounds(_ run: Child.Run, what: String, seconds: Double = timeLimit) throws {
        #expect(!run.timedOut, "\(what): killed after \(timeLimit) s")
        #expect(run.seconds < seconds, "\(what): took \(run.seconds) s")
        #expect(run.maxResidentBytes > 0 && run.maxResidentBytes < memoryLimit, "\(what): peak memory \(run.maxResidentBytes >> 20) MB")
        #expect(run.status < 128, "\(what): killed by signal \(run.status - 128); stderr: \(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains(planted), "\(what): the raw planted value was printed")
    }
}

// MARK: - Helpers

/// Runs the built `trawl` with a watchdog and measures its peak memory.
///
/// Linux carries a process's peak RSS over `exec`, and a child spawned by this (large, threaded)
/// test process starts with this process's peak: `wait4` or `RUSAGE_CHILDREN` would report that.
/// So a small Python process forks and execs `trawl`, and writes the `ru_maxrss` of that child
/// alone to a file.
enum Child {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        var maxResidentBytes: Int
        var timedOut: Bool
    }

    static let trampoline = """
        import os, sys
        pid = os.fork()
        if pid == 0:
            try: os.execv(sys.argv[2], sys.argv[2:])
            finally: os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        with open(sys.argv[1], 'w') as f: f.write(str(usage.ru_maxrss * 1024))
        os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
        """

    /// The watchdog's view of the child: it may kill its process group only while it has not been reaped.
    final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var exited = false
        private(set) var killed = false
        let pid: pid_t
        init(pid: pid_t) { self.pid = pid }

        func killIfRunning() {
            lock.withLock {
                guard !exited else { return }
                killed = true
                kill(-pid, SIGKILL)
            }
        }

        func markExited() { lock.withLock { exited = true } }
    }

    final class Collected: @unchecked Sendable {
        var data = Data()
    }

    static func run(_ arguments: [String], timeout: Double = HostileInputTests.timeLimit) throws -> Run {
        let peakFile = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-peak-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: peakFile) }
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw POSIXError(.EMFILE) }
        // Not inherited by processes other tests start meanwhile (they would hold the pipes open).
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        // A process group of its own, so the watchdog kills `trawl` with its parent.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = (["/usr/bin/env", "python3", "-c", trampoline, peakFile.path, CLI.binary.path] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(out[0])
            close(err[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL)
        }
        let watch = Watch(pid: pid)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { watch.killIfRunning() }
        let errors = Collected()
        let reading = DispatchGroup()
        let errHandle = FileHandle(fileDescriptor: err[0], closeOnDealloc: true)
        DispatchQueue.global().async(group: reading) { errors.data = errHandle.readDataToEndOfFile() }
        let output = FileHandle(fileDescriptor: out[0], closeOnDealloc: true).readDataToEndOfFile()
        reading.wait()
        // Wait for the exit without reaping, so the watchdog never signals a recycled group.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        watch.markExited()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let elapsed = ContinuousClock.now - started
        let signal = status & 0x7F
        let peak = (try? String(contentsOf: peakFile, encoding: .utf8)).flatMap { Int($0) } ?? 0
        return Run(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
                   stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: errors.data, as: UTF8.self),
                   seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                   maxResidentBytes: peak, timedOut: watch.killed)
    }
}

/// A TCP socket listening on 127.0.0.1 that nobody should ever connect to.
final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                bind(fd, s, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, s, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    /// True when a connection is waiting (the kernel queues it whether or not anyone accepts).
    func wasContacted() -> Bool {
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        let connection = accept(fd, nil, nil)
        if connection >= 0 {
            close(connection)
            return true
        }
        #expect(errno == EAGAIN || errno == EWOULDBLOCK, "accept failed: \(String(cString: strerror(errno)))")
        return false
    }
}

/// Builds binary fixtures with the Python standard library (zipfile, gzip, tarfile, sqlite3).
enum Python {
    static func run(_ script: String, in dir: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 failed: \(String(decoding: message, as: UTF8.self))")
    }
}
