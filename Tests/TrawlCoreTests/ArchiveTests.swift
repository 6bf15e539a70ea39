import CTrawlZlib
import Foundation
import Testing
import ZIPFoundation
@testable import TrawlCore

// MARK: - Fixture builders (everything is made at test time, in code)

enum Fixture {
    /// gzip (or raw deflate with `windowBits: -15`) of `bytes`.
    static func deflate(_ bytes: [UInt8], windowBits: Int32 = 15 + 16) -> [UInt8] {
        deflateStream(windowBits: windowBits) { feed in feed(bytes) }
    }

    /// Compresses what `produce` feeds, chunk by chunk (so big inputs are never held whole).
    static func deflateStream(windowBits: Int32 = 15 + 16, _ produce: (( [UInt8]) -> Void) -> Void) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        let rc = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        func run(_ input: [UInt8], flush: Int32) {
            var input = input
            input.withUnsafeMutableBufferPointer { inp in
                stream.pointee.next_in = inp.baseAddress
                stream.pointee.avail_in = UInt32(inp.count)
                repeat {
                    buffer.withUnsafeMutableBufferPointer { outp in
                        stream.pointee.next_out = outp.baseAddress
                        stream.pointee.avail_out = UInt32(outp.count)
                        _ = CTrawlZlib.deflate(stream, flush)
                        out.append(contentsOf: outp[0..<(outp.count - Int(stream.pointee.avail_out))])
                    }
                } while stream.pointee.avail_out == 0
            }
        }
        produce { run($0, flush: Z_NO_FLUSH) }
        run([], flush: Z_FINISH)
        return out
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    /// A tar built by hand, block by block.
    struct Tar {
        var bytes: [UInt8] = []

        mutating func header(name: String, size: Int, type: UInt8 = 0x30, prefix: String = "", gnu: Bool = false,
                             base256Size: Bool = false, breakChecksum: Bool = false) {
            var h = [UInt8](repeating: 0, count: 512)
            put(&h, 0, Array(name.utf8), 100)
            put(&h, 100, Array("0000644\0".utf8), 8)
            put(&h, 108, Array("0001750\0".utf8), 8)
            put(&h, 116, Array("0001750\0".utf8), 8)
            if base256Size {
                h[124] = 0x80
                var v = UInt64(size)
                for i in stride(from: 135, through: 125, by: -1) { h[i] = UInt8(v & 0xFF); v >>= 8 }
            } else {
                put(&h, 124, Array((String(size, radix: 8).leftPad(11) + "\0").utf8), 12)
            }
            put(&h, 136, Array("14712345670\0".utf8), 12)
            h[156] = type
            put(&h, 257, Array((gnu ? "ustar  \0" : "ustar\u{0}00").utf8), 8)
            if !prefix.isEmpty { put(&h, 345, Array(prefix.utf8), 155) }
            for i in 148..<156 { h[i] = 0x20 }
            var sum = h.reduce(0) { $0 + Int($1) }
            if breakChecksum { sum += 1 }
            put(&h, 148, Array((String(sum, radix: 8).leftPad(6) + "\0 ").utf8), 8)
            bytes += h
        }

        mutating func data(_ d: [UInt8]) {
            bytes += d
            let pad = (512 - d.count % 512) % 512
            bytes += [UInt8](repeating: 0, count: pad)
        }

        mutating func file(_ name: String, _ text: String, prefix: String = "") {
            header(name: name, size: text.utf8.count, prefix: prefix)
            data(Array(text.utf8))
        }

        mutating func longName(_ name: String, _ text: String) {
            let n = Array(name.utf8) + [0]
            header(name: "././@LongLink", size: n.count, type: 0x4C, gnu: true)
            data(n)
            header(name: String(name.prefix(99)), size: text.utf8.count, gnu: true)
            data(Array(text.utf8))
        }

        mutating func pax(_ name: String, _ text: String) {
            var record = " path=\(name)\n"
            var len = record.utf8.count
            len += String(len).count
            if String(len).count != String(len - String(len).count).count { len += 1 }
            record = "\(len)" + record
            let global = "20 comment=ignored\n"
            header(name: "pax_global_header", size: global.utf8.count, type: 0x67)
            data(Array(global.utf8))
            header(name: "PaxHeaders/x", size: record.utf8.count, type: 0x78)
            data(Array(record.utf8))
            header(name: "short-name-not-used", size: text.utf8.count)
            data(Array(text.utf8))
        }

