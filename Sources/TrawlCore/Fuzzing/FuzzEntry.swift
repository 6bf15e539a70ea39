import CTrawlZlib

/// The code under fuzz: what the libFuzzer executable (`Sources/TrawlFuzz`, `make fuzz`) runs
/// for each input, and what `FuzzRegressionTests` replays over the seed corpora and the saved
/// crashes in `Tests/Fuzz/`, so both go through exactly the same path.
///
/// A target reads its input to the end (every batch, every cell, every archive member) and never
/// prints; problems and thrown `InputError`s are the expected outcome of hostile input and are
/// only counted. A crash, a hang or a leak is a bug in the code under test.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `CSVReader`, delimiter sniffed (so TSV and `;` files too).
    case csv
    /// `JSONReader`: one document or NDJSON (any number of top-level values).
    case json
    /// `SQLReader`: dumps of every dialect it knows.
    case sql
    /// `XMLReader` over libxml2's push parser.
    case xml
    /// `XLSXReader` on a workbook held in memory (`ZipReader`, then libxml2 per part). An input
    /// that is not a zip is a worksheet's XML, put in a fixed workbook (a mutated zip rarely
    /// survives its CRC-32, so the sheet logic is reached this way).
    case xlsx
    /// `ArchiveExpander` on a zip (`ZipReader`), every member drained.
    case zip
    /// `ArchiveExpander` on a gzip stream (`GzipSource`; a tar inside is expanded too).
    case gzip
    /// `ArchiveExpander` on a tar (`TarReader`).
    case tar
    /// The detection engine with every built-in detector: each line of the input is a cell, and
    /// a line `name<TAB>value` is the value of field `name` (field hints, field-value detectors).
    case engine
    /// What reads attacker-chosen media bytes without an external tool: magic-byte sniffing and
    /// header parsing (`MediaKind`, `MediaProbe`), blob sniffing and decoding (`BlobSniffer`),
    /// and the OCR text passes (`MRZRepair`, `MRZCheck`, `IdentityDocumentText`).
    case media
}

/// What one run of a target saw, for tests (the fuzzer ignores it).
public struct FuzzOutcome: Sendable, Equatable {
    /// Cells read (segments of every batch), archive members drained, or cells scanned.
    public var cells = 0
    /// Bytes of the cells read, or of the archive members drained.
    public var bytes = 0
    /// Problems the reader reported without stopping, plus zip members refused.
    public var problems = 0
    /// The error that ended the input, if any.
    public var error: InputError?
    /// Engine findings (at low confidence and above).
    public var findings = 0
}

/// Runs inputs through one `FuzzTarget`. Holds what is costly to set up (the engine's worker),
/// so make one per thread and reuse it for every input; not thread-safe.
public final class FuzzHarness {
    public let target: FuzzTarget
    private let worker: DetectionWorker?

    /// Loads the built-in detectors for `.engine` (the only target that can fail to start).
    public init(target: FuzzTarget) throws(CatalogError) {
        self.target = target
        if target == .engine {
            // A fingerprint key and low confidence: every finding is built in full (masking,
            // fingerprints), so that code runs too.
            let options = DetectionOptions(minConfidence: .low, fingerprinter: Fingerprinter(key: Array("trawl-fuzz".utf8)))
            worker = DetectionEngine(catalog: try DetectorCatalog.builtin(), options: options).makeWorker()
        } else {
            worker = nil
        }
    }

