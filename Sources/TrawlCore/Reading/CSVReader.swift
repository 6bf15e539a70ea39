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
            if input.available < 2 && !input.atEOF { try input.fill() }
            if input.available == 0 {
                if inQuotes {
                    problems.append(InputError(path: path, code: .parseFailed,
                        message: "unterminated quoted cell starting at line \(quoteLine); the rest of the file was read as that cell"))
                    inQuotes = false
                }
                if cellHasContent || cellIndex > 0 { endCell(&batch) }
                return false
            }
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

    /// The field id each column had last time (`TextBatch.fieldID(_:table:guess:)`).
    private var guesses: [Int32] = []

    private func fieldName() -> String {
        if let header, cellIndex < header.count { return header[cellIndex] }
        return "column_\(cellIndex + 1)"
    }

    private func endCell(_ batch: inout TextBatch) {
        if header == nil {
            let name = String(decoding: builder.bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            pendingHeader.append(name.isEmpty ? "column_\(cellIndex + 1)" : name)
        } else if cellHasContent && !builder.isBlank {
            if cellIndex >= guesses.count { guesses += repeatElement(-1, count: cellIndex + 1 - guesses.count) }
            builder.finish(into: &batch, field: batch.fieldID(fieldName(), guess: &guesses[cellIndex]))
        }
        builder.bytes.removeAll(keepingCapacity: true)
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