        mutating func directory(_ name: String) { header(name: name, size: 0, type: 0x35) }
        mutating func symlink(_ name: String) { header(name: name, size: 0, type: 0x32) }
        mutating func end() { bytes += [UInt8](repeating: 0, count: 1024) }

        private func put(_ h: inout [UInt8], _ at: Int, _ v: [UInt8], _ max: Int) {
            for (i, b) in v.prefix(max).enumerated() { h[at + i] = b }
        }
    }

    /// A zip through ZIPFoundation, in memory. `nil` content makes a directory.
    static func zip(_ entries: [(String, [UInt8]?)], method: CompressionMethod = .deflate) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, content) in entries {
            if let content {
                let data = Data(content)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(content.count), compressionMethod: method) { (pos: Int64, size: Int) in
                    data.subdata(in: Int(pos)..<Int(pos) + size)
                }
            } else {
                try archive.addEntry(with: path, type: .directory, uncompressedSize: Int64(0)) { (_: Int64, _: Int) in Data() }
            }
        }
        return [UInt8](archive.data!)
    }

    struct RawEntry {
        var name: String
        var stored: [UInt8]          // bytes as stored (already deflated when method 8)
        var method: UInt16 = 0
        var flags: UInt16 = 0x0800
        var crc: UInt32
        var size: UInt32
        var zip64 = false
        var nameBytes: [UInt8]? = nil
    }

    /// A zip written by hand (for what ZIPFoundation will not write: encrypted flags, odd names, bombs).
    static func rawZip(_ entries: [RawEntry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: UInt16, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32, _ a: inout [UInt8]) { for i in 0..<4 { a.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        for e in entries {
            let offset = UInt32(out.count)
            let name = e.nameBytes ?? Array(e.name.utf8)
            u32(0x04034B50, &out); u16(20, &out); u16(e.flags, &out); u16(e.method, &out); u16(0, &out); u16(0x21, &out)
            u32(e.crc, &out); u32(UInt32(e.stored.count), &out); u32(e.size, &out); u16(UInt16(name.count), &out); u16(0, &out)
            out += name
            out += e.stored
            u32(0x02014B50, &central); u16(0x031E, &central); u16(20, &central); u16(e.flags, &central); u16(e.method, &central)
            u16(0, &central); u16(0x21, &central); u32(e.crc, &central)
            u32(e.zip64 ? 0xFFFF_FFFF : UInt32(e.stored.count), &central); u32(e.zip64 ? 0xFFFF_FFFF : e.size, &central)
            u16(UInt16(name.count), &central); u16(e.zip64 ? 20 : 0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(UInt32(0o100644) << 16, &central); u32(offset, &central)
            central += name
            if e.zip64 {  // ZIP64 extended information: uncompressed, then compressed size
                u16(1, &central); u16(16, &central)
                u32(e.size, &central); u32(0, &central); u32(UInt32(e.stored.count), &central); u32(0, &central)
            }
        }
        let cdOffset = UInt32(out.count)
        out += central
        u32(0x06054B50, &out); u16(0, &out); u16(0, &out); u16(UInt16(entries.count), &out); u16(UInt16(entries.count), &out)
        u32(UInt32(central.count), &out); u32(cdOffset, &out); u16(0, &out)
        return out
    }

    static func stored(_ name: String, _ text: String, flags: UInt16 = 0x0800) -> RawEntry {
        let b = Array(text.utf8)
        return RawEntry(name: name, stored: b, flags: flags, crc: crc(b), size: UInt32(b.count))
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

// MARK: - Expansion the way the scanner does it (recursing into nested archives)

struct Expansion {
    var files: [String: String] = [:]
    var order: [String] = []
    var memberErrors: [InputError] = []
    var error: InputError?
    var budget: ArchiveBudget

    /// Expands `bytes` as the input `path`, recursing into members that are archives.
    init(_ bytes: [UInt8], path: String, limits: ArchiveLimits = ArchiveLimits(), filePath: String? = nil,
         readMembers: Bool = true) {
        budget = ArchiveBudget(limits: limits)
        do throws(InputError) {
            try expand(source: MemorySource(bytes), filePath: filePath, path: path, depth: 1, readMembers: readMembers)
        } catch {
            self.error = error
        }
    }

    private mutating func expand(source: ByteSource, filePath: String?, path: String, depth: Int, readMembers: Bool) throws(InputError) {
        let (head, replay) = try PrefixedSource.peek(source, count: ArchiveKind.headLength)
        guard let kind = ArchiveKind.detect(head: head) else {
            guard readMembers else { return }
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = try buffer.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                    try replay.read(into: p.baseAddress!, count: p.count)
                }
                if n == 0 { break }
                all += buffer[0..<n]
            }
            files[path] = String(decoding: all, as: UTF8.self)
            order.append(path)
            return
        }
        var errors: [InputError] = []
        try ArchiveExpander.forEachMember(kind: kind, source: replay, filePath: filePath, displayPath: path, depth: depth,
                                          budget: budget, onMemberError: { errors.append($0) }) { (member) throws(InputError) in
            try self.expand(source: member.source, filePath: nil, path: path + "!/" + member.name, depth: depth + 1,
                            readMembers: readMembers)
        }
        memberErrors += errors
    }
}

// MARK: - Tests

@Suite("Archive detection")
struct ArchiveDetectionTests {
    @Test func detectsByContent() throws {
        #expect(ArchiveKind.detect(head: Fixture.deflate(Array("x".utf8))) == .gzip)
        #expect(ArchiveKind.detect(head: try Fixture.zip([("a.txt", Array("a".utf8))])) == .zip)
        #expect(ArchiveKind.detect(head: try Fixture.zip([])) == .zip)
        var tar = Fixture.Tar()
        tar.file("a.csv", "a\n")
        #expect(ArchiveKind.detect(head: tar.bytes) == .tar)
        #expect(ArchiveKind.detect(head: Array("nom,email\n".utf8)) == nil)
        #expect(ArchiveKind.detect(head: []) == nil)
    }

    @Test func prefixedSourceReplaysThePeekedHead() throws {
        let text = String(repeating: "0123456789", count: 100)
        let (head, source) = try PrefixedSource.peek(MemorySource(text), count: 512)
        #expect(head.count == 512)
        let input = try BufferedInput(source: source, chunk: 64)
        try input.ensure(2000)
        #expect(input.withBytes { String(decoding: $0, as: UTF8.self) } == text)
        let (short, _) = try PrefixedSource.peek(MemorySource("abc"), count: 512)
        #expect(short == Array("abc".utf8))
    }

    @Test func gzipMemberNames() {
        #expect(ArchiveExpander.gzipMemberName("dir/students.csv.gz") == "students.csv")
        #expect(ArchiveExpander.gzipMemberName("x.zip!/a/b.json.GZ") == "b.json")
        #expect(ArchiveExpander.gzipMemberName("backup.tgz") == "backup.tar")
        #expect(ArchiveExpander.gzipMemberName("-") == "data")
        #expect(ArchiveExpander.gzipMemberName("blob") == "data")
        #expect(ArchiveExpander.gzipMemberName(".gz") == "data")
    }
}

@Suite("gzip")
struct GzipTests {
    @Test func singleMemberIsNamedAfterTheFile() {
        let csv = "nom,email\nDupont,d@free.fr\n"
        let e = Expansion(Fixture.deflate(Array(csv.utf8)), path: "exports/students.csv.gz")
        #expect(e.error == nil)
        #expect(e.files == ["exports/students.csv.gz!/students.csv": csv])
        let stdin = Expansion(Fixture.deflate(Array(csv.utf8)), path: "-")
        #expect(stdin.files == ["-!/data": csv])
    }

    @Test func concatenatedMembersAreOneStream() {
        let bytes = Fixture.deflate(Array("first,part\n".utf8)) + Fixture.deflate(Array("second,part\n".utf8))
            + Fixture.deflate([])
        let e = Expansion(bytes, path: "log.gz")
        #expect(e.error == nil)
        #expect(e.files["log.gz!/log"] == "first,part\nsecond,part\n")
    }

    @Test func zlibStreamAndTrailingZerosAreAccepted() throws {
        let zlib = Fixture.deflate(Array("hello".utf8), windowBits: 15)
        let source = try GzipSource(source: MemorySource(zlib), displayPath: "z", budget: nil)
        var out = [UInt8](repeating: 0, count: 64)
        let n = try source.read(into: &out, count: 64)
        #expect(Array(out[0..<n]) == Array("hello".utf8))
        let padded = Expansion(Fixture.deflate(Array("x".utf8)) + [0, 0, 0, 0], path: "p.gz")
        #expect(padded.error == nil)
        #expect(padded.files["p.gz!/p"] == "x")
    }

    @Test func truncatedStreamSaysWhere() {
        let text = (0..<5000).map { "ligne \($0) \($0 * 7919 % 10007)\n" }.joined()
        let gz = Fixture.deflate(Array(text.utf8))
        let e = Expansion(Array(gz.prefix(gz.count / 2)), path: "cut.csv.gz")
        #expect(e.error?.code == .decodeFailed)
        #expect(e.error?.path == "cut.csv.gz")
        #expect(e.error?.message.contains("truncated gzip stream at byte") == true)
        #expect(e.error?.message.contains("of the compressed input") == true)
    }

    @Test func corruptDataIsAClearError() {
        let text = (0..<2000).map { "row \($0),\($0 * 31 % 997)\n" }.joined()
        var gz = Fixture.deflate(Array(text.utf8))
        for i in stride(from: 20, to: gz.count - 20, by: 7) { gz[i] ^= 0x5A }
        let e = Expansion(gz, path: "bad.gz")
        #expect(e.error?.code == .decodeFailed)
        #expect(e.error?.message.contains("corrupt gzip data at byte") == true)
    }

    @Test func emptyGzipHasOneEmptyMember() {
        let e = Expansion(Fixture.deflate([]), path: "empty.csv.gz")
        #expect(e.error == nil)
        #expect(e.files == ["empty.csv.gz!/empty.csv": ""])
    }

    @Test func gzipBombStopsEarlyWithoutHoldingTheOutput() {
        // 200 MB of zeros, fed to zlib in 1 MiB chunks: about 200 KB compressed.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let bomb = Fixture.deflateStream { feed in for _ in 0..<200 { feed(zeros) } }
        #expect(bomb.count < 1_000_000)
        let start = Date()
        let e = Expansion(bomb, path: "bomb.csv.gz")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.path == "bomb.csv.gz")
        #expect(e.error?.message.contains("--archive-max-ratio") == true)
        #expect(e.budget.totalBytes < 2 << 20)
    }

    @Test func totalBytesLimitAppliesToAGzipStream() {
        let text = (0..<20000).map { "ligne \($0) \($0 * 7919 % 10007)\n" }.joined()
        let e = Expansion(Fixture.deflate(Array(text.utf8)), path: "big.txt.gz", limits: ArchiveLimits(maxTotalBytes: 100_000))
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.message.contains("--archive-max-bytes") == true)
    }
}

