import Foundation

/// CSV and TSV (RFC 4180): quoted cells with `""` escapes and line breaks, CRLF or LF, a sniffed
/// delimiter, and the first row as field names. Each non-empty cell becomes one cell whose line
/// and column are where its value starts.
public final class CSVReader: CellReader {
    let input: BufferedInput
    public let delimiter: UInt8
    var header: [String]?
    var cellIndex = 0
    var builder = CellBuilder()
    var position = TextPosition()
    var inQuotes = false
    var quoteLine = 0
    var cellHasContent = false
    public private(set) var problems: [InputError] = []
    let path: String

    public init(input: BufferedInput, path: String, delimiter: UInt8? = nil) throws(InputError) {
        self.input = input
        self.path = path
        if let delimiter {
            self.delimiter = delimiter
        } else {
            try input.ensure(64 * 1024)
            self.delimiter = input.withBytes { Self.sniffDelimiter($0) }
        }
        builder.begin(at: position)
    }

    /// Picks the candidate that occurs most often, outside quotes, on the first line.
    static func sniffDelimiter(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]  // , ; TAB |
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        for b in bytes {
            if b == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if b == 0x0A { break }
            if let i = candidates.firstIndex(of: b) { counts[i] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else { return 0x2C }
        return candidates[best]
    }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        while batch.byteCount < BatchLimits.bytes {
            // Two bytes for the lookahead (`""`, CRLF); one read may bring a single byte (a pipe).
            if input.available < 2 { try input.ensure(2) }
            if input.available == 0 {
                if inQuotes {
                    problems.append(InputError(path: path, code: .parseFailed,
                        message: "unterminated quoted cell starting at line \(quoteLine); the rest of the file was read as that cell"))
                    inQuotes = false
                }
                if cellHasContent || cellIndex > 0 { endCell(&batch) }
                return false
            }
            if takeRun(&batch) { continue }
            // The head byte changes state: byte by byte, with one byte of lookahead.
            let b = input.byte(at: 0)
            let next: UInt8? = input.available > 1 ? input.byte(at: 1) : nil
            if inQuotes {
                if b == 0x22 {
                    if next == 0x22 {
                        appendByte(0x22, &batch)
                        advance(2)
                        continue
                    }
                    inQuotes = false
                    advance(1)
                    continue
                }
                appendByte(b, &batch)
                advance(1)
                continue
            }
            switch b {
            case delimiter:
                advance(1)
                endCell(&batch)
            case 0x0A:
                advance(1)
                endCell(&batch)
                endRecord()
            case 0x0D:
                advance(1)
                if next != 0x0A {
                    position.line += 1
                    position.column = 1
                    endCell(&batch)
                    endRecord()
                }
            case 0x22 where !cellHasContent:
                inQuotes = true
                quoteLine = position.line
                cellHasContent = true
                advance(1)
                builder.begin(at: position)
            default:
                if !cellHasContent {
                    cellHasContent = true
                    builder.begin(at: position)
                }
                appendByte(b, &batch)
                advance(1)
            }
        }
        return true
    }

    /// The fast path: copies the run of content bytes at the head of the buffer (up to the next
    /// `"` inside quotes; the next delimiter, LF or CR outside) into the cell in one append, and
    /// moves the position over it in bulk. Returns false when the head byte is not content, for
    /// the state machine. A run cut by the buffer's end simply goes on at the next call: content
    /// bytes need no lookahead.
    private func takeRun(_ batch: inout TextBatch) -> Bool {
        let taken = input.withBytes { p -> Int in
            let first = p[0]
            let end: Int
            if inQuotes {
                guard first != 0x22 else { return 0 }
                end = RunScan.first(0x22, 0x22, 0x22, in: p, from: 1)
            } else {
                // A quote opens a quoted cell only as its first byte; later it is content.
                guard first != delimiter, first != 0x0A, first != 0x0D, first != 0x22 || cellHasContent else { return 0 }
                if !cellHasContent && header != nil {
                    let whole = takeCells(p, &batch)
                    if whole > 0 { return whole }
                }
                end = RunScan.first(delimiter, 0x0A, 0x0D, in: p, from: 1)
                if !cellHasContent {
                    cellHasContent = true
                    builder.begin(at: position)
                }
            }
            let run = UnsafeBufferPointer(rebasing: p[0..<end])
            appendRun(run, &batch)
            position.advance(over: run, readable: p.count)
            return end
        }
        guard taken > 0 else { return false }
        input.consume(taken)
        return true
    }