    /// Runs one input to its end.
    @discardableResult
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        do throws(InputError) {
            switch target {
            case .csv: try read(bytes, as: .csv, &outcome)
            case .json: try read(bytes, as: .json, &outcome)
            case .sql: try read(bytes, as: .sql, &outcome)
            case .xml: try read(bytes, as: .xml, &outcome)
            case .xlsx:
                let zip = bytes.starts(with: [0x50, 0x4B]) ? bytes : FuzzWorkbook.wrapping(sheet: bytes)
                let reader = try XLSXReader(data: zip, displayPath: "fuzz.xlsx")
                try drain(reader, &outcome)
            case .zip: try expand(bytes, kind: .zip, &outcome)
            case .gzip: try expand(bytes, kind: .gzip, &outcome)
            case .tar: try expand(bytes, kind: .tar, &outcome)
            case .engine: detect(bytes, &outcome)
            case .media: try media(bytes, &outcome)
            }
        } catch {
            outcome.error = error
        }
        return outcome
    }

    /// A small buffer chunk (4 KiB rather than 1 MiB) so that the buffer's growth is exercised too.
    private func read(_ bytes: [UInt8], as format: InputFormat, _ outcome: inout FuzzOutcome) throws(InputError) {
        let input = try BufferedInput(source: TrickleSource(bytes), chunk: 4096)
        try drain(try format.makeReader(input: input, path: "fuzz.\(format.rawValue)"), &outcome)
    }

    private func drain(_ reader: CellReader, _ outcome: inout FuzzOutcome) throws(InputError) {
        defer { outcome.problems += reader.problems.count }
        var batch = TextBatch()
        var more = true
        while more {
            batch.removeAll()
            more = try reader.fill(&batch)
            outcome.cells += batch.segments.count
            outcome.bytes += batch.byteCount
        }
    }

    private func expand(_ bytes: [UInt8], kind: ArchiveKind, _ outcome: inout FuzzOutcome) throws(InputError) {
        var refused = 0
        defer { outcome.problems += refused }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        try ArchiveExpander.forEachMember(kind: kind, source: TrickleSource(bytes), filePath: nil, displayPath: "fuzz.\(kind.rawValue)",
                                          depth: 1, budget: ArchiveBudget(), onMemberError: { _ in refused += 1 }) { (member) throws(InputError) in
            outcome.cells += 1
            while true {
                let n = try buffer.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                    try member.source.read(into: p.baseAddress!, count: p.count)  // safe: non-empty buffer
                }
                if n == 0 { break }
                outcome.bytes += n
            }
        }
    }

    private func media(_ bytes: [UInt8], _ outcome: inout FuzzOutcome) throws(InputError) {
        if let kind = MediaKind.detect(head: Array(bytes.prefix(MediaKind.headLength))) {
            let info = try MediaProbe.probe(kind, MediaBytes(bytes, size: Int64(bytes.count)))
            outcome.cells += 1
            outcome.bytes += Int(info.size ?? 0)
        }
        if let (encoding, offset) = bytes.withUnsafeBufferPointer({ BlobSniffer.sniff($0) }) {
            outcome.cells += 1
            outcome.bytes += BlobSniffer.decode(bytes[offset...], encoding).count
        }
        let (text, hadMRZ) = MRZRepair.repair(String(decoding: bytes, as: UTF8.self))
        if hadMRZ, MRZCheck.hasValidBlock(text) { outcome.findings += 1 }
        if IdentityDocumentText.keywords(in: text) != nil { outcome.findings += 1 }
    }

    private func detect(_ bytes: [UInt8], _ outcome: inout FuzzOutcome) {
        guard let worker else { return }
        var batch = TextBatch()
        var line = 1
        for cell in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            defer { line += 1 }
            guard !cell.isEmpty else { continue }
            if let tab = cell.firstIndex(of: 0x09) {
                let field = String(decoding: cell[cell.startIndex..<tab], as: UTF8.self)
                batch.append(cell[(tab + 1)...], field: field, line: line, column: tab - cell.startIndex + 2)
            } else {
                batch.append(cell, field: nil, line: line, column: 1)
            }
        }
        var tally = ColumnTally(path: "fuzz.txt")
        let detected = worker.detect(batch, path: "fuzz.txt")
        worker.count(detected, in: batch, tally: &tally)
        _ = tally.classified(ColumnRules())
        outcome.cells = batch.segments.count
        outcome.bytes = batch.byteCount
        outcome.findings = detected.findings.count
    }
}

/// A one-sheet workbook (stored zip) around a worksheet's XML, with shared strings.
enum FuzzWorkbook {
    static let workbook = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Élèves" sheetId="1" r:id="rId1"/></sheets></workbook>
        """
    static let relationships = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>
        """
    static let sharedStrings = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>nom</t></si><si><t>email</t></si><si><r><t>Du</t></r><r><t>pont</t></r><rPh><t>ドゥ</t></rPh></si><si><t>d@free.fr</t></si></sst>
        """

    static func wrapping(sheet: [UInt8]) -> [UInt8] {
        storedZip([("xl/workbook.xml", Array(workbook.utf8)), ("xl/_rels/workbook.xml.rels", Array(relationships.utf8)),
                   ("xl/sharedStrings.xml", Array(sharedStrings.utf8)), ("xl/worksheets/sheet1.xml", sheet)])
    }

    /// A zip of stored (uncompressed) entries.
    static func storedZip(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        func le(_ v: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for (name, data) in entries {
            let crc = data.withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, UInt32($0.count))) }
            // version, flags (UTF-8 names), method 0, time, date, CRC, sizes, name length, extra length
            let common = le(20, 2) + le(0x0800, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(data.count, 4) + le(data.count, 4)
                + le(name.utf8.count, 2) + le(0, 2)
            directory += le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2 + 2 + 2 + 4) + le(out.count, 4) + Array(name.utf8)
            out += le(0x0403_4B50, 4) + common + Array(name.utf8) + data
        }
        let end = le(0x0605_4B50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2) + le(directory.count, 4) + le(out.count, 4) + le(0, 2)
        return out + directory + end
    }
}

/// Hands its bytes over in pieces of varying size (1, 3, 7... up to 4 KiB, then again), as a
/// pipe does, so the readers' refills and the cuts between reads are exercised even though a
/// fuzz input fits in one buffer.
final class TrickleSource: ByteSource {
    static let pieces = [4096, 1, 3, 7, 64, 509, 2, 1021]
    let bytes: [UInt8]
    var position = 0
    var turn = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, bytes.count - position, Self.pieces[turn % Self.pieces.count])
        turn += 1
        guard n > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { src in
            buffer.update(from: src.baseAddress! + position, count: n)  // safe: n > 0 implies a non-empty array
        }
        position += n
        return n
    }
}
