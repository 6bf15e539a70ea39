/// Scans one input of any kind: sniffs what it is (archive, SQLite database, workbook, image or
/// recording, text format), opens the right reader, runs the detection worker over its batches
/// and recurses into archive members, which are reported as `archive.zip!/dir/member.csv`.
struct InputScanner {
    let worker: DetectionWorker
    let configuration: ScanConfiguration
    /// Hands findings over as they are found (the ordered writer keeps walk order).
    let deliver: ([Finding]) -> Void
    var outcome = FileOutcome()
    /// Idle workers that can detect some of this input's batches.
    var helpers: DetectionHelpers?
    /// For a blob decoded from a cell: its table and field name, which say what it is as a
    /// file's path would (`students_piece_identite`).
    var blobName: String?
    /// How many blobs deep this scan is (0 for an input).
    var blobDepth = 0

    /// Batches handed to helpers and not counted yet, at most: bounds memory to a few batches.
    static let batchesInFlight = 3

    /// Bytes read to tell formats apart (tar's magic is at 257). Media that need more (an MP3's
    /// second frame header) read more once archives are ruled out, so that an archive's first
    /// read stays this small.
    static let headLength = max(ArchiveKind.headLength, 512)

    /// Scans a top-level input: a file on disk (`filePath`) or standard input.
    mutating func scan(source: ByteSource, path: String, filePath: String?) {
        let budget = ArchiveBudget(limits: configuration.read.archiveLimits)
        do throws(InputError) {
            try scan(source: source, path: path, filePath: filePath, depth: 0, budget: budget)
        } catch {
            outcome.errors.append(error)
        }
    }

    mutating func scan(source: ByteSource, path: String, filePath: String?, depth: Int, budget: ArchiveBudget) throws(InputError) {
        // A forced format applies to what is inside archives too (`pg_dump | gzip | trawl scan
        // --input-format sql -`); only a forced workbook or database is taken as it is.
        let forced = configuration.inputFormat
        let (head, input) = try PrefixedSource.peek(source, count: Self.headLength)
        let kind = head.withUnsafeBufferPointer { ArchiveKind.detect(head: $0) }
        let isWorkbook = forced == .xlsx || (forced == .auto && kind == .zip && Self.isWorkbookName(path))
        if let kind, forced != .sqlite, !isWorkbook {
            try expand(kind: kind, source: input, path: path, filePath: filePath, depth: depth + 1, budget: budget)
            return
        }
        let isSQLite = forced == .sqlite || (forced == .auto && head.withUnsafeBufferPointer { SQLiteReader.looksLikeSQLite($0) })
        if isWorkbook || isSQLite {
            let limits = configuration.read.archiveLimits
            let reader: CellReader
            if let filePath {
                reader = isSQLite ? try SQLiteReader(path: filePath, displayPath: path, sampleRows: configuration.read.sampleRows)
                                  : try XLSXReader(path: filePath, displayPath: path)
                outcome.bytes += Int64(head.count)
            } else {
                let bytes = try Self.readAll(input, path: path, limit: limits.maxMemberBytes)
                outcome.bytes += Int64(bytes.count)
                reader = isSQLite ? try SQLiteReader(bytes: bytes, displayPath: path, sampleRows: configuration.read.sampleRows)
                                  : try XLSXReader(data: bytes, displayPath: path)
            }
            try run(reader, path: path)
            return
        }
        // Recordings are reported and done; an image or PDF is reported when its path names an
        // identity document, and skipped as an image unless it reads as text (a plain PDF).
        var (sniffed, rest) = (head, input)
        if forced == .auto, MediaKind.needsLongerHead(head) { (sniffed, rest) = try PrefixedSource.peek(input, count: MediaKind.headLength) }
        var reported = false
        let media = forced == .auto ? MediaKind.detect(head: sniffed) : nil
        if let media, media.family != .image {
            try scanRecording(media, head: sniffed, source: rest, path: path, filePath: filePath)
            return
        } else if let media {
            if let engine = configuration.media.ocr?.engine {
                try scanImage(media, source: rest, path: path, filePath: filePath, depth: depth, engine: engine)
                return
            }
            (rest, reported) = try noteImage(media, source: rest, path: path, filePath: filePath)
        }
        let buffered = try BufferedInput(source: rest)
        if forced == .auto, try buffered.looksBinary() {
            if reported {
                outcome.bytes += Int64(buffered.bytesRead)
                return
            }
            let skip = SkippedInput(path: path, reason: media == nil ? .binary : .image)
            if depth == 0 { outcome.skipped = skip } else { outcome.memberSkips.append(skip) }
            return
        }
        if forced == .auto, path.hasSuffix("/.trawlignore") || path == ".trawlignore" || buffered.withBytes({ Self.isTrawlConfig($0) }) {
            let skip = SkippedInput(path: path, reason: .trawlConfig)
            if depth == 0 { outcome.skipped = skip } else { outcome.memberSkips.append(skip) }
            return
        }
        let format: InputFormat = forced != .auto ? forced : buffered.withBytes { InputFormat.sniff(path: path, head: $0) }
        let reader = try format.makeReader(input: buffered, path: path, options: configuration.read)
        defer { outcome.bytes += Int64(buffered.bytesRead) }
        try run(reader, path: path)
    }

