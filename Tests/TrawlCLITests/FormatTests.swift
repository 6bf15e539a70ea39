import Foundation
import Testing
import TrawlTestSupport

/// Dumps, archives and hostile files through the whole command line.
@Suite("Archives, dumps and hostile inputs")
struct FormatTests {
    static let fixtures = CLI.repoRoot.appendingPathComponent("Tests/TrawlCLITests/Fixtures")
    static let hostile = fixtures.appendingPathComponent("hostile")
    static let secret = "secret.marker@exfiltrated.example"

    static func errorsByFile(_ report: [String: Any]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for case let error as [String: Any] in report["errors"] as? [Any] ?? [] {
            let name = URL(fileURLWithPath: error["path"] as? String ?? "").lastPathComponent
            out[name, default: []].append(error["code"] as? String ?? "")
        }
        return out
    }

    @Test func bombsXXEAndTruncatedArchivesGiveOneErrorEachAndExit2() throws {
        // The XXE fixture points at this file: its content must never be read. It is left in
        // place: another run of the suite at the same time may be scanning with it.
        let secretFile = "/tmp/trawl-xxe-secret.txt"
        try Self.secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try CLI.run(["scan", "--no-policy", Self.hostile.path, "--format", "json"])
        #expect(Date().timeIntervalSince(started) < 60, "bombs must be refused early, not expanded")
        #expect(result.status == 2, "an incomplete scan without findings exits 2")
        let report = try CLI.json(result.stdout)
        #expect(Self.errorsByFile(report) == [
            "billion-laughs.xml": ["unsupported"],
            "xxe.xml": ["unsupported"],
            "bomb.zip": ["archive-limit"],
            "bomb.csv.gz": ["archive-limit"],
            "truncated.tar.gz": ["decode-failed"],
            "truncated.zip": ["parse-failed"],
        ])
        #expect(!result.stdout.contains("exfiltrated"))
        #expect(!result.stderr.contains("exfiltrated"))
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["complete"] as? Bool == false)
    }

    @Test func findingsElsewhereDecideTheExitCodeAndTheErrorsAreStillListed() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        for name in ["bomb.zip", "truncated.zip"] {
            try FileManager.default.copyItem(at: Self.hostile.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try "email\nlea.martin@free.fr\n".write(to: dir.appendingPathComponent("contacts.csv"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", "--no-policy", dir.path, "--format", "json"])
        #expect(result.status == 1)
        let report = try CLI.json(result.stdout)
        #expect(Self.errorsByFile(report).keys.sorted() == ["bomb.zip", "truncated.zip"])
        #expect((report["findings"] as? [Any])?.count == 1)
    }

    @Test func archiveLimitsAreConfigurable() throws {
        let bomb = Self.hostile.appendingPathComponent("bomb.csv.gz").path
        // With the ratio raised, the total-bytes limit is the one that stops it.
        let capped = try CLI.run(["scan", "--no-policy", bomb, "--format", "json", "--archive-max-ratio", "5000", "--archive-max-bytes", "2M"])
        #expect(capped.status == 2)
        #expect(capped.stdout.contains("--archive-max-bytes"))
        #expect(!capped.stdout.contains("--archive-max-ratio"))
        let nested = Self.fixtures.appendingPathComponent("archives/exports.zip").path
        let shallow = try CLI.run(["scan", "--no-policy", nested, "--format", "json", "--archive-max-depth", "1"])
        // The nested archives are left out, each with its own error; the first level is scanned.
        #expect(shallow.status == 2)
        let errors = try CLI.json(shallow.stdout)["errors"] as? [[String: Any]] ?? []
        #expect(errors.compactMap { ($0["path"] as? String)?.components(separatedBy: "exports.zip").last }
                == ["!/2026/students.csv.gz", "!/old/backup.zip"])
        #expect(errors.allSatisfy { $0["code"] as? String == "archive-limit" })
        #expect(try CLI.run(["scan", "--no-policy", nested, "--archive-max-ratio", "0.5"]).status == 64)
    }

    @Test func membersOfNestedArchivesAreReportedWithTheirPath() throws {
        let result = try CLI.run(["scan", "--no-policy", Self.fixtures.appendingPathComponent("archives").path, "--format", "json"])
        #expect(result.status == 1)
        let report = try CLI.json(result.stdout)
        let paths = Set((report["findings"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            .map { $0.components(separatedBy: "Fixtures/archives/").last ?? $0 })
        #expect(paths == ["exports.zip!/2026/students.csv.gz!/students.csv", "exports.zip!/old/backup.zip!/contacts.tsv"])
        let fields = report["fields"] as? [[String: Any]] ?? []
        #expect(fields.contains { ($0["path"] as? String)?.hasSuffix("students.csv") == true && $0["field"] as? String == "email" && $0["category"] as? String == "user.contact.email" })
    }

    @Test func aBrokenMemberDoesNotEndItsArchive() throws {
        // A tar whose first member is a corrupt gzip: that member gets the error, the next one is scanned.
        let tar = Self.fixtures.appendingPathComponent("member-errors/mixed.tar").path
        let result = try CLI.run(["scan", "--no-policy", tar, "--format", "json"])
        #expect(result.status == 1)
        let report = try CLI.json(result.stdout)
        let errors = report["errors"] as? [[String: Any]] ?? []
        #expect(errors.compactMap { $0["path"] as? String } == [tar + "!/a/bad.csv.gz"])
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(findings.compactMap { $0["path"] as? String } == [tar + "!/a/contacts.csv"])
    }

    @Test func aDumpOnStandardInputIsReadAsSQL() throws {
        let dump = "CREATE TABLE `etudiants` (`nom` varchar(20), `email` varchar(80));\nINSERT INTO `etudiants` VALUES ('Martin','lea.martin@free.fr'),('Durand','hugo.durand@orange.fr');\n"
        let result = try CLI.run(["scan", "--no-policy", "--input-format", "sql", "--format", "json", "-"], stdin: dump)
        #expect(result.status == 1)
        let report = try CLI.json(result.stdout)
        let findings = report["findings"] as? [[String: Any]] ?? []
        let emails = findings.filter { $0["category"] as? String == "user.contact.email" }
        #expect(emails.map { $0["field"] as? String } == ["etudiants.email", "etudiants.email"])
        #expect(emails.map { $0["row"] as? Int } == [1, 2])
        #expect(emails.map { $0["line"] as? Int } == [2, 2])
        // Compressed on the way: the format applies to what the gzip stream holds.
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try dump.write(to: dir.appendingPathComponent("dump.sql"), atomically: true, encoding: .utf8)
        gzip.arguments = ["-c", "gzip -c dump.sql > dump.bin"]
        gzip.currentDirectoryURL = dir
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try CLI.run(["scan", "--no-policy", "--input-format", "sql", "--format", "json", dir.appendingPathComponent("dump.bin").path])
        #expect(compressed.status == 1)
        #expect(compressed.stdout.contains("dump.bin!/data\""), "a gzip stream without a .gz name holds `data`")
        #expect(compressed.stdout.contains("\"field\":\"etudiants.email\""))
        // Sniffed without --input-format too.
        let sniffed = try CLI.run(["scan", "--no-policy", "--format", "json", "-"], stdin: dump)
        #expect(sniffed.stdout.contains("etudiants.email"))
    }

    @Test func textReportShowsTheClassifiedColumns() throws {
        let dump = "INSERT INTO t (email, phone) VALUES ('lea.martin@free.fr', '(171) 555-7788'), ('hugo@orange.fr', NULL);\n"
        let result = try CLI.run(["scan", "--no-policy", "--input-format", "sql", "-"], stdin: dump)
        #expect(result.stdout.contains("Columns classified (2 of 2 seen)"))
        #expect(result.stdout.contains("t.email  user.contact.email         2/2 values (100%), 2 rows  [email]"))
        #expect(result.stdout.contains("t.phone  user.contact.phone_number  1/1 values (100%), 2 rows  [phone-field]"))
    }

    @Test func sqlSchemaNamesTheColumnsOfADataOnlyDump() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let schema = dir.appendingPathComponent("schema.sql")
        try "CREATE TABLE customer (id int, first_name text, email text);\n".write(to: schema, atomically: true, encoding: .utf8)
        let data = "INSERT INTO customer VALUES (1,'MARY','mary.smith@sakilacustomer.org');\n"
        let named = try CLI.run(["scan", "--no-policy", "--input-format", "sql", "--format", "json", "--sql-schema", schema.path, "-"], stdin: data)
        #expect(named.stdout.contains("\"field\":\"customer.email\""))
        let positional = try CLI.run(["scan", "--no-policy", "--input-format", "sql", "--format", "json", "-"], stdin: data)
        #expect(positional.stdout.contains("\"field\":\"customer.#3\""))
        let missing = try CLI.run(["scan", "--no-policy", "--sql-schema", dir.appendingPathComponent("nope.sql").path, "-"], stdin: data)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("nope.sql"))
    }
}
