import ArgumentParser
import Foundation
import TrawlCore

@main
struct TrawlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trawl",
        abstract: "Find personal data in files, exports and dumps.",
        version: Trawl.version,
        subcommands: [ScanCommand.self, DetectorsCommand.self, PolicyCommand.self, MergeCommand.self],
        defaultSubcommand: ScanCommand.self
    )
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

    @Argument(help: "Files or directories to scan; '-' reads standard input.")
    var paths: [String] = ["."]

    @Option(help: "Report format: text, json, sarif (SARIF 2.1.0 for code-scanning dashboards) or markdown (a CI job summary).")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(help: "Report findings at or above this confidence: low, medium or high.")
    var minConfidence: String = "medium"

    @Option(help: "Exit 1 when a policy violation is at or above this severity (info, low, medium, high, critical, never; default high). With --no-policy: when a reported finding is at or above this confidence (low, medium, high; default any reported finding).")
    var failOn: FailOn?

    @Option(help: ArgumentHelp("Check findings against this privacy policy (trawl.policy/v1) instead of the built-in one.", valueName: "FILE"))
    var policy: String?

    @Flag(help: "Do not check findings against a privacy policy: report findings and columns only, and gate on findings.")
    var noPolicy = false

    @Option(help: ArgumentHelp("Dataset declarations (trawl.config/v1). Default: trawl.yaml in the first scanned folder, if there is one.", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Judge retention periods and ages at this day (YYYY-MM-DD; default today, UTC).", valueName: "DATE"))
    var asOf: String?

    @Option(help: ArgumentHelp("Record the fingerprints of this scan's findings and violations in FILE (no values).", valueName: "FILE"))
    var writeBaseline: String?

    @Option(help: ArgumentHelp("Report and gate on what is new since the baseline FILE; list baseline entries nothing matches any more.", valueName: "FILE"))
    var baseline: String?

    @Flag(name: .shortAndLong, help: "No progress line on standard error (it is only drawn on a terminal anyway).")
    var quiet = false

    @Option(help: ArgumentHelp("Scan only shard K of N (1-based): a deterministic share of the inputs by path hash; combine the JSON reports with `trawl merge`.", valueName: "K/N"))
    var shard: String?

    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        return (k, n)
    }

    @Option(help: ArgumentHelp("Ignore rules (`GLOB [detector:ID] [category:KEY]` per line). Default: .trawlignore in the first scanned folder.", valueName: "FILE"))
    var ignoreFile: String?

    @Flag(help: "Apply neither .trawlignore nor the allow entries of trawl.yaml (audits).")
    var noSuppressions = false

    @Option(help: ArgumentHelp("Key file for fingerprints (created with mode 0600 on first use) unless TRAWL_FINGERPRINT_KEY is set.", valueName: "FILE"))
    var fingerprintKeyFile: String = ".trawl/fingerprint.key"

    @Flag(help: "Print raw values next to masked ones. Off by default: Trawl never prints a raw value unless asked.")
    var showValues = false

    @Option(name: .shortAndLong, help: "Number of worker threads (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Skip paths matching GLOB (a name such as '*.log' or a path such as 'exports/*.csv'); repeatable.", valueName: "GLOB"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("Skip files larger than SIZE (bytes, or with K, M, G suffix). Default: no limit (files are streamed).", valueName: "SIZE"))
    var maxFileSize: String?

    @Flag(help: "Follow symbolic links inside the given roots (never outside them).")
    var followSymlinks = false

    @Option(help: "Format of the inputs: auto (by extension and content), text, csv, tsv, json, ndjson, sql, xml, xlsx, sqlite. Archives are still expanded and the format applies to their members.")
    var inputFormat: InputFormat = .auto

    @Option(help: ArgumentHelp("Read CREATE TABLE statements from FILE to name the columns of data-only SQL dumps (INSERTs without column lists); repeatable.", valueName: "FILE"))
    var sqlSchema: [String] = []

    @Option(help: ArgumentHelp("Read only the first N rows of each SQLite table.", valueName: "N"))
    var sampleRows: Int?

    @Option(help: ArgumentHelp("Stop expanding an archive once it has produced SIZE bytes, all nesting levels together (default 8G).", valueName: "SIZE"))
    var archiveMaxBytes: String?

    @Option(help: ArgumentHelp("Stop expanding an archive member whose uncompressed/compressed ratio passes RATIO, once it produced 1 MiB (default 200).", valueName: "RATIO"))
    var archiveMaxRatio: Double?

    @Option(help: ArgumentHelp("Do not expand archives nested deeper than N levels (default 4).", valueName: "N"))
    var archiveMaxDepth: Int?

    @Option(help: ArgumentHelp("Stop expanding an archive after N entries, all levels together (default 100000).", valueName: "N"))
    var archiveMaxMembers: Int?

    @Option(help: ArgumentHelp("Largest zip member, or database or workbook not on disk, read into memory (default 512M).", valueName: "SIZE"))
    var archiveMaxMemberBytes: String?

    @Option(help: ArgumentHelp("Classify a column when at least this share of its values match one category (0 to 1; a column whose name hints the category needs 0.2).", valueName: "RATIO"))
    var columnThreshold: Double = ColumnRules().threshold

    @Option(help: "Colour the text report: auto (only on a terminal), always, never.")
    var color: ColorChoice = .auto

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        guard Confidence(name: minConfidence) != nil else {
            throw ValidationError("--min-confidence must be low, medium or high, not '\(minConfidence)'")
        }
        guard jobs >= 1 && jobs <= 512 else { throw ValidationError("--jobs must be between 1 and 512") }
        if let maxFileSize, Self.parseSize(maxFileSize) == nil {
            throw ValidationError("--max-file-size '\(maxFileSize)' is not a size (examples: 1048576, 500K, 100M, 2G)")
        }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be given only once") }
        guard columnThreshold > 0 && columnThreshold <= 1 else { throw ValidationError("--column-threshold must be above 0 and at most 1") }
        if let sampleRows, sampleRows < 1 { throw ValidationError("--sample-rows must be at least 1") }
        if let shard, Self.parseShard(shard) == nil { throw ValidationError("--shard '\(shard)' must be K/N with 1 ≤ K ≤ N, for example 2/4") }
        for (flag, value) in [("--archive-max-bytes", archiveMaxBytes), ("--archive-max-member-bytes", archiveMaxMemberBytes)] {
            if let value, Self.parseSize(value) == nil { throw ValidationError("\(flag) '\(value)' is not a size (examples: 100M, 8G)") }
        }
        if let archiveMaxRatio, archiveMaxRatio < 1 { throw ValidationError("--archive-max-ratio must be at least 1") }
        if let archiveMaxDepth, archiveMaxDepth < 0 { throw ValidationError("--archive-max-depth must be 0 or more (0: do not expand archives)") }
        if let archiveMaxMembers, archiveMaxMembers < 1 { throw ValidationError("--archive-max-members must be at least 1") }
    }

    var archiveLimits: ArchiveLimits {
        var limits = ArchiveLimits()
        if let archiveMaxBytes, let size = Self.parseSize(archiveMaxBytes) { limits.maxTotalBytes = size }
        if let archiveMaxMemberBytes, let size = Self.parseSize(archiveMaxMemberBytes) { limits.maxMemberBytes = size }
        if let archiveMaxRatio { limits.maxRatio = archiveMaxRatio }
        if let archiveMaxDepth { limits.maxDepth = archiveMaxDepth }
        if let archiveMaxMembers { limits.maxMembers = archiveMaxMembers }
        return limits
    }

    /// The `--sql-schema` files, read once before the scan.
    func loadSQLSchema() throws -> SQLSchema {
        var schema = SQLSchema()
        for path in sqlSchema {
            let loaded: SQLSchema
            do throws(InputError) {
                loaded = try SQLSchema.load(path: path)
            } catch {
                throw ValidationError("--sql-schema \(path): \(error.message)")
            }
            if loaded.isEmpty { throw ValidationError("--sql-schema \(path): no CREATE TABLE statement found") }
            schema.merge(loaded)
        }
        return schema
    }

    static func parseSize(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = text.uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var multiplier: Int64 = 1
        if let last = digits.last, let unit = units[last] {
            multiplier = unit
            digits.removeLast()
        }
        guard let value = Int64(digits), value >= 0 else { return nil }
        return value * multiplier
    }

    func run() throws {
        let catalog = try catalogOptions.load()
        let minimum = Confidence(name: minConfidence) ?? .medium
        // The policy first (its errors come first), then trawl.yaml, read once for both the
        // declarations and the allow entries.
        let policyDocument = try loadPolicy()
        let projectConfig = try loadProjectConfig()
        let evaluator = try policyDocument.map { PolicyEvaluator(policy: $0.policy, config: projectConfig, asOf: try day()) }
        let environment = ProcessInfo.processInfo.environment
        var fingerprinter: Fingerprinter?
        // Baselines need fingerprints (the key file is created then); otherwise findings carry
        // them when a key already exists, so a plain scan never writes anything.
        let allowEntries = projectConfig?.allow ?? []
        let allowByFingerprint = !noSuppressions && !allowEntries.isEmpty
        if baseline != nil || writeBaseline != nil || allowByFingerprint || environment["TRAWL_FINGERPRINT_KEY"] != nil
            || FileManager.default.fileExists(atPath: fingerprintKeyFile) {
            do {
                fingerprinter = Fingerprinter(key: try Fingerprinter.loadKey(environment: environment, keyFile: fingerprintKeyFile))
            } catch {
                throw ValidationError("fingerprints: \(error)")
            }
        }
        var previous: Baseline?
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline),
                  let decoded = try? JSONDecoder().decode(Baseline.self, from: data), decoded.schema == Baseline.schemaID else {
                throw ValidationError("--baseline \(baseline): not a readable \(Baseline.schemaID) file (write one with --write-baseline)")
            }
            previous = decoded
        }
        let engine = DetectionEngine(catalog: catalog, options: DetectionOptions(minConfidence: minimum, showValues: showValues, fingerprinter: fingerprinter))
        var walk = WalkOptions(excludes: exclude, followSymlinks: followSymlinks)
        if let maxFileSize, let size = Self.parseSize(maxFileSize) { walk.maxFileSize = size }
        walk.shard = shard.flatMap(Self.parseShard)
        let read = ReadOptions(sqlSchema: try loadSQLSchema(), sampleRows: sampleRows, archiveLimits: archiveLimits)
        var columns = ColumnRules()
        columns.threshold = columnThreshold
        columns.hintedThreshold = min(columns.hintedThreshold, columnThreshold)
        var configuration = ScanConfiguration(roots: paths, jobs: jobs, walk: walk, inputFormat: inputFormat, read: read, columns: columns)
        configuration.dateTracking = evaluator?.dateTracking
        if !quiet && isatty(STDERR_FILENO) == 1 { configuration.progress = StderrProgress() }

        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw ValidationError("\(error)") }
        let useColor = color == .always || (color == .auto && output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        let reporter = format.makeReporter(sink: sink, catalog: catalog, color: useColor)
        let gate = GatingReporter(wrapping: reporter, threshold: evaluator == nil ? (failOn.map(Self.threshold) ?? minimum) : nil,
                                  evaluator: evaluator, severity: Self.severity(failOn ?? .high))
        gate.fingerprinter = fingerprinter
        if let suppressions = try loadSuppressions(allow: allowEntries) { gate.suppress(with: suppressions, on: try day()) }
        if let previous, let baseline { gate.compare(with: previous, file: baseline) }
        let summary = Scanner(engine: engine, configuration: configuration).run(reporter: gate)
        try sink.close()
        if let writeBaseline {
            do {
                let data = try JSONEncoder.sorted.encode(gate.recorded)
                try data.write(to: URL(fileURLWithPath: writeBaseline), options: .atomic)
            } catch {
                throw ValidationError("--write-baseline \(writeBaseline): \(error.localizedDescription)")
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

    /// `--as-of`, or today in UTC.
    func day() throws -> Day {
        if let asOf {
            guard let day = Array(asOf.utf8).withUnsafeBufferPointer({ Day.parse($0) }), asOf.count == 10, asOf.contains("-") else {
                throw ValidationError("--as-of '\(asOf)' is not a date such as 2026-11-27")
            }
            return day
        }
        return Day.today()
    }

    /// A file beside the data: in the first scanned folder (or the folder of the first file).
    func besideTheData(_ name: String) -> String? {
        guard let first = paths.first, first != "-" else { return nil }
        var isDirectory: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory) && isDirectory.boolValue
            ? first : (first as NSString).deletingLastPathComponent
        let candidate = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// `--config`, or `trawl.yaml` beside the data.
    func loadProjectConfig() throws -> ProjectConfig? {
        do {
            return try (config ?? besideTheData("trawl.yaml")).map { try ProjectConfig.load(path: $0) }
        } catch let error as PolicyLoadError {
            throw ValidationError("\(error.description)")
        }
    }

    /// `.trawlignore` and the `allow` entries of trawl.yaml, unless --no-suppressions.
    func loadSuppressions(allow: [Suppressions.Allow]) throws -> Suppressions? {
        if noSuppressions { return nil }
        var suppressions = Suppressions(allow: allow)
        if let path = ignoreFile ?? besideTheData(".trawlignore") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read the ignore file \(path)") }
            do {
                suppressions.ignore = try Suppressions.parseIgnore(text, file: path)
            } catch let error as PolicyLoadError {
                throw ValidationError("\(error.description)")
            }
            suppressions.root = (path as NSString).deletingLastPathComponent
        }
        return suppressions
    }

    /// `--policy FILE` or the built-in policy, unless --no-policy; a policy with lint errors is refused.
    func loadPolicy() throws -> PolicyDocument? {
        if noPolicy { return nil }
        do {
            let document = try policy.map { try PolicyDocument.load(path: $0) } ?? PolicyDocument.builtin()
            if let error = PolicyLinter.lint(document).first(where: { $0.severity == .error }) {
                throw ValidationError("policy: \(error.description) (run `trawl policy lint` for all of them)")
            }
            return document
        } catch let error as PolicyLoadError {
            throw ValidationError("\(error.description)")
        }
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
