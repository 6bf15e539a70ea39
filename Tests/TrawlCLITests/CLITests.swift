import Foundation
import Testing
import TrawlTestSupport

/// End-to-end tests: run the built `trawl` binary and check stdout, stderr and exit codes.
enum CLI {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repoRoot.appendingPathComponent("Samples")

    static var binary: URL {
        // The test bundle sits in the products directory next to the `trawl` executable.
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let url = dir.appendingPathComponent("trawl")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repoRoot.appendingPathComponent(".build/debug/trawl")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil, cwd: URL = repoRoot) throws -> Result {
        try runCommand(binary.path, arguments, stdin: stdin, cwd: cwd)
    }

    /// Runs any program (`setpriv`, `prlimit` in front of `trawl`) the same way.
    static func runCommand(_ executable: String, _ arguments: [String], stdin: String? = nil, cwd: URL = repoRoot) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large report cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}

struct Manifest: Decodable {
    struct Planted: Decodable, Hashable {
        var path: String
        var line: Int
        var field: String?
        var category: String
        var value: String
    }
    struct Decoy: Decodable {
        var path: String
        var line: Int
        var value: String
        var why: String
    }
    var planted: [Planted]
    var decoys: [Decoy]
    var categories_present: [String]

    /// The planted values that must never be printed: identifiers, contacts and names (keyword
    /// categories plant terms such as "homeless", which also name categories), at least 8
    /// letters or digits long so that they cannot occur by chance.
    var secrets: [String] {
        let termCategories = ["user.special_status.", "user.criminal_history.", "user.health_and_medical."]
        return planted
            .filter { p in !termCategories.contains { p.category.hasPrefix($0) } }
            .map(\.value).filter { $0.filter { $0.isLetter || $0.isNumber }.count >= 8 }
    }

    static func load() throws -> Manifest {
        let url = try #require(Bundle.module.url(forResource: "samples-manifest", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
    }
}

@Suite("trawl scan on Samples/", .serialized)
struct SamplesEndToEndTests {
    struct Key: Hashable, CustomStringConvertible {
        var path: String
        var line: Int
        var field: String?
        var category: String
        var description: String { "\(path):\(line) [\(field ?? "-")] \(category)" }
    }

    @Test func jsonReportMatchesThePlantedManifestFindingByFinding() throws {
        let manifest = try Manifest.load()
        let result = try CLI.run(["scan", "Samples", "--format", "json"])
        #expect(result.status == 1, "findings must give exit code 1")
        let report = try CLI.json(result.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        var found: [Key: Int] = [:]
        for f in findings {
            let path = try #require(f["path"] as? String)
            #expect(Set(f.keys).isSuperset(of: ["path", "line", "column", "field", "category", "detector", "confidence", "masked", "signals"]))
            #expect(f["value"] == nil, "no raw value without --show-values")
            let key = Key(path: String(path.dropFirst("Samples/".count)), line: try #require(f["line"] as? Int),
                          field: f["field"] as? String, category: try #require(f["category"] as? String))
            found[key, default: 0] += 1
        }
        var expected: [Key: Int] = [:]
        for p in manifest.planted { expected[Key(path: p.path, line: p.line, field: p.field, category: p.category), default: 0] += 1 }
        let missing = expected.filter { found[$0.key, default: 0] < $0.value }.map(\.key.description).sorted()
        let unexpected = found.filter { expected[$0.key, default: 0] < $0.value }.map(\.key.description).sorted()
        #expect(missing.isEmpty, "planted values not found:\n\(missing.joined(separator: "\n"))")
        #expect(unexpected.isEmpty, "findings that are not planted values:\n\(unexpected.joined(separator: "\n"))")
        let categories = Set(findings.compactMap { $0["category"] as? String })
        #expect(categories == Set(manifest.categories_present))
        #expect(!findings.contains { ($0["path"] as? String)?.hasPrefix("Samples/decoys/") == true })
    }

    @Test func decoysAloneAreClean() throws {
        let result = try CLI.run(["scan", "Samples/decoys", "--format", "json"])
        let report = try CLI.json(result.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.isEmpty, "decoys reported: \(findings.map { "\($0["path"] ?? ""):\($0["line"] ?? "") \($0["detector"] ?? "")" })")
        #expect(result.status == 0)
    }

    @Test func showValuesPrintsThem() throws {
        let result = try CLI.run(["scan", "Samples/exports", "--format", "json", "--show-values"])
        let findings = try #require(try CLI.json(result.stdout)["findings"] as? [[String: Any]])
        #expect(!findings.isEmpty)
        #expect(findings.allSatisfy { ($0["value"] as? String)?.isEmpty == false })
    }

    @Test func outputIsIdenticalWhateverTheNumberOfJobs() throws {
        let one = try CLI.run(["scan", "Samples", "--format", "json", "--jobs", "1"])
        let four = try CLI.run(["scan", "Samples", "--format", "json", "--jobs", "4"])
        #expect(one.stdout == four.stdout)
        #expect(!one.stdout.isEmpty)
    }

    @Test func textReportGroupsByFileAndCounts() throws {
        let result = try CLI.run(["scan", "Samples/exports/etudiants.csv", "--color", "never"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("Samples/exports/etudiants.csv\n"))
        #expect(result.stdout.contains("Findings by category"))
        #expect(!result.stdout.contains("\u{1B}["))
    }
}

@Suite("Exit codes and inputs")
struct ExitCodeTests {
    @Test func cleanInputExitsZero() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "nothing personal here\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", dir.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("0 finding(s) in 1 file(s)"))
    }

    @Test func unreadableOrUnparsableInputExitsTwoAndTheScanGoesOn() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "{\"a\": [1, 2,, }".write(to: dir.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        try "ok\n".write(to: dir.appendingPathComponent("fine.txt"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", dir.path, dir.appendingPathComponent("missing.csv").path, "--format", "json"])
        #expect(result.status == 2)
        let report = try CLI.json(result.stdout)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(Set(errors.compactMap { $0["code"] as? String }) == ["parse-failed", "not-found"])
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["files_scanned"] as? Int == 2)
        #expect(summary["complete"] as? Bool == false)
    }

    @Test func findingsWinOverIncompleteness() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "mail jeanne.martin@orange.fr\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", "--no-policy", dir.path, "/nonexistent/x"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("not-found"))
    }

