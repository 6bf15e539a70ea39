/// Where reporters write: the command-line tool passes standard output or a file.
public protocol TextSink: AnyObject {
    func write(_ text: String)
}

/// Describes the tool in machine-readable reports.
public struct ToolInfo: Sendable, Codable, Hashable {
    public var name: String
    public var version: String
    public var detectors: Int

    public init(name: String = "trawl", version: String = Trawl.version, detectors: Int) {
        self.name = name
        self.version = version
        self.detectors = detectors
    }
}

public enum Trawl {
    public static let version = "0.1.0"
}

/// Counts for the end of a report.
/// What happened to the images and PDFs of a scan.
public struct MediaCounts: Sendable, Codable, Hashable {
    /// Images and PDFs whose text was read (OCR or a PDF text layer).
    public var read = 0
    /// Images and PDF pages handed to OCR.
    public var ocrPages = 0
    /// Images not read: not a candidate for OCR (too small, not document-shaped, a kind
    /// Tesseract cannot read) or too large to hand over.
    public var nonCandidates = 0
    /// Images and PDFs that OCR would have read, had it been available.
    public var unread = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case read
        case ocrPages = "ocr_pages"
        case nonCandidates = "non_candidates"
        case unread = "unread_without_ocr"
    }

    mutating func add(_ other: MediaCounts) {
        read += other.read
        ocrPages += other.ocrPages
        nonCandidates += other.nonCandidates
        unread += other.unread
    }
}

public struct ScanSummary: Sendable, Codable, Hashable {
    public var filesScanned = 0
    public var bytesScanned: Int64 = 0
    public var findings = 0
    public var byCategory: [String: Int] = [:]
    public var byConfidence: [String: Int] = [:]
    public var errors = 0
    public var skipped: [String: Int] = [:]
    /// Bytes of the skipped inputs whose size is known (files on disk; not archive members).
    public var bytesSkipped: Int64 = 0
    /// False when an input could not be read or parsed completely.
    public var complete = true
    /// Columns seen (fields of tabular and structured inputs) and how many were classified.
    public var columns = 0
    public var columnsClassified = 0
    /// Images and PDFs read with OCR or their text layer, and those that were not.
    public var media = MediaCounts()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case filesScanned = "files_scanned"
        case bytesScanned = "bytes_scanned"
        case findings
        case byCategory = "by_category"
        case byConfidence = "by_confidence"
        case bytesSkipped = "bytes_skipped"
        case errors, skipped, complete, columns
        case columnsClassified = "columns_classified"
        case media
    }

    /// Reads reports of earlier versions too (`bytes_skipped` is newer).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filesScanned = try c.decode(Int.self, forKey: .filesScanned)
        bytesScanned = try c.decode(Int64.self, forKey: .bytesScanned)
        findings = try c.decode(Int.self, forKey: .findings)
        byCategory = try c.decode([String: Int].self, forKey: .byCategory)
        byConfidence = try c.decode([String: Int].self, forKey: .byConfidence)
        errors = try c.decode(Int.self, forKey: .errors)
        skipped = try c.decode([String: Int].self, forKey: .skipped)
        bytesSkipped = try c.decodeIfPresent(Int64.self, forKey: .bytesSkipped) ?? 0
        media = try c.decodeIfPresent(MediaCounts.self, forKey: .media) ?? MediaCounts()
        complete = try c.decode(Bool.self, forKey: .complete)
        columns = try c.decode(Int.self, forKey: .columns)
        columnsClassified = try c.decode(Int.self, forKey: .columnsClassified)
    }

    public mutating func count(_ finding: Finding) {
        findings += 1
        byCategory[finding.category, default: 0] += 1
        byConfidence[finding.confidence.description, default: 0] += 1
    }
}

/// Renders a scan. Calls arrive from one thread at a time, in input order: `begin`, then the
/// findings of each input (possibly in several calls), then `columns`, then `violations` when a
/// policy is applied, then `end`. A reporter never scans.
public protocol Reporter: AnyObject {
    func begin(tool: ToolInfo)
    func findings(_ findings: [Finding])
    /// Per-column statistics and classification of every input, once, before `end`.
    func columns(_ columns: [ColumnStats])
    /// Where the data disagrees with the privacy policy, once, after `columns` (not called
    /// without a policy).
    func violations(_ violations: [Violation])
    /// How the scan compares with its baseline (`--baseline`), once, before `end`.
    func baseline(_ report: BaselineReport)
    /// What `.trawlignore` and `allow` entries removed, and the allow entries that expired.
    func suppressions(_ report: SuppressionReport)
    func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput])
}
