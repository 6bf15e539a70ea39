/// The formats Trawl reads, chosen by `--input-format`, by extension, or by content.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case auto, text, csv, tsv, json, ndjson, sql, xml, xlsx, sqlite

    /// Picks a format for a file from its name, then its first bytes.
    public static func sniff(path: String, head: UnsafeBufferPointer<UInt8>) -> InputFormat {
        let lower = path.lowercased()
        let ext = lower.split(separator: "/").last.flatMap { name -> Substring? in
            guard let dot = name.lastIndex(of: ".") else { return nil }
            return name[name.index(after: dot)...]
        }.map(String.init) ?? ""
        switch ext {
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "json", "geojson": return .json
        case "ndjson", "jsonl": return .ndjson
        case "sql", "dump", "mysql", "pgsql", "psql": return .sql
        case "xml": return .xml
        default: break
        }
        if Self.startsWith(head, "<?xml") { return .xml }
        if SQLReader.looksLikeSQL(head) { return .sql }
        // Content: a document that opens with { or [ and whose next non-space byte fits JSON.
        var i = 0
        while i < head.count, head[i] == 0x20 || head[i] == 0x0A || head[i] == 0x0D || head[i] == 0x09 { i += 1 }
        if i < head.count, head[i] == 0x7B || head[i] == 0x5B {
            var j = i + 1
            while j < head.count, head[j] == 0x20 || head[j] == 0x0A || head[j] == 0x0D || head[j] == 0x09 { j += 1 }
            if j < head.count, [0x22, 0x7B, 0x5B, 0x7D, 0x5D].contains(head[j]) || (head[j] >= 0x30 && head[j] <= 0x39) {
                return .json
            }
        }
        return .text
    }

    /// Makes the reader for this (resolved) format.
    public func makeReader(input: BufferedInput, path: String, options: ReadOptions = ReadOptions()) throws(InputError) -> CellReader {
        switch self {
        case .sql: return SQLReader(input: input, path: path, schema: options.sqlSchema)
        case .xml: return XMLReader(input: input, path: path)
        case .xlsx, .sqlite:
            // Opened from the file or from memory by the scanner, never as a stream.
            throw InputError(path: path, code: .unsupported, message: "\(rawValue) inputs are opened by the scanner, not as a text stream")
        case .auto, .text: return TextReader(input: input)
        case .csv: return try CSVReader(input: input, path: path)
        case .tsv: return try CSVReader(input: input, path: path, delimiter: 0x09)
        case .json, .ndjson: return JSONReader(input: input, path: path)
        }
    }
}

extension InputFormat {
    static func startsWith(_ head: UnsafeBufferPointer<UInt8>, _ prefix: String) -> Bool {
        var i = 0
        while i < head.count, head[i] == 0x20 || head[i] == 0x0A || head[i] == 0x0D || head[i] == 0x09 { i += 1 }
        let p = Array(prefix.utf8)
        guard head.count - i >= p.count else { return false }
        for (k, b) in p.enumerated() where head[i + k] != b { return false }
        return true
    }
}

/// Format-specific settings readers take from the command line.
public struct ReadOptions: Sendable {
    /// Tables and columns known before reading (`--sql-schema`), for data-only dumps.
    public var sqlSchema: SQLSchema
    /// Read only the first N rows of each SQLite table (`--sample-rows`).
    public var sampleRows: Int?
    /// Bounds on archive expansion (`--archive-max-*`).
    public var archiveLimits: ArchiveLimits

    public init(sqlSchema: SQLSchema = SQLSchema(), sampleRows: Int? = nil, archiveLimits: ArchiveLimits = ArchiveLimits()) {
        self.sqlSchema = sqlSchema
        self.sampleRows = sampleRows
        self.archiveLimits = archiveLimits
    }
}
