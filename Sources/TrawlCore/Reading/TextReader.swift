/// Plain text and logs: the input in chunks cut at line ends (or, for a line longer than the
/// chunk, in overlapping pieces), with physical line numbers.
public final class TextReader: CellReader {
    let input: BufferedInput
    var builder = CellBuilder()
    public private(set) var problems: [InputError] = []

    public init(input: BufferedInput, from position: TextPosition = TextPosition()) {
        self.input = input
        builder.begin(at: position)
    }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        while batch.byteCount < BatchLimits.bytes {
            if input.available == 0 {
                let more = input.atEOF ? false : try input.fill()
                if !more || input.available == 0 {
                    builder.finish(into: &batch, field: nil)
                    builder.begin(at: builder.position)
                    return false
                }
            }
            let taken: Int = input.withBytes { bytes in
                var lastNewline = -1
                var i = bytes.count - 1
                while i >= 0 {
                    if bytes[i] == 0x0A { lastNewline = i; break }
                    i -= 1
                }
                if lastNewline >= 0 {
                    builder.bytes.append(contentsOf: bytes[0..<lastNewline])
                    return lastNewline + 1
                }
                builder.bytes.append(contentsOf: bytes)
                return bytes.count
            }
            let endedLine = input.byte(at: taken - 1) == 0x0A
            input.consume(taken)
            if endedLine {
                var next = builder.position
                next.advance(over: builder.bytes)
                next.line += 1
                next.column = 1
                builder.finish(into: &batch, field: nil)
                builder.begin(at: next)
            } else if builder.isFull {
                builder.flushPiece(into: &batch, field: nil)
            }
        }
        return true
    }
}
