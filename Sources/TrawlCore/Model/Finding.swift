/// One piece of personal data found in one input. The JSON field names are a contract.
public struct Finding: Sendable, Codable, Hashable {
    /// Input path as given on the command line (or `-` for standard input).
    public var path: String
    /// 1-based physical line where the value starts; for a spreadsheet, the row; 0 for formats
    /// without lines (SQLite files), where `location` says where the value is.
    public var line: Int
    /// 1-based column (in Unicode scalar values) where the value starts on that line (for a
    /// spreadsheet, the column number; 0 when there is no line).
    public var column: Int
    /// Column name or key path when the format knows it (`email`, `$.student.contact.email`).
    public var field: String?
    /// Data category id (fideslang-style dotted key).
    public var category: String
    /// Detector id.
    public var detector: String
    public var confidence: Confidence
    /// The value with most characters replaced by `*`.
    public var masked: String
    /// Why it was reported: `pattern`, `validator:NAME`, `context:WORD`, `field:NAME`...
    public var signals: [String]
    /// The raw value, present only when the user asked for `--show-values`.
    public var value: String?
    /// Record number within its table when the format has records: SQL row index (1-based, per
    /// table), SQLite rowid, spreadsheet row. Absent otherwise.
    public var row: Int?
    /// Where the value is in formats without lines: `Sheet1!C7` (XLSX), `customer rowid 42` (SQLite).
    public var location: String?
    /// Stable identity (keyed HMAC of detector, normalised value and field), when fingerprints
    /// are on (`--baseline`, `--write-baseline`, SARIF, `TRAWL_FINGERPRINT_KEY`).
    public var fingerprint: String?

    public init(path: String, line: Int, column: Int, field: String?, category: String, detector: String,
                confidence: Confidence, masked: String, signals: [String], value: String? = nil,
                row: Int? = nil, location: String? = nil, fingerprint: String? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.category = category
        self.detector = detector
        self.confidence = confidence
        self.masked = masked
        self.signals = signals
        self.value = value
        self.row = row
        self.location = location
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case path, line, column, field, category, detector, confidence, masked, signals, value, row, location, fingerprint
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(field, forKey: .field)  // explicit null when unknown
        try c.encode(category, forKey: .category)
        try c.encode(detector, forKey: .detector)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(masked, forKey: .masked)
        try c.encode(signals, forKey: .signals)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(row, forKey: .row)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encodeIfPresent(fingerprint, forKey: .fingerprint)
    }
}

/// A problem with one input: it could not be read or parsed completely. The scan goes on.
public struct InputError: Sendable, Codable, Hashable, Error {
    public enum Code: String, Sendable, Codable {
        case notFound = "not-found"
        case permissionDenied = "permission-denied"
        case readFailed = "read-failed"
        case parseFailed = "parse-failed"
        case decodeFailed = "decode-failed"
        case matchLimit = "match-limit"
        /// An input with more distinct fields than the column statistics keep.
        case columnLimit = "column-limit"
        /// An archive passed a limit (total size, compression ratio, depth, member count).
        case archiveLimit = "archive-limit"
        /// The input is of a kind Trawl cannot read (encrypted archive member, unknown compression).
        case unsupported
        /// OCR or PDF text extraction failed or ran out of time on this input.
        case ocrFailed = "ocr-failed"
    }
    public var path: String
    public var code: Code
    /// What went wrong and what the user can do. Never contains a scanned value.
    public var message: String
    public var line: Int?

    public init(path: String, code: Code, message: String, line: Int? = nil) {
        self.path = path
        self.code = code
        self.message = message
        self.line = line
    }
}

/// An input that was deliberately not scanned, with the reason (never skipped silently).
public struct SkippedInput: Sendable, Codable, Hashable {
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case binary
        /// An image or PDF (by its magic bytes) that nothing marks as an identity document: its
        /// pixels are not read (no OCR yet).
        case image
        case tooLarge = "too-large"
        case excluded
        case symlink
        case special = "not-a-regular-file"
        /// Trawl's own policy or dataset declarations (`schema: trawl.policy/v1`, `trawl.config/v1`):
        /// their words describe personal data, they are not personal data.
        case trawlConfig = "trawl-config"
    }
    public var path: String
    public var reason: Reason
    /// The size of what was left unread, when known without reading it (files on disk).
    public var bytes: Int64?

    public init(path: String, reason: Reason, bytes: Int64? = nil) {
        self.path = path
        self.reason = reason
        self.bytes = bytes
    }
}
