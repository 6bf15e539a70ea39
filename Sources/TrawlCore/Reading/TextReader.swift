#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain text and logs: the input in chunks cut at line ends (or, for a line longer than the
/// chunk, in overlapping pieces), with physical line numbers. Lines end with LF, CRLF or a lone
/// CR.
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
            if input.available == 0 || (input.byte(at: input.available - 1) == 0x0D && !input.atEOF) {
                // More input, or its end: a CR at the end of the buffer may be the first half of a CRLF.
                try input.ensure(input.available + 1)
                if input.available == 0 {
                    builder.finish(into: &batch, field: nil)
                    builder.begin(at: builder.position)
                    return false
                }
            }
            let atEOF = input.atEOF
            let (taken, endedLine): (Int, Bool) = input.withBytes { bytes in
                // A final CR is left for later unless the input ends there (see above).
                let end = bytes.count - (bytes[bytes.count - 1] == 0x0D && !atEOF ? 1 : 0)
                var lastBreak = -1
                var i = end - 1
                while i >= 0 {
                    if bytes[i] == 0x0A || Self.isLoneCR(bytes, i) { lastBreak = i; break }
                    i -= 1
                }
                let kept = lastBreak >= 0 ? lastBreak : end
                let from = builder.bytes.count
                builder.bytes.append(contentsOf: bytes[0..<kept])
                // A lone CR (classic Mac OS line end) becomes an LF: lines are counted, and
                // matched as lines, the same whatever the line ends.
                // memchr first: most text has no CR at all, and this is every text byte.
                if kept > 0, let base = bytes.baseAddress, let cr = memchr(base, 0x0D, kept) {
                    for k in (UnsafeRawPointer(cr) - UnsafeRawPointer(base))..<kept where Self.isLoneCR(bytes, k) {
                        builder.bytes[from + k] = 0x0A
                    }
                }
                return lastBreak >= 0 ? (lastBreak + 1, true) : (end, false)
            }
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

    /// A CR not followed by an LF (at the end of `bytes`, only when the input ends there).
    @inline(__always)
    static func isLoneCR(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        bytes[i] == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A)
    }
}
