import Foundation
import Testing
import TrawlTestSupport

/// The prefilters (issue 6) only save work: every finding and every column is the same with
/// `--no-prefilter`, on the Samples, on the real dumps of ../shared/corpus and on a generated
/// decoy-dense corpus.
@Suite("Prefilters change no finding", .serialized)
struct PrefilterCLITests {
    static func compare(_ path: String, cwd: URL = CLI.repoRoot) throws {
        let common = ["scan", path, "--format", "json", "--no-policy", "--min-confidence", "low", "--quiet"]
        let on = try CLI.json(try CLI.run(common, cwd: cwd).stdout)
        let off = try CLI.json(try CLI.run(common + ["--no-prefilter"], cwd: cwd).stdout)
        let a = try #require(on["findings"] as? [[String: Any]]), b = try #require(off["findings"] as? [[String: Any]])
        #expect(!a.isEmpty)
        #expect(a.count == b.count, "\(path): \(a.count) findings with prefilters, \(b.count) without")
        #expect(NSArray(array: a).isEqual(to: b), "\(path): findings differ")
        #expect(NSArray(array: on["fields"] as? [Any] ?? []).isEqual(to: off["fields"] as? [Any] ?? []), "\(path): fields differ")
    }

    @Test func samples() throws { try Self.compare("Samples") }

    @Test func sharedCorpus() throws {
        let corpus = CLI.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        try #require(FileManager.default.fileExists(atPath: corpus.path), "../shared/corpus is missing")
        try Self.compare(corpus.path)
    }

    @Test func generatedDecoyDenseCorpus() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try CLI.generateCorpus(["--size-mb", "3", "--seed", "11"], into: dir)
        try Self.compare(dir.path)
    }
}

/// Workers that run out of inputs detect batches of the inputs others are still reading: the
/// report is the same whatever the number of jobs.
@Suite("Jobs change no finding", .serialized)
struct JobsCLITests {
    @Test func oneLargeInputGivesTheSameReportWithOneTwoAndFourJobs() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try CLI.generateCorpus(["--one-file-mb", "6", "--one-file-format", "sql", "--seed", "5"], into: dir)
        var reports: [String] = []
        for jobs in ["1", "2", "4"] {
            let result = try CLI.run(["scan", dir.path, "--format", "json", "--jobs", jobs, "--as-of", "2026-11-27"])
            #expect(result.status != 2 && result.status != 64, "\(result.stderr)")
            reports.append(result.stdout)
        }
        let findings = (try CLI.json(reports[0])["findings"] as? [Any])?.count ?? 0
        #expect(findings > 100)
        #expect(reports[1] == reports[0] && reports[2] == reports[0])
    }
}

extension CLI {
    /// Runs `Benchmarks/generate` (the decoy-dense corpus of issue 6) into `dir`, without its
    /// ground truth file.
    static func generateCorpus(_ arguments: [String], into dir: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot.appendingPathComponent("Benchmarks/generate").path] + arguments + ["--out", dir.path, "--quiet"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("groundtruth.json"))
    }
}
