/// A read buffer over a `ByteSource` that removes a UTF-8 byte-order mark and transcodes
/// UTF-16 (with a BOM, or sniffed without one) to UTF-8, so every reader sees UTF-8 or raw bytes.
public final class BufferedInput {
    public enum Encoding: String, Sendable { case utf8, utf8BOM = "utf-8-bom", utf16LE = "utf-16le", utf16BE = "utf-16be" }

    public static let defaultChunk = 1 << 20

    let source: ByteSource
    let chunk: Int
    /// Valid bytes are `storage[start..<end]`.
    var storage: [UInt8]
    var start = 0
    var end = 0
    public private(set) var atEOF = false
    public private(set) var encoding: Encoding = .utf8
    public private(set) var bytesRead = 0
    private var transcoder: UTF16Transcoder?

    public init(source: ByteSource, chunk: Int = BufferedInput.defaultChunk) throws(InputError) {
        self.source = source
        self.chunk = chunk
        self.storage = [UInt8](repeating: 0, count: chunk)
        try readRaw(minimum: 4)
        detectBOM()
    }

    public var available: Int { end - start }

    /// True when the first few kilobytes hold a NUL byte (after decoding): a binary file.
    public func looksBinary() throws(InputError) -> Bool {
        while available < 8192 && !atEOF { _ = try fill() }
        let limit = min(end, start + 8192)
        for i in start..<limit where storage[i] == 0 { return true }
        return false
    }

    /// UTF-16 without a byte-order mark (some Windows exports): true for little endian, false for
    /// big endian, nil when the head is not that. It must be text in a Latin script: at least 16
    /// characters, nine in ten of them with a zero high byte, each of those a printable character,
    /// tab, LF or CR (so a binary file full of NULs does not pass).
    static func sniffUTF16(_ head: UnsafeBufferPointer<UInt8>) -> Bool? {
        let units = min(head.count, 1024) / 2
        guard units >= 16 else { return nil }
        func looksLikeText(high: Int, low: Int) -> Bool {
            var latin = 0
            for u in 0..<units where head[2 * u + high] == 0 {
                let b = head[2 * u + low]
                guard b == 0x09 || b == 0x0A || b == 0x0D || (b >= 0x20 && b != 0x7F) else { return false }
                latin += 1
            }
            return latin * 10 >= units * 9
        }
        if looksLikeText(high: 1, low: 0) { return true }
        if looksLikeText(high: 0, low: 1) { return false }
        return nil
    }

    private func detectBOM() {
        let n = available
        if n >= 3 && storage[start] == 0xEF && storage[start + 1] == 0xBB && storage[start + 2] == 0xBF {
            start += 3
            encoding = .utf8BOM
        } else if n >= 2 && storage[start] == 0xFF && storage[start + 1] == 0xFE {
            start += 2
            encoding = .utf16LE
        } else if n >= 2 && storage[start] == 0xFE && storage[start + 1] == 0xFF {
            start += 2
            encoding = .utf16BE
        } else if let littleEndian = withBytes({ Self.sniffUTF16($0) }) {
            encoding = littleEndian ? .utf16LE : .utf16BE
        }
        if encoding == .utf16LE || encoding == .utf16BE {
            var t = UTF16Transcoder(littleEndian: encoding == .utf16LE)
            let raw = Array(storage[start..<end])
            start = 0
            end = 0
            var out: [UInt8] = []
            t.feed(raw, into: &out)
            append(out)
            transcoder = t
        }
    }

    private func append(_ bytes: [UInt8]) {
        if end + bytes.count > storage.count { storage.append(contentsOf: [UInt8](repeating: 0, count: end + bytes.count - storage.count)) }
        storage.replaceSubrange(end..<(end + bytes.count), with: bytes)
        end += bytes.count
    }

    private func compact() {
        guard start > 0 else { return }
        if start < end {
            storage.withUnsafeMutableBufferPointer { p in
                _ = memmoveBytes(p.baseAddress!, p.baseAddress! + start, end - start)  // safe: storage is never empty
            }
        }
        end -= start
        start = 0
    }

    private func readRaw(minimum: Int) throws(InputError) {
        while !atEOF && available < minimum {
            compact()
            if end == storage.count { storage.append(contentsOf: [UInt8](repeating: 0, count: chunk)) }
            let room = storage.count - end
            let n = try storage.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress! + end, count: room)  // safe: storage is never empty
            }
            if n == 0 { atEOF = true } else { end += n; bytesRead += n }
        }
    }

    /// Reads more input after the bytes already buffered. Returns false at end of input.
    @discardableResult
    public func fill() throws(InputError) -> Bool {
        guard !atEOF else { return false }
        if var t = transcoder {
            var raw = [UInt8](repeating: 0, count: chunk / 2)
            let n = try raw.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress!, count: p.count)  // safe: non-empty array
            }
            if n == 0 {
                atEOF = true
                var out: [UInt8] = []
                t.finish(into: &out)
                compact()
                append(out)
            } else {
                bytesRead += n
                var out: [UInt8] = []
                t.feed(raw[0..<n], into: &out)
                compact()
                append(out)
            }
            transcoder = t
            return true
        }
        let before = available
        try readRaw(minimum: before + 1)
        return available > before || !atEOF
    }

    /// Reads until at least `count` bytes are buffered or the input ends.
    public func ensure(_ count: Int) throws(InputError) {
        while available < count && !atEOF { try fill() }
    }

    @inline(__always)
    public func byte(at offset: Int) -> UInt8 { storage[start + offset] }

    public func consume(_ count: Int) { start += count }

    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { p in try body(UnsafeBufferPointer(rebasing: p[start..<end])) }
    }
}

@inline(__always)
private func memmoveBytes(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafeMutablePointer<UInt8>, _ count: Int) -> UnsafeMutableRawPointer? {
    UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count)
    return UnsafeMutableRawPointer(dst)
}

/// Streaming UTF-16 to UTF-8, tolerant of odd byte counts and split surrogate pairs across reads.
struct UTF16Transcoder {
    let littleEndian: Bool
    var pendingByte: UInt8?
    var highSurrogate: UInt16?

    init(littleEndian: Bool) { self.littleEndian = littleEndian }

    mutating func feed<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        while true {
            let first: UInt8
            if let p = pendingByte { first = p; pendingByte = nil } else {
                guard let b = iterator.next() else { return }
                first = b
            }
            guard let second = iterator.next() else { pendingByte = first; return }
            let unit = littleEndian ? UInt16(first) | UInt16(second) << 8 : UInt16(first) << 8 | UInt16(second)
            emit(unit, into: &out)
        }
    }

    mutating func finish(into out: inout [UInt8]) {
        if highSurrogate != nil { appendScalar(0xFFFD, into: &out) }
        if pendingByte != nil { appendScalar(0xFFFD, into: &out) }
        highSurrogate = nil
        pendingByte = nil
    }

    private mutating func emit(_ unit: UInt16, into out: inout [UInt8]) {
        if let high = highSurrogate {
            highSurrogate = nil
            if unit >= 0xDC00 && unit <= 0xDFFF {
                let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                appendScalar(scalar, into: &out)
                return
            }
            appendScalar(0xFFFD, into: &out)
        }
        if unit >= 0xD800 && unit <= 0xDBFF { highSurrogate = unit; return }
        if unit >= 0xDC00 && unit <= 0xDFFF { appendScalar(0xFFFD, into: &out); return }
        appendScalar(UInt32(unit), into: &out)
    }

    private func appendScalar(_ v: UInt32, into out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