    /// Whole unquoted cells at the head of `p`, each buffered up to its terminator (which ends it,
    /// whatever follows), straight into the batch without the builder's copy, with the delimiter
    /// or LF after each, as the state machine would take them; one call for many cells. Stops at
    /// a quote, a CR, a cell the buffer cuts or a long one, and when the batch is full. Returns
    /// the bytes taken (0 when the first cell is not whole).
    private func takeCells(_ p: UnsafeBufferPointer<UInt8>, _ batch: inout TextBatch) -> Int {
        var at = 0
        while at < p.count {
            let first = p[at]
            if first == delimiter || first == 0x0A {
                // The end of a cell: of the whole cell just taken, or of an empty one.
                position.advance(over: first)
                endCell(&batch)
                if first == 0x0A { endRecord() }
                at += 1
                continue
            }
            if first == 0x22 || first == 0x0D || batch.byteCount >= BatchLimits.bytes { break }
            let end = RunScan.first(delimiter, 0x0A, 0x0D, in: p, from: at + 1)
            guard end < p.count, end - at < BatchLimits.cellPiece else { break }
            let whole = UnsafeBufferPointer(rebasing: p[at..<end])
            if !CellBuilder.isBlank(whole) {
                batch.append(whole, field: fieldID(&batch), line: position.line, column: position.column)
            }
            position.advance(over: whole, readable: p.count - at)
            // The cell stays without content, so `endCell` at its terminator (the next pass; a CR
            // is the state machine's) only moves to the next column.
            at = end
        }
        return at
    }

    private func appendRun(_ run: UnsafeBufferPointer<UInt8>, _ batch: inout TextBatch) {
        if header != nil {
            builder.append(run, into: &batch, field: fieldName())
        } else {
            builder.bytes.append(contentsOf: run)  // the header row is never cut
        }
    }

    @inline(__always)
    private func advance(_ n: Int) {
        for i in 0..<n { position.advance(over: input.byte(at: i)) }
        input.consume(n)
    }

    @inline(__always)
    private func appendByte(_ b: UInt8, _ batch: inout TextBatch) {
        builder.bytes.append(b)
        if builder.isFull, header != nil { builder.flushPiece(into: &batch, field: fieldName()) }
    }

    /// The field id of each column in the batch.
    private var ids = FieldIDCache()

    private func fieldName() -> String {
        if let header, cellIndex < header.count { return header[cellIndex] }
        return "column_\(cellIndex + 1)"
    }

    /// The current column's field id, without hashing while the column keeps its name.
    private func fieldID(_ batch: inout TextBatch) -> Int32 {
        ids.id(cellIndex, in: &batch, name: fieldName())
    }

    private func endCell(_ batch: inout TextBatch) {
        if header == nil {
            let name = String(decoding: builder.bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            pendingHeader.append(name.isEmpty ? "column_\(cellIndex + 1)" : name)
        } else if cellHasContent && !builder.isBlank {
            builder.finish(into: &batch, field: fieldID(&batch))
        }
        cellHasContent = false
        cellIndex += 1
        builder.begin(at: position)
    }

    private var pendingHeader: [String] = []

    private func endRecord() {
        if header == nil && !(pendingHeader.count == 1 && pendingHeader[0].hasPrefix("column_")) {
            header = pendingHeader
        }
        pendingHeader = []
        cellIndex = 0
        builder.begin(at: position)
    }
}
