import CTrawlZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zip archives, read from the central directory (members in central-directory order), each
/// member inflated with zlib into memory under the limits and handed over as a `MemorySource`.
///
/// Why not ZIPFoundation's reader: its entry iterator ends silently at the first encrypted entry
/// (so later members would be lost without a word), and it does not say how much compressed
/// input it has consumed, which a running compression ratio needs. Stored (0) and deflate (8)
/// are read; ZIP64 sizes and offsets are understood. Names are only names: never used to open
/// or write anything.
enum ZipReader {
    static let chunk = 1 << 16

    struct Record {
        var rawName: [UInt8]
        var flags: UInt16
        var method: UInt16
        var crc: UInt32
        var compressed: Int64
        var uncompressed: Int64
        var localOffset: Int64
        var versionMadeBy: UInt16
        var externalAttributes: UInt32

        var name: String {
            let utf8 = String(decoding: rawName, as: UTF8.self)
            if flags & 0x0800 != 0 || Array(utf8.utf8) == rawName { return utf8 }  // flagged, or valid UTF-8
            // Not UTF-8 (old DOS tools write code page 437): each byte as Latin-1, for display only.
            return String(String.UnicodeScalarView(rawName.map { Unicode.Scalar($0) }))
        }

        /// Directories and symbolic links carry no file content to scan.
        var isRegularFile: Bool {
            if rawName.last == 0x2F || rawName.last == 0x5C { return false }
            let host = versionMadeBy >> 8
            if host == 3 || host == 19 {  // Unix, macOS: st_mode in the high 16 bits
                let type = (externalAttributes >> 16) & 0o170000
                return type == 0 || type == 0o100000
            }
            return externalAttributes & 0x10 == 0  // MS-DOS directory attribute
        }
    }

    static func forEachMember(source: ByteSource, filePath: String?, displayPath: String, budget: ArchiveBudget,
                              onMemberError: (InputError) -> Void,
                              body: (ArchiveMember) throws(InputError) -> Void) throws(InputError) {
        let storage: ZipStorage
        if let filePath {
            storage = try FileStorage(path: filePath, displayPath: displayPath)
        } else {
            storage = MemoryStorage(try readAll(source, displayPath: displayPath, budget: budget))
        }
        let records = try centralDirectory(storage, displayPath: displayPath)
        var archiveProduced: Int64 = 0
        for record in records {
            try budget.addMember(path: displayPath)
            guard record.isRegularFile else { continue }
            let name = normalisedMemberName(record.name)
            let memberPath = displayPath + "!/" + name
            if record.flags & 0x41 != 0 {  // bit 0: encrypted, bit 6: strong encryption
                onMemberError(InputError(path: memberPath, code: .unsupported,
                    message: "encrypted zip member: not scanned (Trawl does not decrypt archives)"))
                continue
            }
            guard record.method == 0 || record.method == 8 else {
                onMemberError(InputError(path: memberPath, code: .unsupported,
                    message: "zip member uses compression method \(record.method) (Trawl reads stored and deflate): not scanned"))
                continue
            }
            let what = "zip member '\(name)'"
            // Declared sizes first: an honest bomb is refused before a byte is inflated.
            try budget.checkMemberBytes(record.uncompressed, what: what + " (declared size)", path: displayPath)
            try budget.checkRatio(produced: record.uncompressed, compressed: record.compressed,
                                  what: what + " (declared sizes)", path: displayPath)
            let bytes: [UInt8]
            do throws(MemberFailure) {
                bytes = try extract(record, from: storage, what: what, displayPath: displayPath, budget: budget,
                                    archiveProduced: &archiveProduced)
            } catch {
                switch error {
                case .archive(let e): throw e
                case .member(let message):
                    onMemberError(InputError(path: memberPath, code: .decodeFailed, message: message + " (not scanned)"))
                    continue
                }
            }
            try body(ArchiveMember(name: name, source: MemorySource(bytes), size: Int64(bytes.count)))
        }
    }

    enum MemberFailure: Error {
        /// Ends the archive (limits, read errors).
        case archive(InputError)
        /// This member only is corrupt.
        case member(String)
    }