@Suite("tar")
struct TarTests {
    @Test func namesDirectoriesLinksLongNamesAndPax() {
        var tar = Fixture.Tar()
        tar.directory("2026/")
        tar.file("2026/students.csv", "nom\nDupont\n")
        tar.symlink("2026/link.csv")
        tar.file("deep.csv", "a\n", prefix: "very/long/prefix")
        let long = "dir/" + String(repeating: "n", count: 150) + ".csv"
        tar.longName(long, "long\n")
        let paxName = "pax/" + String(repeating: "é", count: 80) + ".txt"
        tar.pax(paxName, "pax body\n")
        tar.header(name: "big.bin", size: 3, base256Size: true)
        tar.data(Array("abc".utf8))
        tar.file("./dot/x.txt", "x")
        tar.end()
        let e = Expansion(tar.bytes, path: "a.tar")
        #expect(e.error == nil)
        #expect(e.order == ["a.tar!/2026/students.csv", "a.tar!/very/long/prefix/deep.csv", "a.tar!/" + long,
                            "a.tar!/" + paxName, "a.tar!/big.bin", "a.tar!/dot/x.txt"])
        #expect(e.files["a.tar!/2026/students.csv"] == "nom\nDupont\n")
        #expect(e.files["a.tar!/" + long] == "long\n")
        #expect(e.files["a.tar!/" + paxName] == "pax body\n")
        #expect(e.files["a.tar!/big.bin"] == "abc")
    }

    @Test func unreadMembersAreSkipped() throws {
        var tar = Fixture.Tar()
        tar.file("one.txt", String(repeating: "1", count: 1500))
        tar.file("two.txt", "2")
        tar.end()
        var names: [String] = []
        try ArchiveExpander.forEachMember(kind: .tar, source: MemorySource(tar.bytes), filePath: nil, displayPath: "t.tar",
                                          depth: 1, budget: ArchiveBudget(), onMemberError: { _ in }) { (member) throws(InputError) in
            names.append(member.name)
            var byte: UInt8 = 0
            _ = try member.source.read(into: &byte, count: 1)
        }
        #expect(names == ["one.txt", "two.txt"])
    }

    @Test func badChecksumIsAnError() {
        var tar = Fixture.Tar()
        tar.header(name: "x.txt", size: 1, breakChecksum: true)
        tar.data([0x41])
        tar.end()
        let e = Expansion(tar.bytes, path: "bad.tar")
        #expect(e.error?.code == .decodeFailed)
        #expect(e.error?.message.contains("checksum") == true)
    }

    @Test func truncatedMemberIsNamed() {
        var tar = Fixture.Tar()
        tar.file("ok.txt", "fine")
        tar.file("cut.csv", String(repeating: "z", count: 3000))
        let e = Expansion(Array(tar.bytes.prefix(512 + 512 + 512 + 1000)), path: "t.tar")
        #expect(e.files["t.tar!/ok.txt"] == "fine")
        #expect(e.error?.code == .decodeFailed)
        #expect(e.error?.message.contains("'cut.csv'") == true)
        #expect(e.error?.message.contains("1000 of 3000") == true)
        // The same when the caller does not read the member: skipping it finds the cut.
        let unread = Expansion(Array(tar.bytes.prefix(512 + 512 + 512 + 1000)), path: "t.tar", readMembers: false)
        #expect(unread.error?.message.contains("'cut.csv'") == true)
    }

    @Test func truncatedHeaderIsAnError() {
        var tar = Fixture.Tar()
        tar.file("ok.txt", "fine")
        tar.file("next.txt", "x")
        let e = Expansion(Array(tar.bytes.prefix(1024 + 300)), path: "t.tar")
        #expect(e.error?.code == .decodeFailed)
        #expect(e.error?.message.contains("header") == true)
    }

    @Test func emptyTar() {
        var tar = Fixture.Tar()
        tar.directory("only-a-dir/")
        tar.end()
        let e = Expansion(tar.bytes, path: "empty.tar")
        #expect(e.error == nil)
        #expect(e.files.isEmpty)
    }

    @Test func tarGzMembersAreListedDirectly() {
        var tar = Fixture.Tar()
        tar.directory("dir/")
        tar.file("dir/file.csv", "a,b\n1,2\n")
        tar.end()
        let gz = Fixture.deflate(tar.bytes)
        let e = Expansion(gz, path: "x.tar.gz")
        #expect(e.error == nil)
        #expect(e.files == ["x.tar.gz!/dir/file.csv": "a,b\n1,2\n"])
        let tgz = Expansion(gz, path: "backup.tgz")
        #expect(tgz.order == ["backup.tgz!/dir/file.csv"])
    }

    @Test func membersLimit() {
        var tar = Fixture.Tar()
        for i in 0..<10 { tar.file("f\(i).txt", "\(i)") }
        tar.end()
        let e = Expansion(tar.bytes, path: "many.tar", limits: ArchiveLimits(maxMembers: 5))
        #expect(e.files.count == 5)
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.message.contains("--archive-max-members") == true)
        #expect(e.error?.message.contains("more than 5") == true)
    }

    @Test func totalBytesLimit() {
        var tar = Fixture.Tar()
        for i in 0..<3 { tar.file("f\(i).txt", String(repeating: "x", count: 600)) }
        tar.end()
        let e = Expansion(tar.bytes, path: "big.tar", limits: ArchiveLimits(maxTotalBytes: 1000))
        #expect(e.files.count == 1)
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.message.contains("--archive-max-bytes") == true)
        #expect(e.error?.message.contains("1200") == true)
    }
}

