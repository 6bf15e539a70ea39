import ArgumentParser
import Foundation
import TrawlCore

@main
struct TrawlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trawl",
        abstract: "Find personal data in files, exports and dumps.",
        version: Trawl.version,
        subcommands: [ScanCommand.self, InventoryCommand.self, DiffCommand.self, MergeCommand.self, DetectorsCommand.self, PolicyCommand.self],
        defaultSubcommand: ScanCommand.self
    )

    static func main() {
        Interruption.install()
        main(nil)
    }
}

/// Options shared by commands that load the detector catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("detectors"), help: ArgumentHelp("Also load detector files from DIR (same id replaces a built-in one).", valueName: "DIR"))
    var directories: [String] = []

    func load() throws -> DetectorCatalog {
        do {
            return try DetectorCatalog.load(extraDirectories: directories.map { URL(fileURLWithPath: $0) })
        } catch {
            FileHandle.standardError.write(Data("trawl: detector catalog: \(error.description)\n".utf8))
            throw TrawlExit.usage
        }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, markdown

    func makeReporter(sink: TextSink, catalog: @autoclosure () throws -> DetectorCatalog, color: Bool) rethrows -> Reporter {
        switch self {
        case .json: JSONReporter(sink: sink)
        case .sarif: SARIFReporter(sink: sink, catalog: try catalog())
        case .markdown: MarkdownReporter(sink: sink)
        case .text: TextReporter(sink: sink, color: color)
        }
    }
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case info, low, medium, high, critical, never
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan files, directories or standard input (-) for personal data."
    )

    @OptionGroup var options: ScanOptions

    @Option(help: "Report format: text, json, sarif (SARIF 2.1.0 for code-scanning dashboards) or markdown (a CI job summary).")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(help: "Exit 1 when a policy violation is at or above this severity (info, low, medium, high, critical, never; default high). With --no-policy: when a reported finding is at or above this confidence (low, medium, high; default any reported finding).")
    var failOn: FailOn?

    @Option(help: ArgumentHelp("Record the fingerprints of this scan's findings and violations in FILE (no values).", valueName: "FILE"))
    var writeBaseline: String?

    @Option(help: ArgumentHelp("Report and gate on what is new since the baseline FILE; list baseline entries nothing matches any more.", valueName: "FILE"))
    var baseline: String?

    @Flag(help: "Print raw values next to masked ones. Off by default: Trawl never prints a raw value unless asked.")
    var showValues = false

    @Option(help: "Colour the text report: auto (only on a terminal), always, never.")
    var color: ColorChoice = .auto

    func run() throws {
        let prepared = try options.prepare(showValues: showValues, fingerprints: baseline != nil || writeBaseline != nil)
        var previous: Baseline?
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline),
                  let decoded = try? JSONDecoder().decode(Baseline.self, from: data), decoded.schema == Baseline.schemaID else {
                throw ValidationError("--baseline \(baseline): not a readable \(Baseline.schemaID) file (write one with --write-baseline)")
            }
            previous = decoded
        }
        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw ValidationError("\(error)") }
        let useColor = color == .always || (color == .auto && output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        let reporter = format.makeReporter(sink: sink, catalog: prepared.catalog, color: useColor)
        let minimum = Confidence(name: options.minConfidence) ?? .medium
        let gate = GatingReporter(wrapping: reporter, threshold: prepared.evaluator == nil ? (failOn.map(Self.threshold) ?? minimum) : nil,
                                  evaluator: prepared.evaluator, severity: Self.severity(failOn ?? .high))
        gate.fingerprinter = prepared.fingerprinter
        if let suppressions = prepared.suppressions { gate.suppress(with: suppressions, on: prepared.day) }
        if let previous, let baseline { gate.compare(with: previous, file: baseline) }
        let summary = Scanner(engine: prepared.engine, configuration: prepared.configuration).run(reporter: gate)
        options.noteUnreadMedia(summary, configuration: prepared.configuration)
        try sink.close()
        if let writeBaseline {
            do {
                try AtomicFile.write(JSONEncoder.sorted.encode(gate.recorded), to: writeBaseline)
            } catch {
                throw ValidationError("--write-baseline \(writeBaseline): \(error)")
            }
        }
        throw TrawlExit.forScan(gatingFindings: gate.gatingFindings + gate.gatingViolations, complete: summary.complete)
    }

    static func threshold(_ failOn: FailOn) -> Confidence? {
        switch failOn {
        case .info, .low: .low
        case .medium: .medium
        case .high, .critical: .high
        case .never: nil
        }
    }

    static func severity(_ failOn: FailOn) -> Violation.Severity? {
        failOn == .never ? nil : Violation.Severity(rawValue: failOn.rawValue)
    }

}
/// Counts the findings that decide the exit code while passing everything to the real reporter.
/// Counts what decides the exit code (findings without a policy, violations with one) and runs
/// the policy evaluation once the columns are known.
final class GatingReporter: Reporter {
    let inner: Reporter
    let threshold: Confidence?
    let evaluator: PolicyEvaluator?
    let severity: Violation.Severity?
    private(set) var gatingFindings = 0
    private(set) var gatingViolations = 0
    var fingerprinter: Fingerprinter?
    /// What this scan saw, for --write-baseline.
    private(set) var recorded = Baseline()
    /// Baseline entries not matched yet, and the comparison so far (--baseline).
    private var remaining: Baseline?
    private var report: BaselineReport?

