import CTrawlZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming gzip (or zlib) decompression over another `ByteSource`, with concatenated gzip
/// members read as one stream (as `gzip -d` does). Trailing bytes after the last member that do
/// not start another member are ignored, like `gzip -d`.
///
/// Every byte produced counts toward the budget's total; the ratio (bytes produced / compressed
/// bytes consumed) is checked as soon as 1 MiB has been produced, so a bomb is stopped after
/// about a mebibyte of output. Errors are sticky: once a read failed, every later read throws
/// the same error.
public final class GzipSource: ByteSource {
    let underlying: ByteSource
    let stream: UnsafeMutablePointer<z_stream>
    let input: UnsafeMutablePointer<UInt8>
    let inputCapacity = 1 << 16
    var inputEnded = false
    var finished = false
    var failure: InputError?
    /// Compressed bytes consumed by zlib, all gzip members together.
    public private(set) var compressedBytes: Int64 = 0
    /// Decompressed bytes produced.
    public private(set) var producedBytes: Int64 = 0
    let displayPath: String
    let budget: ArchiveBudget?
    let what: String

    /// - Parameters:
    ///   - displayPath: named by errors (the compressed input).
    ///   - budget: limits to enforce; nil for plain decompression without limits.
    ///   - what: how ratio errors name the stream (default: "gzip stream").
    public init(source: ByteSource, displayPath: String, budget: ArchiveBudget?, what: String = "gzip stream") throws(InputError) {
        self.underlying = source
        self.displayPath = displayPath
        self.budget = budget
        self.what = what
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
        // 15 + 32: 32 KiB window, gzip or zlib header detected automatically.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw InputError(path: displayPath, code: .readFailed, message: "cannot start gzip decompression (zlib error \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if let failure { throw failure }
        do throws(InputError) {
            return try readInner(into: buffer, count: count)
        } catch {
            failure = error
            throw error
        }
    }

    private func readInner(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        guard count > 0, !finished else { return 0 }
        let chunk = UInt32(min(count, Int(UInt32.max)))
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
            stream.pointee.next_out = buffer
            stream.pointee.avail_out = chunk
            let availBefore = stream.pointee.avail_in
            let rc = inflate(stream, Z_NO_FLUSH)
            compressedBytes += Int64(availBefore - stream.pointee.avail_in)
            let produced = Int(chunk - stream.pointee.avail_out)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 {
                    try account(produced)
                    return produced
                }
                if stream.pointee.avail_in == 0 && inputEnded { throw truncated() }
            case Z_STREAM_END:
                try nextMember()
                if produced > 0 {
                    try account(produced)
                    return produced
                }
                if finished { return 0 }
            case Z_NEED_DICT:
                throw InputError(path: displayPath, code: .decodeFailed,
                    message: "corrupt gzip data at byte \(compressedBytes) of the compressed input: a preset dictionary is required")
            case Z_MEM_ERROR:
                throw InputError(path: displayPath, code: .readFailed, message: "out of memory while decompressing gzip data")
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw InputError(path: displayPath, code: .decodeFailed,
                    message: "corrupt gzip data at byte \(compressedBytes) of the compressed input: \(reason)")
            }
        }
    }

    private func truncated() -> InputError {
        InputError(path: displayPath, code: .decodeFailed,
            message: "truncated gzip stream at byte \(compressedBytes) of the compressed input")
    }

    private func account(_ produced: Int) throws(InputError) {
        producedBytes += Int64(produced)
        guard let budget else { return }
        try budget.addBytes(Int64(produced), path: displayPath)
        try budget.checkRatio(produced: producedBytes, compressed: compressedBytes, what: what, path: displayPath)
    }

    /// After the end of a gzip member: another member follows (starts with 1F 8B), or the stream is done.
    private func nextMember() throws(InputError) {
        while stream.pointee.avail_in < 2 && !inputEnded { try refill() }
        let avail = Int(stream.pointee.avail_in)
        guard avail >= 2, let next = stream.pointee.next_in, next[0] == 0x1F, next[1] == 0x8B else {
            finished = true
            return
        }
        let rc = inflateReset(stream)
        guard rc == Z_OK else {
            throw InputError(path: displayPath, code: .decodeFailed, message: "cannot continue with the next gzip member (zlib error \(rc))")
        }
    }

    /// Keeps the unconsumed input, then reads more after it.
    private func refill() throws(InputError) {
        let left = Int(stream.pointee.avail_in)
        if left > 0, let next = stream.pointee.next_in, next != input {
            memmove(input, next, left)  // only 0 or 1 byte in practice (refilled when empty or short of a member magic)
        }
        let n = try underlying.read(into: input + left, count: inputCapacity - left)
        if n == 0 { inputEnded = true }
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(left + n)
    }
}
