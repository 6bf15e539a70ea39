/// Images, PDFs and recordings: reported from what their headers say, never decoded.
extension InputScanner {
    /// Bytes of a stream held to read a recording's headers (the rest is read through, counted,
    /// for its size); a file on disk is read where its headers are, within the same budget.
    static let recordingHead = MediaBytes.defaultBudget
    /// Bytes of a stream held to read an image's pixel size (JPEG's Exif may come first).
    static let imageHead = 256 << 10

    /// A recording: one finding, with its duration and size when the container gives them.
    mutating func scanRecording(_ kind: MediaKind, head: [UInt8], source: ByteSource, path: String, filePath: String?) throws(InputError) {
        let bytes: MediaBytes
        if let filePath {
            bytes = try Self.fileBytes(filePath, path: path)
        } else {
            let start = try PrefixedSource.peek(source, count: Self.recordingHead).head
            bytes = MediaBytes(start, size: Int64(start.count) + (try Self.readThrough(source)))
        }
        let info = try MediaProbe.probe(kind, bytes)
        outcome.bytes += filePath == nil ? (info.size ?? 0) : Int64(head.count + bytes.spent)
        report(worker.finding(for: info, path: path))
    }

    /// An image or PDF whose path names an identity document: one finding, with its pixel size.
    /// Returns the source to go on reading (the bytes read here are replayed) and whether it
    /// reported something.
    mutating func noteImage(_ kind: MediaKind, source: PrefixedSource, path: String, filePath: String?) throws(InputError) -> (PrefixedSource, Bool) {
        guard IdentityDocumentHint.find(in: path) != nil else { return (source, false) }
        var input = source
        let bytes: MediaBytes
        if let filePath {
            bytes = try Self.fileBytes(filePath, path: path)
        } else {
            let (start, rest) = try PrefixedSource.peek(source, count: Self.imageHead)
            input = rest
            bytes = MediaBytes(start, size: start.count < Self.imageHead ? Int64(start.count) : nil)
        }
        let finding = worker.finding(for: try MediaProbe.probe(kind, bytes), path: path)
        report(finding)
        return (input, finding != nil)
    }

    /// Delivers a media finding and its input's pseudo-column, so the policy sees the category
    /// as it sees a log's free text.
    private mutating func report(_ finding: Finding?) {
        guard let finding else { return }
        var column = ColumnStats(path: finding.path, table: nil, field: ColumnStats.freeTextField)
        column.freeText = true
        column.hits[finding.category] = 1
        column.detectors[finding.detector] = 1
        configuration.columns.classify(&column)
        outcome.columns.append(column)
        deliver([finding])
    }

    static func fileBytes(_ filePath: String, path: String) throws(InputError) -> MediaBytes {
        let file = try FileStorage(path: filePath, displayPath: path)
        return MediaBytes(size: file.size) { (offset, count) throws(InputError) in try file.read(at: offset, count: count) }
    }

    /// Reads a stream to its end, keeping nothing; returns the bytes read.
    static func readThrough(_ source: ByteSource) throws(InputError) -> Int64 {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var total: Int64 = 0
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress!, count: p.count)  // safe: the chunk is never empty
            }
            if n == 0 { return total }
            total += Int64(n)
        }
    }
}