    static func extract(_ r: Record, from storage: ZipStorage, what: String, displayPath: String, budget: ArchiveBudget,
                        archiveProduced: inout Int64) throws(MemberFailure) -> [UInt8] {
        let dataOffset: Int64
        do {
            let local = try storage.read(at: r.localOffset, count: 30)
            guard local.count == 30, le32(local, 0) == 0x04034B50 else {
                throw MemberFailure.member("corrupt zip member: no local header at byte \(r.localOffset)")
            }
            dataOffset = r.localOffset + 30 + Int64(le16(local, 26)) + Int64(le16(local, 28))
        } catch let e as InputError { throw .archive(e) } catch let e as MemberFailure { throw e } catch { throw .member("\(error)") }
        // Subtracted, not added: ZIP64 sizes reach Int64.max (found by fuzzing: an overflow trap).
        guard r.compressed <= storage.size - dataOffset else {
            throw .member("corrupt zip member: its data runs past the end of the archive")
        }

        var out: [UInt8] = []
        out.reserveCapacity(Int(min(r.uncompressed, Int64(chunk) * 16)))
        var consumed: Int64 = 0
        // Counts and checks every produced chunk before keeping it.
        func produce(_ p: UnsafeBufferPointer<UInt8>) throws(MemberFailure) {
            let n = Int64(p.count)
            guard n > 0 else { return }
            do throws(InputError) {
                try budget.checkMemberBytes(Int64(out.count) + n, what: what, path: displayPath)
                try budget.addBytes(n, path: displayPath)
                archiveProduced += n
                try budget.checkRatio(produced: Int64(out.count) + n, compressed: consumed, what: what, path: displayPath)
                try budget.checkRatio(produced: archiveProduced, compressed: storage.size, what: "zip archive", path: displayPath)
            } catch {
                throw .archive(error)
            }
            if Int64(out.count) + n > r.uncompressed {
                throw .member("corrupt zip member: expands beyond its declared size of \(r.uncompressed) bytes")
            }
            out.append(contentsOf: p)
        }

        func readCompressed(_ position: Int64, _ count: Int) throws(MemberFailure) -> [UInt8] {
            do throws(InputError) { return try storage.read(at: position, count: count) } catch { throw .archive(error) }
        }

        if r.method == 0 {
            var position: Int64 = 0
            while position < r.compressed {
                let piece = try readCompressed(dataOffset + position, Int(min(Int64(chunk), r.compressed - position)))
                guard !piece.isEmpty else { throw .member("corrupt zip member: data ends early") }
                position += Int64(piece.count)
                consumed = position
                try piece.withUnsafeBufferPointer { (p) throws(MemberFailure) in try produce(p) }
            }
        } else {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw .archive(InputError(path: displayPath, code: .readFailed, message: "cannot start zip decompression"))
            }
            defer { inflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
            var output = [UInt8](repeating: 0, count: chunk)
            var position: Int64 = 0
            var ended = false
            while !ended {
                var input = try readCompressed(dataOffset + position, Int(min(Int64(chunk), r.compressed - position)))
                position += Int64(input.count)
                let last = position >= r.compressed
                try input.withUnsafeMutableBufferPointer { (inp) throws(MemberFailure) in
                    stream.pointee.next_in = inp.baseAddress
                    stream.pointee.avail_in = UInt32(inp.count)
                    repeat {
                        let before = stream.pointee.avail_in
                        let (rc, produced) = output.withUnsafeMutableBufferPointer { outp in
                            stream.pointee.next_out = outp.baseAddress
                            stream.pointee.avail_out = UInt32(outp.count)
                            let rc = inflate(stream, Z_NO_FLUSH)
                            return (rc, outp.count - Int(stream.pointee.avail_out))
                        }
                        consumed += Int64(before - stream.pointee.avail_in)
                        try output.withUnsafeBufferPointer { (p) throws(MemberFailure) in
                            try produce(UnsafeBufferPointer(rebasing: p[0..<produced]))
                        }
                        switch rc {
                        case Z_STREAM_END: ended = true
                        case Z_OK: break
                        case Z_BUF_ERROR:
                            if stream.pointee.avail_in == 0 && last { throw .member("corrupt zip member: deflate data ends early") }
                        default:
                            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                            throw .member("corrupt zip member: \(reason)")
                        }
                    } while !ended && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
                }
                if !ended && last && input.isEmpty { throw .member("corrupt zip member: deflate data ends early") }
            }
        }
        guard Int64(out.count) == r.uncompressed else {
            throw .member("corrupt zip member: \(out.count) bytes instead of the declared \(r.uncompressed)")
        }
        let crc = out.withUnsafeBufferPointer { p in UInt32(crc32(0, p.baseAddress, UInt32(p.count))) }
        guard crc == r.crc else { throw .member("corrupt zip member: CRC-32 mismatch") }
        return out
    }

    // MARK: - Central directory