    private var suppressions: Suppressions?
    private var allowed: [String: Suppressions.Allow] = [:]
    private var suppressed = SuppressionReport()

    func suppress(with suppressions: Suppressions, on day: Day) {
        self.suppressions = suppressions
        let (active, expired) = suppressions.allowances(on: day)
        allowed = active
        suppressed.expired = expired
    }

    func compare(with baseline: Baseline, file: String) {
        remaining = baseline
        report = BaselineReport(file: file)
    }

    /// True when the fingerprint is still available in the baseline (and uses it up).
    private func consume(_ fingerprint: String?, in path: WritableKeyPath<Baseline, [String: Int]>) -> Bool {
        guard let fingerprint, var left = remaining, let n = left[keyPath: path][fingerprint], n > 0 else { return false }
        left[keyPath: path][fingerprint] = n - 1 == 0 ? nil : n - 1
        remaining = left
        return true
    }

    init(wrapping inner: Reporter, threshold: Confidence?, evaluator: PolicyEvaluator? = nil, severity: Violation.Severity? = nil) {
        self.inner = inner
        self.threshold = threshold
        self.evaluator = evaluator
        self.severity = severity
    }

    func violations(_ violations: [Violation]) { inner.violations(violations) }

    func begin(tool: ToolInfo) { inner.begin(tool: tool) }

    func findings(_ incoming: [Finding]) {
        var findings = incoming
        if let suppressions {
            findings = incoming.filter { !suppressions.suppresses($0, allowed: allowed) }
            suppressed.findings += incoming.count - findings.count
        }
        var reported = findings
        for f in findings { if let fp = f.fingerprint { recorded.findings[fp, default: 0] += 1 } }
        if report != nil {
            reported = findings.filter { !consume($0.fingerprint, in: \.findings) }
            report?.unchangedFindings += findings.count - reported.count
            report?.newFindings += reported.count
        }
        if let threshold { gatingFindings += reported.filter { $0.confidence >= threshold }.count }
        for f in reported { reportedSummary.count(f) }
        if !reported.isEmpty { inner.findings(reported) }
    }

    func columns(_ columns: [ColumnStats]) {
        inner.columns(columns)
        guard let evaluator else { return }
        var violations = evaluator.evaluate(columns)
        if let fingerprinter {
            for i in violations.indices {
                violations[i].fingerprint = fingerprinter.violation(violations[i])
                recorded.violations[violations[i].fingerprint ?? "", default: 0] += 1
            }
        }
        if let suppressions {
            let all = violations.count
            violations = violations.filter { !suppressions.suppresses($0, allowed: allowed) }
            suppressed.violations += all - violations.count
        }
        if report != nil {
            let all = violations.count
            violations = violations.filter { !consume($0.fingerprint, in: \.violations) }
            report?.unchangedViolations += all - violations.count
            report?.newViolations += violations.count
        }
        if let severity { gatingViolations = violations.filter { $0.severity >= severity }.count }
        inner.violations(violations)
    }

    func baseline(_ report: BaselineReport) { inner.baseline(report) }

    func suppressions(_ report: SuppressionReport) { inner.suppressions(report) }

    /// Counts of the findings actually reported (with a baseline, the new ones only).
    private var reportedSummary = ScanSummary()

    func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        var summary = summary
        if suppressions != nil { inner.suppressions(suppressed) }
        if suppressions != nil || report != nil {
            summary.findings = reportedSummary.findings
            summary.byCategory = reportedSummary.byCategory
            summary.byConfidence = reportedSummary.byConfidence
        }
        if var report, let remaining {
            report.stale = remaining.findings.merging(remaining.violations) { $0 + $1 }
            inner.baseline(report)
        }
        inner.end(summary: summary, errors: errors, skipped: skipped)
    }
}

extension InputFormat: ExpressibleByArgument {}

struct DetectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detectors",
        abstract: "List the detector catalog, or test it.",
        subcommands: [ListDetectors.self, TestDetectors.self],
        defaultSubcommand: ListDetectors.self
    )
}

struct ListDetectors: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the detectors and their categories.")

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        let catalog = try catalogOptions.load()
        let idWidth = catalog.detectors.map(\.id.count).max() ?? 2
        var out = "ID".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  CATEGORY / CHECKS\n"
        for d in catalog.detectors {
            var checks: [String] = []
            if let v = d.definition.validator { checks.append("validator \(v)") }
            if d.requiresContext { checks.append("needs context") }
            if d.isFieldOnly { checks.append("field names only") }
            out += d.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  \(d.category)"
            out += checks.isEmpty ? "\n" : "  (\(checks.joined(separator: ", ")))\n"
            out += String(repeating: " ", count: idWidth + 2) + d.definition.name + "\n"
        }
        out += "\(catalog.detectors.count) detectors\n"
        print(out, terminator: "")
    }
}

struct TestDetectors: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run every detector's match and no_match examples.")

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        let catalog = try catalogOptions.load()
        let runner = ExampleRunner()
        var failures: [ExampleRunner.Failure] = []
        var examples = 0
        for detector in catalog.detectors {
            examples += detector.definition.examples.match.count + detector.definition.examples.noMatch.count
            failures += runner.run(detector)
        }
        for failure in failures { print("FAIL \(failure)") }
        print("\(examples - failures.count) passed, \(failures.count) failed (\(catalog.detectors.count) detectors)")
        if !failures.isEmpty { throw TrawlExit.findings }
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: files people diff.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return e
    }
}