    /// Scans every member of an archive; a member's own problems do not end the archive.
    private mutating func expand(kind: ArchiveKind, source: ByteSource, path: String, filePath: String?, depth: Int, budget: ArchiveBudget) throws(InputError) {
        if depth > budget.limits.maxDepth {
            // Too deep: this archive is left out, its parent goes on with its other members.
            outcome.errors.append(InputError(path: path, code: .archiveLimit,
                message: "archive nested \(depth) levels deep, over the depth limit of \(budget.limits.maxDepth); it was not expanded; raise --archive-max-depth to scan it"))
            return
        }
        var errors: [InputError] = []
        var me = self
        defer {
            // Member errors are kept even when the archive itself fails later.
            me.outcome.errors += errors
            self = me
        }
        try ArchiveExpander.forEachMember(kind: kind, source: source, filePath: filePath, displayPath: path, depth: depth, budget: budget,
                                          onMemberError: { errors.append($0) }) { (member) throws(InputError) in
            let memberPath = path + "!/" + member.name
            do throws(InputError) {
                try me.scan(source: member.source, path: memberPath, filePath: nil, depth: depth, budget: budget)
            } catch where Self.endsArchive(error, archive: path, budget: budget) {
                throw error
            } catch {
                errors.append(error)
            }
        }
    }

    /// Errors of the archive's own stream (its path: truncation, corruption, read failures) and
    /// an exhausted budget end the archive; anything else (a corrupt nested gzip, a member too
    /// large to hold in memory, a bad workbook) belongs to the member alone.
    static func endsArchive(_ error: InputError, archive path: String, budget: ArchiveBudget) -> Bool {
        if budget.totalBytes > budget.limits.maxTotalBytes || budget.members > budget.limits.maxMembers { return true }
        switch error.code {
        case .archiveLimit, .readFailed, .decodeFailed: return error.path == path
        default: return false
        }
    }

    mutating func run(_ reader: CellReader, path: String) throws(InputError) {
        var batch = TextBatch()
        var tally = ColumnTally(path: path, dateTracking: configuration.dateTracking)
        defer {
            outcome.columns += tally.classified(configuration.columns)
            outcome.errors += reader.problems
            if tally.dropped > 0 {
                outcome.errors.append(InputError(path: path, code: .columnLimit,
                    message: "more than \(ColumnTally.maxColumns) distinct fields (generated keys?): the fields past the first \(ColumnTally.maxColumns) are not counted or classified; their findings are still reported"))
            }
        }
        // Batches read and not yet counted, in order; those handed to a helper have a pending
        // result. Counting and delivering stay in batch order on this worker.
        var queue: [(batch: TextBatch, pending: PendingDetection?, detected: DetectionWorker.Detected?, blobs: [PendingBlob])] = []
        var blob: PendingBlob?
        func settle(all: Bool) {
            while let head = queue.first, all || queue.count > Self.batchesInFlight || head.detected != nil {
                let detected = head.detected ?? head.pending?.wait() ?? DetectionWorker.Detected()
                if head.pending != nil { worker.absorbLimitHits(detected.limitHits) }
                worker.count(detected, in: head.batch, tally: &tally)
                if !detected.findings.isEmpty { deliver(detected.findings) }
                for found in head.blobs { scanBlob(found, path: path, tally: &tally) }
                queue.removeFirst()
            }
        }
        defer { settle(all: true) }
        var more = true
        while more {
            batch.removeAll()
            more = try reader.fill(&batch)
            let blobs = extractBlobs(&batch, path: path, pending: &blob)
            if let helpers {
                let pending = PendingDetection()
                let handed = batch
                if helpers.offer({ helper in pending.fulfill(helper.detect(handed, path: path)) }) {
                    queue.append((batch, pending, nil, blobs))
                    settle(all: false)
                    continue
                }
            }
            queue.append((batch, nil, worker.detect(batch, path: path), blobs))
            settle(all: false)
        }
    }

    /// A YAML document of Trawl's own schemas (a `schema: trawl.policy/…` or `trawl.config/…`
    /// line before any other key), or a baseline (`"schema" : "trawl.baseline/v1"`).
    static func isTrawlConfig(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = String(decoding: UnsafeBufferPointer(rebasing: head[0..<min(head.count, 4096)]), as: UTF8.self)
        if text.hasPrefix("{"), text.contains("\"schema\" : \"trawl.baseline/") || text.contains("\"schema\":\"trawl.baseline/") { return true }
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") || t == "---" { continue }
            return t.hasPrefix("schema: trawl.policy/") || t.hasPrefix("schema: trawl.config/")
        }
        return false
    }

    static func isWorkbookName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm")
    }

    /// Reads a whole input that needs random access (a SQLite database or a workbook that is not
    /// a file on disk), refusing more than `limit` bytes.
    static func readAll(_ source: ByteSource, path: String, limit: Int64) throws(InputError) -> [UInt8] {
        guard let bytes = try read(source, upTo: limit) else {
            throw InputError(path: path, code: .archiveLimit,
                message: "this database or workbook is not a file on disk, so it must be read into memory, and it is larger than \(limit) bytes; extract it first or raise --archive-max-member-bytes")
        }
        return bytes
    }

    /// A whole stream in memory, or nil as soon as it passes `limit` bytes (the rest is unread).
    static func read(_ source: ByteSource, upTo limit: Int64) throws(InputError) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress!, count: p.count)  // safe: the chunk is never empty
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if Int64(bytes.count) > limit { return nil }
        }
    }
}
