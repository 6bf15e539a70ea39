/// Streaming tar reader: POSIX ustar (prefix + name), GNU long names (`L`), pax extended
/// headers (`x`: `path`, `size`; `g` ignored), octal and base-256 sizes, verified header
/// checksums. Regular files only; directories, links, devices and other entries are skipped
/// without error. Ends at a zero block (or at end of input on a block boundary).
final class TarReader {
    let source: ByteSource
    let displayPath: String
    let budget: ArchiveBudget
    /// False when the tar is itself a decompressed stream whose bytes were already counted.
    let countBytes: Bool
    /// Bytes of the tar stream consumed so far (for messages).
    var offset: Int64 = 0
    /// Set when a member's data ended early; sticky.
    var failure: InputError?

    static let block = 512
    /// GNU long names and pax headers are held in memory: anything bigger is not a real name.
    static let maxMetadataBytes: Int64 = 1 << 20

    init(source: ByteSource, displayPath: String, budget: ArchiveBudget, countBytes: Bool) {
        self.source = source
        self.displayPath = displayPath
        self.budget = budget
        self.countBytes = countBytes
    }

    func forEach(_ body: (ArchiveMember) throws(InputError) -> Void) throws(InputError) {
        var header = [UInt8](repeating: 0, count: Self.block)
        var longName: String?
        var paxPath: String?
        var paxSize: Int64?
        while true {
            let headerOffset = offset
            let got = try readFully(&header, count: Self.block)
            if got == 0 { return }  // end of input on a block boundary: accepted (lone or missing end blocks)
            if got < Self.block {
                throw InputError(path: displayPath, code: .decodeFailed,
                    message: "truncated tar: header at byte \(headerOffset) is cut after \(got) of 512 bytes")
            }
            if header.allSatisfy({ $0 == 0 }) { return }  // end-of-archive marker
            try verifyChecksum(header, at: headerOffset)
            try budget.addMember(path: displayPath)

            let type = header[156]
            var size = try parseSize(header, at: headerOffset)
            if let paxSize, type != 0x78, type != 0x67 { size = paxSize }
            let name: String
            if let n = paxPath ?? longName, type != 0x78, type != 0x67, type != 0x4C, type != 0x4B {
                name = n
            } else {
                name = headerName(header)
            }

            switch type {
            case 0x4C:  // 'L': GNU long name of the next entry
                longName = cString(try readMetadata(size: size, what: "GNU long name", at: headerOffset))
                continue
            case 0x4B:  // 'K': GNU long link name: not needed
                try skip(size)
                skipPadding(size)
                continue
            case 0x78:  // 'x': pax extended header for the next entry
                let records = parsePax(try readMetadata(size: size, what: "pax header", at: headerOffset))
                if let p = records["path"] { paxPath = p }
                if let s = records["size"] {
                    guard let v = Int64(s), v >= 0 else {
                        throw InputError(path: displayPath, code: .decodeFailed,
                            message: "bad tar pax header at byte \(headerOffset): size \"\(s)\" is not a number")
                    }
                    paxSize = v
                }
                continue
            case 0x67:  // 'g': pax global header: nothing Trawl needs
                try skip(size)
                skipPadding(size)
                continue
            default:
                break
            }
            longName = nil
            paxPath = nil
            paxSize = nil

            let isRegular = type == 0x30 || type == 0 || type == 0x37  // '0', NUL (old tar), '7' contiguous
            guard isRegular else {
                // Directories, links, devices, FIFOs, GNU sparse/volume entries: skipped. Links
                // and directories carry no data; others' data (if any) is passed over.
                let dataSize: Int64 = type == 0x31 || type == 0x32 || type == 0x35 ? 0 : size
                try skip(dataSize)
                skipPadding(dataSize)
                continue
            }
            if countBytes { try budget.addBytes(size, path: displayPath) }
            let shown = normalisedMemberName(name)
            let member = TarMemberSource(reader: self, name: shown, size: size)
            try body(ArchiveMember(name: shown, source: member, size: size))
            if let failure { throw failure }
            // What body left unread is passed over through the member, so a cut names it.
            while member.remaining > 0 {
                _ = try scratch.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                    try member.read(into: p.baseAddress!, count: p.count)  // safe: scratch is non-empty
                }
            }
            skipPadding(size)
        }
    }

    // MARK: - Header fields

    private func verifyChecksum(_ h: [UInt8], at headerOffset: Int64) throws(InputError) {
        var unsigned = 0
        var signed = 0
        for i in 0..<Self.block {
            let b = (148..<156).contains(i) ? 0x20 : h[i]
            unsigned += Int(b)
            signed += Int(Int8(bitPattern: b))
        }
        guard let stored = parseOctal(h[148..<156]), stored == Int64(unsigned) || stored == Int64(signed) else {
            throw InputError(path: displayPath, code: .decodeFailed,
                message: "bad tar header checksum at byte \(headerOffset) (not a tar archive, or corrupt)")
        }
    }

    private func parseSize(_ h: [UInt8], at headerOffset: Int64) throws(InputError) -> Int64 {
        let field = h[124..<136]
        if field.first! & 0x80 != 0 {  // safe: a fixed 12-byte slice
            // base-256 (GNU): big-endian two's complement, first byte's top bit is the marker
            guard field.first! & 0x40 == 0 else {  // safe: as above
                throw InputError(path: displayPath, code: .decodeFailed, message: "bad tar header at byte \(headerOffset): negative size")
            }
            var v: Int64 = 0
            for (k, b) in field.enumerated() {
                let byte = k == 0 ? b & 0x7F : b
                guard v <= (Int64.max >> 8) else {
                    throw InputError(path: displayPath, code: .decodeFailed, message: "bad tar header at byte \(headerOffset): size too large")
                }
                v = v << 8 | Int64(byte)
            }
            return v
        }
        guard let v = parseOctal(field) else {
            throw InputError(path: displayPath, code: .decodeFailed, message: "bad tar header at byte \(headerOffset): size is not an octal number")
        }
        return v
    }

    private func parseOctal(_ field: ArraySlice<UInt8>) -> Int64? {
        var v: Int64 = 0
        var digits = 0
        var seenEnd = false
        for b in field {
            if b == 0x20 || b == 0 {
                if digits > 0 { seenEnd = true }
                continue
            }
            guard !seenEnd, b >= 0x30, b <= 0x37, v <= (Int64.max >> 3) else { return nil }
            v = v << 3 | Int64(b - 0x30)
            digits += 1
        }
        return v
    }

    private func headerName(_ h: [UInt8]) -> String {
        let name = cString(h[0..<100])
        // POSIX ustar ("ustar\0"): prefix field. GNU ("ustar  \0") uses those bytes for other things.
        let posix = h[257..<263].elementsEqual([0x75, 0x73, 0x74, 0x61, 0x72, 0x00])
        let prefix = posix ? cString(h[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private func cString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    /// pax records: "LEN key=value\n".
    private func parsePax(_ data: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            var j = i
            var len = 0
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39 { len = len * 10 + Int(data[j] - 0x30); j += 1; if len > data.count { break } }
            guard j < data.count, data[j] == 0x20, len > j - i, i + len <= data.count else { break }
            let record = data[(j + 1)..<(i + len)]
            let body = record.last == 0x0A ? record.dropLast() : record
            if let eq = body.firstIndex(of: 0x3D) {
                let key = String(decoding: body[body.startIndex..<eq], as: UTF8.self)
                let value = String(decoding: body[(eq + 1)...], as: UTF8.self)
                out[key] = value
            }
            i += len
        }
        return out
    }

    private func readMetadata(size: Int64, what: String, at headerOffset: Int64) throws(InputError) -> [UInt8] {
        guard size <= Self.maxMetadataBytes else {
            throw InputError(path: displayPath, code: .decodeFailed,
                message: "bad tar \(what) at byte \(headerOffset): \(size) bytes is implausibly large")
        }
        var data = [UInt8](repeating: 0, count: Int(size))
        let got = try readFully(&data, count: Int(size))
        guard got == Int(size) else {
            throw InputError(path: displayPath, code: .decodeFailed,
                message: "truncated tar: \(what) at byte \(headerOffset) ends after \(got) of \(size) bytes")
        }
        skipPadding(size)
        return data
    }

    // MARK: - Reading

    private func padding(_ size: Int64) -> Int64 {
        let r = size % Int64(Self.block)
        return r == 0 ? 0 : Int64(Self.block) - r
    }

    /// Reads until `count` bytes or end of input; returns how many were read.
    private func readFully(_ buffer: inout [UInt8], count: Int) throws(InputError) -> Int {
        var filled = 0
        while filled < count {
            let n = try buffer.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress! + filled, count: count - filled)  // safe: count > filled, so non-empty
            }
            if n == 0 { break }
            filled += n
        }
        offset += Int64(filled)
        return filled
    }

    var scratch = [UInt8](repeating: 0, count: 1 << 16)

    /// Passes over `count` bytes; a short stream here is a truncated tar.
    private func skip(_ count: Int64) throws(InputError) {
        var left = count
        while left > 0 {
            let want = Int(min(left, Int64(scratch.count)))
            let got = try readFully(&scratch, count: want)
            left -= Int64(got)
            if got < want {
                // Missing padding after the last member is tolerated by tar(1) too: only data counts.
                throw InputError(path: displayPath, code: .decodeFailed,
                    message: "truncated tar: input ends at byte \(offset), \(left) byte(s) before the end of an entry")
            }
        }
    }

    /// Padding after member data; a cut here is tolerated (the next header read sees the end).
    private func skipPadding(_ size: Int64) {
        let pad = Int(padding(size))
        guard pad > 0 else { return }
        _ = try? readFully(&scratch, count: pad)
    }

    /// Reads member data for `TarMemberSource`.
    fileprivate func readMember(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = try source.read(into: buffer, count: count)
        offset += Int64(n)
        return n
    }
}

/// A view of one tar member's data: reading stops at its size; a stream that ends earlier is a
/// truncated tar (`.decodeFailed`, naming the member).
final class TarMemberSource: ByteSource {
    let reader: TarReader
    let name: String
    let size: Int64
    var remaining: Int64

    init(reader: TarReader, name: String, size: Int64) {
        self.reader = reader
        self.name = name
        self.size = size
        self.remaining = size
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if let failure = reader.failure { throw failure }
        guard count > 0, remaining > 0 else { return 0 }
        let n = try reader.readMember(buffer, count: Int(min(Int64(count), remaining)))
        if n == 0 {
            let error = InputError(path: reader.displayPath, code: .decodeFailed,
                message: "truncated tar: member '\(name)' ends after \(size - remaining) of \(size) bytes")
            reader.failure = error
            throw error
        }
        remaining -= Int64(n)
        return n
    }
}
