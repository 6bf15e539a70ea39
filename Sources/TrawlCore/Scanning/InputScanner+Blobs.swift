/// Binary values held in structured data: base64 values and `data:` URIs (JSON, XML, CSV),
/// `0x…` hex literals and `_binary` strings (mysqldump), `\x…` bytea (pg_dump), BLOB cells
/// (SQLite). A cell whose first bytes decode to a known file signature (an image, a PDF, a
/// recording, an archive) is decoded and scanned like a file; what it holds is reported at the
/// cell's own location (line, column, field, row) and counted in the cell's column.
enum BlobSniffer {
    enum Encoding: String, Sendable {
        case raw, base64, hex
    }

    /// Shortest cell looked at: no image, PDF or recording fits in fewer bytes.
    static let minimumLength = 64

    /// The encoding and the offset where the payload starts, when the cell begins with one.
    static func sniff(_ cell: UnsafeBufferPointer<UInt8>) -> (encoding: Encoding, offset: Int)? {
        guard cell.count >= minimumLength else { return nil }
        let first = cell[0]
        // `data:image/png;base64,` (RFC 2397).
        if first == UInt8(ascii: "d"), cell.starts(with: "data:".utf8) {
            let window = cell.prefix(128)
            guard let comma = window.firstIndex(of: UInt8(ascii: ",")),
                  String(decoding: window[..<comma], as: UTF8.self).hasSuffix(";base64") else { return nil }
            return known(cell, .base64, comma + 1)
        }
        // `\x89504e47…` (PostgreSQL bytea hex) and `0x89504E47…` (MySQL hex literal).
        if (first == UInt8(ascii: "\\") && cell[1] == UInt8(ascii: "x")) || (first == UInt8(ascii: "0") && (cell[1] | 0x20) == UInt8(ascii: "x")) {
            return known(cell, .hex, 2)
        }
        if Base64.value(first) != nil, let found = known(cell, .base64, 0) { return found }
        return known(cell, .raw, 0)
    }

    /// The sniffed encoding if the payload's first bytes are a signature Trawl reads.
    private static func known(_ cell: UnsafeBufferPointer<UInt8>, _ encoding: Encoding, _ offset: Int) -> (encoding: Encoding, offset: Int)? {
        let payload = UnsafeBufferPointer(rebasing: cell[offset..<min(cell.count, offset + 128)])
        let found: Bool
        switch encoding {
        case .raw:
            // Sniffed in place: no copy for the common case, a text cell.
            found = MediaKind.detect(head: UnsafeBufferPointer(rebasing: payload.prefix(64))) != nil
        case .base64, .hex:
            guard payload.count >= 64 else { return nil }
            let text = payload.prefix(64)
            let head = encoding == .hex ? Hex.decode(text) : (text.allSatisfy { Base64.value($0) != nil } ? Base64.decode(text) : nil)
            guard let head, head.count >= 16 else { return nil }
            found = head.withUnsafeBufferPointer { MediaKind.detect(head: $0) != nil || ArchiveKind.detect(head: $0) != nil }
        }
        return found ? (encoding, offset) : nil
    }

    /// The payload's bytes (whitespace inside base64 is skipped; decoding stops at the first byte
    /// outside the alphabet).
    static func decode<C: Collection>(_ payload: C, _ encoding: Encoding) -> [UInt8] where C.Element == UInt8 {
        switch encoding {
        case .raw: return Array(payload)
        case .base64: return Base64.decode(payload)
        case .hex: return Hex.decode(payload, stopAtInvalid: true) ?? []
        }
    }
}

enum Base64 {
    /// The 6-bit value of a base64 or base64url character.
    @inline(__always)
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }

    static func decode<C: Collection>(_ text: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var bits: UInt32 = 0
        var n = 0
        for c in text {
            guard let v = value(c) else {
                if c == 0x0A || c == 0x0D || c == 0x20 || c == 0x09 { continue }
                break  // `=` padding or the end of the value
            }
            bits = bits << 6 | UInt32(v)
            n += 6
            if n >= 8 {
                n -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(n)))
            }
        }
        return out
    }
}

enum Hex {
    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Pairs of hex digits as bytes; nil at a non-hex byte unless `stopAtInvalid`.
    static func decode<C: Collection>(_ text: C, stopAtInvalid: Bool = false) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var high: UInt8?
        for c in text {
            guard let v = nibble(c) else {
                if stopAtInvalid { break }
                return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }
}

/// A blob being put together from the pieces of a long cell (see `CellBuilder`).
struct PendingBlob {
    var encoding: BlobSniffer.Encoding
    var payload: [UInt8]
    var field: Int32
    var line: Int
    var column: Int
    var row: Int
    var location: String?
    var fieldName: String?
    var table: String?
}

extension InputScanner {
    /// Encoded bytes of one blob kept while its pieces arrive, at most (the decoded blob is then
    /// within `OCREngine.maxInputBytes`).
    static let maxBlobText = 96 << 20
    /// Files inside files inside data, at most (a zip of JSON exports holding scans is 2).
    static let maxBlobDepth = 3