    static func centralDirectory(_ storage: ZipStorage, displayPath: String) throws(InputError) -> [Record] {
        func bad(_ why: String) -> InputError {
            InputError(path: displayPath, code: .parseFailed, message: "not a readable zip archive: \(why)")
        }
        let size = storage.size
        let tailLength = Int(min(size, 22 + 65535))
        let tail = try storage.read(at: size - Int64(tailLength), count: tailLength)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if le32(tail, i) == 0x06054B50 && i + 22 + Int(le16(tail, i + 20)) <= tail.count { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw bad("no end of central directory record") }
        var count = Int64(le16(tail, eocd + 10))
        var cdSize = Int64(le32(tail, eocd + 12))
        var cdOffset = Int64(le32(tail, eocd + 16))
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            let locatorAt = size - Int64(tailLength) + Int64(eocd) - 20
            guard locatorAt >= 0 else { throw bad("ZIP64 locator missing") }
            let locator = try storage.read(at: locatorAt, count: 20)
            guard locator.count == 20, le32(locator, 0) == 0x07064B50 else { throw bad("ZIP64 locator missing") }
            let eocd64At = Int64(bitPattern: le64(locator, 8))
            guard eocd64At >= 0, eocd64At < size else { throw bad("ZIP64 record out of range") }
            let eocd64 = try storage.read(at: eocd64At, count: 56)
            guard eocd64.count == 56, le32(eocd64, 0) == 0x06064B50 else { throw bad("ZIP64 end record missing") }
            count = Int64(bitPattern: le64(eocd64, 32))
            cdSize = Int64(bitPattern: le64(eocd64, 40))
            cdOffset = Int64(bitPattern: le64(eocd64, 48))
        }
        // `cdSize <= size - cdOffset`, not `cdOffset + cdSize <= size`: ZIP64 offsets reach
        // Int64.max (found by fuzzing: an overflow trap).
        guard cdOffset >= 0, cdSize >= 0, cdOffset <= size, cdSize <= size - cdOffset, count >= 0, count <= cdSize / 46 + 1 else {
            throw bad("central directory out of range")
        }
        let cd = try storage.read(at: cdOffset, count: Int(cdSize))
        var records: [Record] = []
        records.reserveCapacity(Int(min(count, 100_000)))
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= cd.count, le32(cd, p) == 0x02014B50 else { throw bad("damaged central directory entry \(records.count + 1)") }
            let nameLength = Int(le16(cd, p + 28))
            let extraLength = Int(le16(cd, p + 30))
            let commentLength = Int(le16(cd, p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= cd.count else { throw bad("damaged central directory entry \(records.count + 1)") }
            var r = Record(rawName: Array(cd[(p + 46)..<(p + 46 + nameLength)]), flags: le16(cd, p + 8), method: le16(cd, p + 10),
                           crc: le32(cd, p + 16), compressed: Int64(le32(cd, p + 20)), uncompressed: Int64(le32(cd, p + 24)),
                           localOffset: Int64(le32(cd, p + 42)), versionMadeBy: le16(cd, p + 4), externalAttributes: le32(cd, p + 38))
            // ZIP64 extended information: the 0xFFFFFFFF fields, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = le16(cd, e)
                let length = Int(le16(cd, e + 2))
                var f = e + 4
                let fieldEnd = min(f + length, extraEnd)
                if id == 0x0001 {
                    if r.uncompressed == 0xFFFF_FFFF, f + 8 <= fieldEnd { r.uncompressed = Int64(bitPattern: le64(cd, f)); f += 8 }
                    if r.compressed == 0xFFFF_FFFF, f + 8 <= fieldEnd { r.compressed = Int64(bitPattern: le64(cd, f)); f += 8 }
                    if r.localOffset == 0xFFFF_FFFF, f + 8 <= fieldEnd { r.localOffset = Int64(bitPattern: le64(cd, f)) }
                }
                e += 4 + length
            }
            guard r.compressed >= 0, r.uncompressed >= 0, r.localOffset >= 0 else { throw bad("damaged central directory entry \(records.count + 1)") }
            records.append(r)
            p += 46 + nameLength + extraLength + commentLength
        }
        return records
    }

    /// A zip that is not a file on disk (standard input, a member of another archive) is read
    /// into memory, up to `maxMemberBytes`.
    static func readAll(_ source: ByteSource, displayPath: String, budget: ArchiveBudget) throws(InputError) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress!, count: p.count)  // safe: non-empty buffer
            }
            if n == 0 { return data }
            try budget.checkMemberBytes(Int64(data.count + n), what: "zip archive read into memory", path: displayPath)
            data.append(contentsOf: buffer[0..<n])
        }
    }
}

@inline(__always) func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
@inline(__always) func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
@inline(__always) func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }

/// Random access to a zip's bytes.
protocol ZipStorage: AnyObject {
    var size: Int64 { get }
    /// Up to `count` bytes at `offset` (fewer only at the end).
    func read(at offset: Int64, count: Int) throws(InputError) -> [UInt8]
}

final class MemoryStorage: ZipStorage {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var size: Int64 { Int64(bytes.count) }
    func read(at offset: Int64, count: Int) throws(InputError) -> [UInt8] {
        let start = Int(min(max(offset, 0), size))
        return Array(bytes[start..<min(start + max(count, 0), bytes.count)])
    }
}

/// A zip on disk, read with `pread` (opened read-only, never written).
final class FileStorage: ZipStorage {
    let fd: Int32
    let size: Int64
    let displayPath: String

    init(path: String, displayPath: String) throws(InputError) {
        self.displayPath = displayPath
        let fd = openWithoutAtime(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw InputError.fromErrno(errno, path: displayPath, action: "open") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw InputError.fromErrno(code, path: displayPath, action: "stat")
        }
        self.fd = fd
        self.size = Int64(st.st_size)
    }

    deinit { close(fd) }

    func read(at offset: Int64, count: Int) throws(InputError) -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = out.withUnsafeMutableBytes { p in pread(fd, p.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.fromErrno(errno, path: displayPath, action: "read")
            }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }
}
