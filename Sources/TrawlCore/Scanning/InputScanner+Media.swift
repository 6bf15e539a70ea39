/// Images, PDFs and recordings: recordings are reported from what their headers say (never
/// decoded); images and PDFs are read with OCR or their text layer when an engine is available
/// (`OCREngine`), and reported from their names otherwise.
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

    /// An image or PDF without OCR (`--no-ocr`, or no Tesseract): one finding when its path names
    /// an identity document, with its pixel size. Returns the source to go on reading (the bytes
    /// read here are replayed) and whether it reported something.
    mutating func noteImage(_ kind: MediaKind, source: PrefixedSource, path: String, filePath: String?) throws(InputError) -> (PrefixedSource, Bool) {
        let hint = blobName.flatMap(IdentityDocumentHint.find(in:)) ?? IdentityDocumentHint.find(in: path)
        if configuration.media.ocr != nil, hint != nil || kind == .pdf || OCRCandidate.readable.contains(kind) {
            outcome.media.unread += 1
        }
        guard let hint else { return (source, false) }
        let (header, input) = try Self.imageHeader(source, path: path, filePath: filePath)
        let evidence = DocumentEvidence(hint: hint)
        let finding = worker.identityFinding(for: try MediaProbe.probe(kind, header), path: path, evidence: evidence)
        report(finding)
        return (input, finding != nil)
    }

    /// An image or PDF read with OCR: a PDF's text layer, OCR of its pages without one, or OCR of
    /// an image that could hold a document. Every detector runs over the text read; the image
    /// itself is reported as an identity document when the text has a valid MRZ (high), document
    /// words (medium) or, failing those, when its path names one (low). An image that is not a
    /// candidate for OCR is skipped as `image` (nothing read beyond its header).
    mutating func scanImage(_ kind: MediaKind, source: PrefixedSource, path: String, filePath: String?, depth: Int, engine: OCREngine) throws(InputError) {
        let hint = blobName.flatMap(IdentityDocumentHint.find(in:)) ?? IdentityDocumentHint.find(in: path)
        // The header decides whether the image is read at all: a non-candidate costs its header.
        let (header, input) = try Self.imageHeader(source, path: path, filePath: filePath)
        var info = try MediaProbe.probe(kind, header)
        if kind == .pdf ? !engine.readsPDF : !OCRCandidate.isCandidate(info, hinted: hint != nil) {
            if kind == .pdf { outcome.media.unread += 1 } else { outcome.media.nonCandidates += 1 }
            return unread(info, hint: hint, path: path, depth: depth)
        }
        guard let bytes = try Self.mediaBytes(input, path: path, filePath: filePath) else {
            outcome.media.nonCandidates += 1
            return unread(info, hint: hint, path: path, depth: depth)
        }
        outcome.bytes += Int64(bytes.count)
        info.size = Int64(bytes.count)
        var pages: [(text: String, location: String?)] = []
        var signal = "ocr"
        // A reader that fails (a damaged file, the time limit) is this input's error; what was
        // read before it, and the path's hint, are still reported.
        do throws(InputError) {
            if kind == .pdf {
                var rendered = 0
                for (index, text) in try engine.pdfPages(bytes, path: path).enumerated() {
                    if !text.allSatisfy(\.isWhitespace) {
                        pages.append((text, "page \(index + 1)"))
                    } else if rendered < OCREngine.maxOCRPages, let image = try engine.renderPage(bytes, page: index + 1, path: path) {
                        rendered += 1
                        outcome.media.ocrPages += 1
                        pages.append((try Self.readImage(image, engine: engine, path: path), "page \(index + 1)"))
                    }
                }
                if rendered == 0 { signal = "pdf-text" }
            } else {
                outcome.media.ocrPages += 1
                pages.append((try Self.readImage(bytes, engine: engine, path: path), nil))
            }
        } catch {
            outcome.errors.append(error)
        }
        outcome.media.read += 1
        var evidence = DocumentEvidence(hint: hint)
        let text = pages.map(\.text).joined(separator: "\n")
        // An identity document carries little text; a long document that names a passport and a
        // surname (a procedure, a form) is not one.
        if text.count <= IdentityDocumentText.maxDocumentText { evidence.keywords = IdentityDocumentText.keywords(in: text) ?? [] }
        var found = scanText(pages, path: path)
        // A verified MRZ is the document's own proof: it is folded into the document finding.
        let mrz = found.filter { $0.detector == "icao-mrz" }
        evidence.mrz = mrz.contains { $0.confidence == .high }
        found.removeAll { $0.detector == "icao-mrz" }
        if let first = mrz.first, let i = freeTextColumn(path) {
            outcome.columns[i].detectors["icao-mrz"] = nil
            outcome.columns[i].hits[first.category, default: 0] -= mrz.count
            if outcome.columns[i].hits[first.category, default: 0] <= 0 { outcome.columns[i].hits[first.category] = nil }
            configuration.columns.classify(&outcome.columns[i])
        }
        for i in found.indices { found[i].signals.append(signal) }
        if let document = worker.identityFinding(for: info, path: path, evidence: evidence) { report(document) }
        if !found.isEmpty { deliver(found) }
    }

    /// An image or PDF that is not read: reported when its path or field names an identity
    /// document, skipped as an image otherwise.
    private mutating func unread(_ info: MediaInfo, hint: String?, path: String, depth: Int) {
        if let hint {
            report(worker.identityFinding(for: info, path: path, evidence: DocumentEvidence(hint: hint)))
        } else {
            skip(SkippedInput(path: path, reason: .image), depth: depth)
        }
    }

    /// Runs every detector over text read from a medium, one cell per page; returns the findings
    /// (not delivered yet) and keeps the input's free-text column.
    private mutating func scanText(_ pages: [(text: String, location: String?)], path: String) -> [Finding] {
        let collected = FindingCollector()
        var sub = InputScanner(worker: worker, configuration: configuration, deliver: { collected.findings += $0 })
        do throws(InputError) {
            try sub.run(PagesReader(pages), path: path)
        } catch {
            sub.outcome.errors.append(error)
        }
        outcome.columns += sub.outcome.columns
        outcome.errors += sub.outcome.errors
        return collected.findings
    }

    /// OCR of an image, with its MRZ lines repaired; when MRZ-like lines do not verify, a second
    /// reading restricted to the MRZ alphabet is tried (it reads `<` fillers far better).
    static func readImage(_ image: [UInt8], engine: OCREngine, path: String) throws(InputError) -> String {
        let (text, hadMRZ) = MRZRepair.repair(try engine.recognize(image, path: path))
        guard hadMRZ, !MRZCheck.hasValidBlock(text) else { return text }
        let (mrzText, _) = MRZRepair.repair(try engine.recognize(image, path: path, mrzOnly: true))
        return MRZCheck.hasValidBlock(mrzText) ? text + "\n" + mrzText : text
    }

    /// The whole medium in memory for an external reader, or nil when it is larger than
    /// `OCREngine.maxInputBytes` (a stream is then read through).
    static func mediaBytes(_ source: ByteSource, path: String, filePath: String?) throws(InputError) -> [UInt8]? {
        let limit = OCREngine.maxInputBytes
        if let filePath {
            let file = try FileStorage(path: filePath, displayPath: path)
            guard file.size <= limit else { return nil }
            return try file.read(at: 0, count: Int(file.size))
        }
        guard let bytes = try read(source, upTo: Int64(limit)) else {
            _ = try readThrough(source)
            return nil
        }
        return bytes
    }

    mutating func skip(_ skipped: SkippedInput, depth: Int) {
        if depth == 0 { outcome.skipped = skipped } else { outcome.memberSkips.append(skipped) }
    }

    /// Delivers a media finding and its input's pseudo-column, so the policy sees the category
    /// as it sees a log's free text.
    private mutating func report(_ finding: Finding?) {
        guard let finding else { return }
        if let i = freeTextColumn(finding.path) {
            // The text read from the medium already has its free-text column: one column per input.
            outcome.columns[i].hits[finding.category, default: 0] += 1
            outcome.columns[i].detectors[finding.detector, default: 0] += 1
            configuration.columns.classify(&outcome.columns[i])
        } else {
            var column = ColumnStats(path: finding.path, table: nil, field: ColumnStats.freeTextField)
            column.freeText = true
            column.hits[finding.category] = 1
            column.detectors[finding.detector] = 1
            configuration.columns.classify(&column)
            outcome.columns.append(column)
        }
        deliver([finding])
    }

    private func freeTextColumn(_ path: String) -> Int? {
        outcome.columns.firstIndex { $0.path == path && $0.table == nil && $0.field == ColumnStats.freeTextField }
    }

    /// An image's header bytes (a file is read where needed; a stream's first bytes are kept and
    /// replayed by the returned source).
    static func imageHeader(_ source: PrefixedSource, path: String, filePath: String?) throws(InputError) -> (MediaBytes, PrefixedSource) {
        if let filePath { return (try fileBytes(filePath, path: path), source) }
        let (start, rest) = try PrefixedSource.peek(source, count: imageHead)
        return (MediaBytes(start, size: start.count < imageHead ? Int64(start.count) : nil), rest)
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

/// Gathers the findings of a nested scan on the worker's own thread.
final class FindingCollector {
    var findings: [Finding] = []
}

/// Text read from a medium, one cell per page (`page 2` for a PDF), each starting at line 1.
final class PagesReader: CellReader {
    private var pages: [(text: String, location: String?)]
    let problems: [InputError] = []

    init(_ pages: [(text: String, location: String?)]) { self.pages = pages.reversed() }

    func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        while batch.byteCount < BatchLimits.bytes, let page = pages.popLast() {
            batch.append(Array(page.text.utf8), field: -1, line: 1, column: 1, location: page.location)
        }
        return !pages.isEmpty
    }
}