    /// Takes the blobs out of a batch before detection: their cells are muted (an image's base64
    /// is not text; nothing is reported from it) and the blobs completed in this batch are
    /// returned, to be scanned once the batch is counted. `pending` carries a blob cut across
    /// batches (a long cell arrives in overlapping pieces).
    mutating func extractBlobs(_ batch: inout TextBatch, path: String, pending: inout PendingBlob?) -> [PendingBlob] {
        guard blobDepth < Self.maxBlobDepth else { return [] }
        var done: [PendingBlob] = []
        var muted: [Int] = []
        batch.bytes.withUnsafeBufferPointer { bytes in
            for (index, segment) in batch.segments.enumerated() {
                let cell = UnsafeBufferPointer(rebasing: bytes[segment.start..<segment.end])
                let last = segment.emitUntil == Int.max
                if segment.isContinuation {
                    guard var blob = pending, blob.field == segment.field, cell.count > BatchLimits.overlap else { continue }
                    muted.append(index)
                    // Each piece repeats the previous piece's last `overlap` bytes.
                    blob.payload += last ? cell[BatchLimits.overlap...] : cell[BatchLimits.overlap..<max(BatchLimits.overlap, cell.count - BatchLimits.overlap)]
                    pending = nil
                    if last { done.append(blob) }
                    else if blob.payload.count <= Self.maxBlobText { pending = blob }
                    else { blobTooLarge(blob, path: path) }
                    continue
                }
                // (Assigning nil to nil still destroys the old value: a call per cell.)
                if pending != nil { pending = nil }
                // Only values of fields: a chunk of plain text that starts with a signature is
                // the input itself (a PDF read as text), not a file inside it.
                guard segment.field >= 0, let (encoding, offset) = BlobSniffer.sniff(cell) else { continue }
                muted.append(index)
                let field = segment.field >= 0 ? batch.fields[Int(segment.field)] : nil
                let table = segment.field >= 0 ? batch.fieldTables[Int(segment.field)] : nil
                let location = segment.location >= 0 ? batch.locations[Int(segment.location)] : nil
                var blob = PendingBlob(encoding: encoding, payload: [], field: segment.field, line: segment.line, column: segment.column,
                                       row: segment.row, location: location, fieldName: field, table: table)
                blob.payload = Array(last ? cell[offset...] : cell[offset..<max(offset, cell.count - BatchLimits.overlap)])
                if last { done.append(blob) } else { pending = blob }
            }
        }
        for index in muted { batch.segments[index].emitUntil = batch.segments[index].emitFrom }
        return done
    }

    private mutating func blobTooLarge(_ blob: PendingBlob, path: String) {
        outcome.errors.append(InputError(path: path, code: .archiveLimit,
            message: "a binary value of over \(ByteCount.decimal(Int64(Self.maxBlobText))) in \(Self.describe(blob)) was not decoded or scanned", line: blob.line))
    }

    /// `field photo, line 12` for messages.
    static func describe(_ blob: PendingBlob) -> String {
        var parts: [String] = []
        if let name = blob.fieldName { parts.append("field " + (blob.table.map { $0 + "." } ?? "") + name) }
        if let location = blob.location { parts.append(location) }
        parts.append("line \(blob.line)")
        return parts.joined(separator: ", ")
    }

    /// Decodes a whole blob and scans it like a file, placing what it holds on its cell.
    mutating func scanBlob(_ blob: PendingBlob, path: String, tally: inout ColumnTally) {
        let bytes = BlobSniffer.decode(blob.payload, blob.encoding)
        guard bytes.count <= OCREngine.maxInputBytes else { return blobTooLarge(blob, path: path) }
        let collected = FindingCollector()
        var child = InputScanner(worker: worker, configuration: configuration, deliver: { collected.findings += $0 })
        // The column's name says what the blob is (`piece_identite`, `passport_scan`), as a file's path would.
        child.blobName = [blob.table, blob.fieldName].compactMap { $0 }.joined(separator: "_")
        child.blobDepth = blobDepth + 1
        let budget = ArchiveBudget(limits: configuration.read.archiveLimits)
        do throws(InputError) {
            try child.scan(source: MemorySource(bytes), path: path, filePath: nil, depth: 1, budget: budget)
        } catch {
            child.outcome.errors.append(error)
        }
        outcome.media.add(child.outcome.media)
        for var error in child.outcome.errors {
            error.message = "binary value in \(Self.describe(blob)): " + error.message
            error.line = error.line ?? blob.line
            outcome.errors.append(error)
        }
        guard !collected.findings.isEmpty else { return }
        var found = collected.findings
        for i in found.indices {
            found[i].line = blob.line
            found[i].column = blob.column
            found[i].field = blob.fieldName
            found[i].row = blob.row > 0 ? blob.row : nil
            found[i].location = blob.location
            found[i].signals.append("blob:\(blob.encoding.rawValue)")
        }
        if let name = blob.fieldName, let slot = tally.slot(table: blob.table, field: name, hints: { [] }) {
            for category in Set(found.map(\.category)) { tally.columns[slot].hits[category, default: 0] += 1 }
            for detector in Set(found.map(\.detector)) { tally.columns[slot].detectors[detector, default: 0] += 1 }
        }
        deliver(found)
    }
}