@Suite("zip")
struct ZipTests {
    @Test func directoriesAreSkippedAndFoldersKept() throws {
        let zip = try Fixture.zip([("2026/", nil), ("2026/students.csv", Array("nom\nDupont\n".utf8)),
                                   ("2026/sub/", nil), ("2026/sub/notes.txt", Array("note".utf8)),
                                   ("top.json", Array("{\"a\":1}".utf8))])
        let e = Expansion(zip, path: "x.zip")
        #expect(e.error == nil)
        #expect(e.memberErrors.isEmpty)
        #expect(e.order == ["x.zip!/2026/students.csv", "x.zip!/2026/sub/notes.txt", "x.zip!/top.json"])
        #expect(e.files["x.zip!/2026/sub/notes.txt"] == "note")
    }

    @Test func openedByPathWhenItIsAFile() throws {
        let zip = try Fixture.zip([("a.csv", Array("a\n1\n".utf8))], method: .none)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-\(UUID().uuidString).zip")
        try Data(zip).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // The source is deliberately empty: the archive must be read through filePath.
        let e = Expansion([0x50, 0x4B, 0x03, 0x04], path: "disk.zip", filePath: url.path)
        #expect(e.error == nil)
        #expect(e.files == ["disk.zip!/a.csv": "a\n1\n"])
    }

