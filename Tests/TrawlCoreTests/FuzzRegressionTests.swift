import Foundation
import Testing
import TrawlCore

/// Replays the fuzz corpora without libFuzzer, through the harness the fuzzer runs
/// (`FuzzHarness`): every seed in `Tests/Fuzz/<target>/` and every input that once crashed a
/// target, saved in `Tests/Fuzz/regressions/<target>/`.
@Suite("Fuzz corpora")
struct FuzzRegressionTests {
    struct Input: Sendable, CustomTestStringConvertible {
        var target: FuzzTarget
        var url: URL
        var testDescription: String { "\(target.rawValue)/\(url.lastPathComponent)" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func files(_ directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func seeds(_ target: FuzzTarget) -> [URL] { files(root.appendingPathComponent(target.rawValue)) }

    static let regressions: [Input] = FuzzTarget.allCases.flatMap { target in
        files(root.appendingPathComponent("regressions").appendingPathComponent(target.rawValue)).map { Input(target: target, url: $0) }
    }

    static func run(_ input: Input) throws -> FuzzOutcome {
        try FuzzHarness(target: input.target).run(Array(try Data(contentsOf: input.url)))
    }

    @Test("Every target has seeds, every folder is a target")
    func layout() {
        for target in FuzzTarget.allCases { #expect(!Self.seeds(target).isEmpty, "no seeds for \(target.rawValue)") }
        let folders = Set(Self.files(Self.root).map(\.lastPathComponent)).subtracting(["regressions"])
        #expect(folders == Set(FuzzTarget.allCases.map(\.rawValue)))
        for folder in Self.files(Self.root.appendingPathComponent("regressions")) {
            #expect(FuzzTarget(rawValue: folder.lastPathComponent) != nil, "regressions/\(folder.lastPathComponent) names no target")
        }
    }

    /// Seeds are real files: each target reads cells (or members) out of them, and the engine
    /// finds the personal data planted in its seeds.
    @Test("Seeds are read", arguments: FuzzTarget.allCases)
    func seedsAreRead(_ target: FuzzTarget) throws {
        var cells = 0
        var findings = 0
        for url in Self.seeds(target) {
            let outcome = try Self.run(Input(target: target, url: url))
            cells += outcome.cells
            findings += outcome.findings
        }
        #expect(cells > 0)
        if target == .engine { #expect(findings > 0) }
    }

    /// An input that once crashed, hung or leaked: it must now run to its end (a crash here
    /// stops the test process, which fails the run too).
    @Test("Saved crashes no longer crash", arguments: regressions)
    func regression(_ input: Input) throws {
        _ = try Self.run(input)
    }
}
