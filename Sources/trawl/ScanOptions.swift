import ArgumentParser
import Foundation
import TrawlCore

/// `--policy`, `--no-policy`, `--config`, `--as-of`: what the data is checked against. Shared by
/// `scan`, `inventory` and `merge`.
struct PolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Check findings against this privacy policy (trawl.policy/v1) instead of the built-in one.", valueName: "FILE"))
    var policy: String?

    @Flag(help: "Do not check findings against a privacy policy: report findings and columns only, and gate on findings.")
    var noPolicy = false

    @Option(help: ArgumentHelp("Dataset declarations (trawl.config/v1). Default: trawl.yaml in the first scanned folder, if there is one.", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Judge retention periods and ages at this day (YYYY-MM-DD; default today, UTC).", valueName: "DATE"))
    var asOf: String?

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

    /// `--config`, or `trawl.yaml` found beside the data.
    func loadProjectConfig(beside: (String) -> String?) throws -> ProjectConfig? {
        do {
            return try (config ?? beside("trawl.yaml")).map { try ProjectConfig.load(path: $0) }
        } catch let error as PolicyLoadError {
            throw ValidationError("\(error.description)")
        }
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

    /// The policy first (its errors come first), then the declarations (read once: they also
    /// hold the allow entries).
    func load(beside: (String) -> String?) throws -> (evaluator: PolicyEvaluator?, config: ProjectConfig?) {
        let document = try loadPolicy()
        let config = try loadProjectConfig(beside: beside)
        return (try document.map { PolicyEvaluator(policy: $0.policy, config: config, asOf: try day()) }, config)
    }
}

/// What `scan` and `inventory` share: the inputs, how they are walked and read, the policy and
/// the suppressions.
struct ScanOptions: ParsableArguments {
    @Argument(help: "Files or directories to scan; '-' reads standard input.")
    var paths: [String] = ["."]

    @Option(help: "Report findings at or above this confidence: low, medium or high.")
    var minConfidence: String = "medium"

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

    @Flag(help: "Do not read images and PDFs (no OCR, no PDF text layer): report them from their path or field names only.")
    var noOCR = false

    @Option(help: ArgumentHelp("Stop reading one image or PDF page after this many seconds (default 30).", valueName: "SECONDS"))
    var ocrTimeout: Int = 30

    @Flag(help: "Run every pattern over every line (no prefilter): slower, for checking that the prefilters change no finding.")
    var noPrefilter = false

    @OptionGroup var catalogOptions: CatalogOptions

    @OptionGroup var policyOptions: PolicyOptions

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
        if ocrTimeout < 1 { throw ValidationError("--ocr-timeout must be at least 1 second") }
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

    /// Everything a scan needs, loaded once: errors in the policy, trawl.yaml, the ignore file or
    /// the key come out before anything is read.
    struct Prepared {
        var catalog: DetectorCatalog
        var evaluator: PolicyEvaluator?
        var config: ProjectConfig?
        var fingerprinter: Fingerprinter?
        var suppressions: Suppressions?
        var day: Day
        var engine: DetectionEngine
        var configuration: ScanConfiguration
    }

    /// `fingerprints`: the caller needs them (baselines); they are also on when an allow entry
    /// needs them or a key already exists, so a plain scan never writes a key file.
    func prepare(showValues: Bool, fingerprints: Bool) throws -> Prepared {
        let catalog = try catalogOptions.load()
        let minimum = Confidence(name: minConfidence) ?? .medium
        let (evaluator, projectConfig) = try policyOptions.load(beside: besideTheData)
        let environment = ProcessInfo.processInfo.environment
        let allowEntries = projectConfig?.allow ?? []
        var fingerprinter: Fingerprinter?
        if fingerprints || (!noSuppressions && !allowEntries.isEmpty) || environment["TRAWL_FINGERPRINT_KEY"] != nil
            || FileManager.default.fileExists(atPath: fingerprintKeyFile) {
            do {
                fingerprinter = Fingerprinter(key: try Fingerprinter.loadKey(environment: environment, keyFile: fingerprintKeyFile))
            } catch {
                throw ValidationError("fingerprints: \(error)")
            }
        }
        let engine = DetectionEngine(catalog: catalog, options: DetectionOptions(minConfidence: minimum, showValues: showValues, fingerprinter: fingerprinter, prefilter: !noPrefilter))
        var walk = WalkOptions(excludes: exclude, followSymlinks: followSymlinks)
        if let maxFileSize, let size = Self.parseSize(maxFileSize) { walk.maxFileSize = size }
        walk.shard = shard.flatMap(Self.parseShard)
        let read = ReadOptions(sqlSchema: try loadSQLSchema(), sampleRows: sampleRows, archiveLimits: archiveLimits)
        var columns = ColumnRules()
        columns.threshold = columnThreshold
        columns.hintedThreshold = min(columns.hintedThreshold, columnThreshold)
        var configuration = ScanConfiguration(roots: paths, jobs: jobs, walk: walk, inputFormat: inputFormat, read: read, columns: columns)
        configuration.dateTracking = evaluator?.dateTracking
        if !noOCR { configuration.media.ocr = OCRProvider(timeout: .seconds(ocrTimeout), concurrency: configuration.jobs) }
        if !quiet && isatty(STDERR_FILENO) == 1 { configuration.progress = StderrProgress() }
        return Prepared(catalog: catalog, evaluator: evaluator, config: projectConfig, fingerprinter: fingerprinter,
                        suppressions: try loadSuppressions(allow: allowEntries), day: try policyOptions.day(),
                        engine: engine, configuration: configuration)
    }

    /// Says once, after the scan, that images or PDFs were left unread because OCR is unavailable
    /// (the scan's findings stand: those files are reported from their path or field names).
    func noteUnreadMedia(_ summary: ScanSummary, configuration: ScanConfiguration) {
        guard !quiet, summary.media.unread > 0, let reason = configuration.media.ocr?.unavailable else { return }
        let count = summary.media.unread
        FileHandle.standardError.write(Data(("trawl: note: \(count) image\(count == 1 ? "" : "s") or PDF\(count == 1 ? "" : "s") not read: OCR is unavailable: \(reason). "
            + "They are reported from their path or field names only (low confidence); pass --no-ocr to skip reading images.\n").utf8))
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

    /// `.trawlignore` and the `allow` entries of trawl.yaml, unless --no-suppressions.
    func loadSuppressions(allow: [Suppressions.Allow]) throws -> Suppressions? {
        if noSuppressions { return nil }
        var suppressions = Suppressions(allow: allow)
        if let path = ignoreFile ?? besideTheData(".trawlignore") {
            let text: String
            do { text = try FileSource.readText(path: path) } catch { throw ValidationError("cannot read the ignore file \(path): \(error.message)") }
            do {
                suppressions.ignore = try Suppressions.parseIgnore(text, file: path)
            } catch let error as PolicyLoadError {
                throw ValidationError("\(error.description)")
            }
            suppressions.root = (path as NSString).deletingLastPathComponent
        }
        return suppressions
    }
}