    @Test func failOnSetsTheGate() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "ref jeanne.martin@orange.fr\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        // Without a policy the gate is a finding confidence.
        #expect(try CLI.run(["scan", "--no-policy", dir.path, "--fail-on", "high"]).status == 0)
        #expect(try CLI.run(["scan", "--no-policy", dir.path, "--fail-on", "never"]).status == 0)
        #expect(try CLI.run(["scan", "--no-policy", dir.path, "--fail-on", "medium"]).status == 1)
        // With the policy it is a violation severity: an undeclared text file with an e-mail is low.
        #expect(try CLI.run(["scan", dir.path]).status == 0)
        #expect(try CLI.run(["scan", dir.path, "--fail-on", "low"]).status == 1)
        #expect(try CLI.run(["scan", dir.path, "--fail-on", "medium"]).status == 0)
    }

    @Test(arguments: [["scan", "--min-confidence", "sure"], ["scan", "--jobs", "0"], ["scan", "--bogus"], ["scan", "--max-file-size", "lots"]])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
    }

    @Test func standardInputWithAnInputFormat() throws {
        let csv = "nom,email\nDurand,paul.durand@laposte.net\n"
        let result = try CLI.run(["scan", "--no-policy", "-", "--input-format", "csv", "--format", "json"], stdin: csv)
        #expect(result.status == 1)
        let findings = try #require(try CLI.json(result.stdout)["findings"] as? [[String: Any]])
        #expect(findings.map { $0["path"] as? String } == ["-", "-"])
        #expect(findings.map { $0["field"] as? String } == ["nom", "email"])
    }

    @Test func excludeAndBinarySkipsAreReported() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "x paul.durand@laposte.net\n".write(to: dir.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        try "x paul.durand@laposte.net\n".write(to: dir.appendingPathComponent("skip.log"), atomically: true, encoding: .utf8)
        try Data([0x7F, 0x45, 0x4C, 0x46, 0, 0, 0x01]).write(to: dir.appendingPathComponent("bin.dat"))
        let result = try CLI.run(["scan", dir.path, "--exclude", "*.log", "--format", "json"])
        let report = try CLI.json(result.stdout)
        let skipped = try #require(report["skipped"] as? [[String: Any]])
        #expect(Set(skipped.compactMap { $0["reason"] as? String }) == ["excluded", "binary"])
        #expect((report["findings"] as? [[String: Any]])?.count == 1)
    }

    @Test func outputFileIsWritten() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let out = dir.appendingPathComponent("report.json")
        let result = try CLI.run(["scan", "Samples/exports", "--format", "json", "--output", out.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let report = try CLI.json(String(contentsOf: out, encoding: .utf8))
        #expect((report["findings"] as? [[String: Any]])?.isEmpty == false)
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func detectorsListAndTest() throws {
        let list = try CLI.run(["detectors"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("user.government_id.national_identification_number.fr_nir"))
        let test = try CLI.run(["detectors", "test"])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains(" 0 failed"))
    }

    @Test func aBrokenUserDetectorIsAClearUsageError() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try "id: bad\nname: x\ncategory: user.x\ndescription: x\npattern: '(['\nexamples: {match: [a], no_match: [b]}\n"
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", "--detectors", dir.path, "Samples"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("bad.yaml"))
        #expect(result.stderr.contains("pattern"))
    }
}