    @Test func nestedArchivesGetNestedNames() throws {
        var tar = Fixture.Tar()
        tar.file("in/tar.csv", "t\n")
        tar.end()
        let inner = try Fixture.zip([("a.csv", Array("a\n".utf8)), ("b.tar.gz", Fixture.deflate(tar.bytes))])
        let outer = try Fixture.zip([("readme.txt", Array("hi".utf8)), ("inner/inner.zip", inner)])
        let e = Expansion(outer, path: "outer.zip")
        #expect(e.error == nil)
        #expect(e.order == ["outer.zip!/readme.txt", "outer.zip!/inner/inner.zip!/a.csv",
                            "outer.zip!/inner/inner.zip!/b.tar.gz!/in/tar.csv"])
    }

    @Test func depthLimit() throws {
        let level3 = try Fixture.zip([("deep.csv", Array("x".utf8))])
        let level2 = try Fixture.zip([("l3.zip", level3)])
        let level1 = try Fixture.zip([("l2.zip", level2)])
        let ok = Expansion(level1, path: "l1.zip", limits: ArchiveLimits(maxDepth: 3))
        #expect(ok.error == nil)
        #expect(ok.order == ["l1.zip!/l2.zip!/l3.zip!/deep.csv"])
        let e = Expansion(level1, path: "l1.zip", limits: ArchiveLimits(maxDepth: 2))
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.path == "l1.zip!/l2.zip!/l3.zip")
        #expect(e.error?.message.contains("--archive-max-depth") == true)
        #expect(e.files.isEmpty)
    }

    @Test func membersAndBytesLimitsCountAllLevels() throws {
        let inner = try Fixture.zip((0..<4).map { ("i\($0).txt", Array("\($0)".utf8)) })
        let outer = try Fixture.zip([("a.txt", Array("a".utf8)), ("in.zip", inner)])
        // outer: 2 entries, inner: 4 -> 6 in all.
        #expect(Expansion(outer, path: "o.zip", limits: ArchiveLimits(maxMembers: 6)).error == nil)
        let e = Expansion(outer, path: "o.zip", limits: ArchiveLimits(maxMembers: 5))
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.path == "o.zip!/in.zip")
    }

    @Test func zipBombStopsEarly() throws {
        // A 200 MB member of zeros, deflated chunk by chunk (never held whole): about 200 KB.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var crc: UInt = 0
        let deflated = Fixture.deflateStream(windowBits: -15) { feed in
            for _ in 0..<200 {
                feed(zeros)
                crc = zeros.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
            }
        }
        let zip = Fixture.rawZip([Fixture.RawEntry(name: "zeros.csv", stored: deflated, method: 8,
                                                   crc: UInt32(crc), size: 200 << 20)])
        #expect(zip.count < 1_000_000)
        let start = Date()
        let e = Expansion(zip, path: "bomb.zip")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(e.error?.code == .archiveLimit)
        #expect(e.error?.message.contains("'zeros.csv'") == true)
        #expect(e.error?.message.contains("--archive-max-ratio") == true)
        #expect(e.budget.totalBytes < 2 << 20)

        // With the ratio limit out of the way, the in-memory cap still stops it.
        let capped = Expansion(zip, path: "bomb.zip", limits: ArchiveLimits(maxRatio: 1e9, maxMemberBytes: 4 << 20))
        #expect(capped.error?.code == .archiveLimit)
        #expect(capped.error?.message.contains("--archive-max-member-bytes") == true)
        #expect(capped.budget.totalBytes <= 4 << 20)
    }

    @Test func bombThatUnderstatesItsSizeIsCutAtTheDeclaredSize() {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let deflated = Fixture.deflateStream(windowBits: -15) { feed in for _ in 0..<50 { feed(zeros) } }
        let liar = Fixture.RawEntry(name: "liar.csv", stored: deflated, method: 8, crc: 0, size: 100_000)
        let e = Expansion(Fixture.rawZip([liar, Fixture.stored("after.csv", "ok")]), path: "liar.zip")
        #expect(e.error == nil)
        #expect(e.memberErrors.map(\.code) == [.decodeFailed])
        #expect(e.memberErrors.first?.message.contains("declared size") == true)
        #expect(e.files == ["liar.zip!/after.csv": "ok"])
        #expect(e.budget.totalBytes < 300_000)
        // Declared small, a high ratio as it runs: stopped by the running ratio after 1 MiB.
        let runner = Fixture.RawEntry(name: "run.csv", stored: deflated, method: 8, crc: 0, size: 0xFFFF_FFF0)
        let r = Expansion(Fixture.rawZip([runner]), path: "run.zip", limits: ArchiveLimits(maxMemberBytes: 1 << 40))
        #expect(r.error?.code == .archiveLimit)
        #expect(r.error?.message.contains("--archive-max-ratio") == true)
        #expect(r.budget.totalBytes < 2 << 20)
    }

    @Test func zip64SizesAndLatin1Names() {
        var big = Fixture.stored("z64.csv", "zip64 body")
        big.zip64 = true
        var latin = Fixture.RawEntry(name: "", stored: Array("l".utf8), flags: 0, crc: Fixture.crc(Array("l".utf8)), size: 1)
        latin.nameBytes = [0xE9]  // "é" in Latin-1, no UTF-8 flag
        let zip = Fixture.rawZip([big, latin])
        let e = Expansion(zip, path: "z.zip")
        #expect(e.error == nil)
        #expect(e.memberErrors.isEmpty)
        #expect(e.files == ["z.zip!/z64.csv": "zip64 body", "z.zip!/é": "l"])
    }

    @Test func unknownCompressionMethodIsUnsupported() {
        var odd = Fixture.stored("odd.csv", "???")
        odd.method = 12  // bzip2
        let e = Expansion(Fixture.rawZip([odd, Fixture.stored("b.csv", "b")]), path: "m.zip")
        #expect(e.files == ["m.zip!/b.csv": "b"])
        #expect(e.memberErrors.map(\.code) == [.unsupported])
        #expect(e.memberErrors.first?.path == "m.zip!/odd.csv")
    }

    @Test func encryptedMemberIsReportedAndOthersScanned() {
        let zip = Fixture.rawZip([Fixture.stored("secret.csv", "xxxxxxxxxxxxgarbage", flags: 0x0801),
                                  Fixture.stored("open.csv", "nom\nDupont\n")])
        let e = Expansion(zip, path: "mixed.zip")
        #expect(e.error == nil)
        #expect(e.files == ["mixed.zip!/open.csv": "nom\nDupont\n"])
        #expect(e.memberErrors.count == 1)
        #expect(e.memberErrors.first?.code == .unsupported)
        #expect(e.memberErrors.first?.path == "mixed.zip!/secret.csv")
    }

    @Test func corruptMemberIsReportedAndOthersScanned() {
        var bad = Fixture.stored("bad.csv", "content")
        bad.crc ^= 1
        let zip = Fixture.rawZip([bad, Fixture.stored("good.csv", "ok")])
        let e = Expansion(zip, path: "c.zip")
        #expect(e.error == nil)
        #expect(e.files == ["c.zip!/good.csv": "ok"])
        #expect(e.memberErrors.map(\.code) == [.decodeFailed])
    }

    @Test func slipNamesAreOnlyNames() {
        let zip = Fixture.rawZip([Fixture.stored("../../etc/passwd", "root"), Fixture.stored("/abs/x.csv", "x")])
        let e = Expansion(zip, path: "slip.zip")
        #expect(e.error == nil)
        #expect(e.order == ["slip.zip!/../../etc/passwd", "slip.zip!/abs/x.csv"])
    }

    @Test func emptyZip() throws {
        let e = Expansion(try Fixture.zip([]), path: "empty.zip")
        #expect(e.error == nil)
        #expect(e.files.isEmpty)
    }

    @Test func garbageAfterTheMagicIsAParseError() {
        let e = Expansion(Array("PK\u{3}\u{4}not really a zip".utf8), path: "fake.zip")
        #expect(e.error?.code == .parseFailed)
        #expect(e.error?.path == "fake.zip")
    }
}
