/// The archive and compression formats Trawl expands, recognised by content (never by name).
public enum ArchiveKind: String, Sendable, CaseIterable {
    case gzip, zip, tar

    /// Bytes `detect` needs to see a tar header (`ustar` sits at offset 257 of the first block).
    public static let headLength = 512

    /// Recognises an archive from the first bytes of an input: gzip `1F 8B`, zip `PK 03 04`
    /// (or `PK 05 06`, an empty zip), tar `ustar` at offset 257 (POSIX and GNU).
    /// Pass the raw bytes (before any BOM removal or transcoding), ideally `headLength` of them.
    public static func detect(head: UnsafeBufferPointer<UInt8>) -> ArchiveKind? {
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B { return .gzip }
        if head.count >= 4 && head[0] == 0x50 && head[1] == 0x4B
            && ((head[2] == 0x03 && head[3] == 0x04) || (head[2] == 0x05 && head[3] == 0x06)) {
            return .zip
        }
        if isTarHeader(head) { return .tar }
        return nil
    }

    /// Convenience for callers holding an array.
    public static func detect(head: [UInt8]) -> ArchiveKind? {
        head.withUnsafeBufferPointer { detect(head: $0) }
    }

    static func isTarHeader(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        guard head.count >= 262 else { return false }
        return head[257] == 0x75 && head[258] == 0x73 && head[259] == 0x74 && head[260] == 0x61 && head[261] == 0x72
    }
}

/// One regular file inside an archive.
public struct ArchiveMember {
    /// Path inside the archive, normalised for display (`2026/students.csv`; no leading `/` or `./`).
    /// Only a name: never used to open or write anything. Report it as `archivePath + "!/" + name`.
    public let name: String
    /// The member's bytes, read once, front to back. Errors it throws (truncation, corruption,
    /// limits) belong to the archive: let them propagate out of `body`.
    public let source: ByteSource
    /// Uncompressed size when the archive states it (tar, zip); nil for a gzip stream.
    public let size: Int64?

    public init(name: String, source: ByteSource, size: Int64?) {
        self.name = name
        self.source = source
        self.size = size
    }
}

/// A `ByteSource` that replays bytes already read (a sniffed head) and then continues with the
/// rest of the underlying source.
///
/// The scanner peeks at raw bytes with `PrefixedSource.peek` before choosing between an archive
/// expander and a `BufferedInput` (which removes BOMs, so must not be the one that peeks):
///
///     let (head, input) = try PrefixedSource.peek(source, count: ArchiveKind.headLength)
///     if let kind = ArchiveKind.detect(head: head) { /* ArchiveExpander.forEachMember(kind:source: input ...) */ }
///     else { let buffered = try BufferedInput(source: input) ... }
public final class PrefixedSource: ByteSource {
    let prefix: [UInt8]
    var position = 0
    let rest: ByteSource

    public init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    /// Reads up to `count` bytes of `source` (fewer only at end of input) and returns them with a
    /// source that yields them again followed by the remainder.
    public static func peek(_ source: ByteSource, count: Int) throws(InputError) -> (head: [UInt8], source: PrefixedSource) {
        var head = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try head.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress! + filled, count: count - filled)  // safe: count > filled >= 0, so non-empty
            }
            if n == 0 { break }
            filled += n
        }
        head.removeSubrange(filled...)
        return (head, PrefixedSource(prefix: head, rest: source))
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        guard count > 0 else { return 0 }
        let left = prefix.count - position
        if left > 0 {
            let n = min(left, count)
            prefix.withUnsafeBufferPointer { p in buffer.update(from: p.baseAddress! + position, count: n) }  // safe: left > 0
            position += n
            return n
        }
        return try rest.read(into: buffer, count: count)
    }
}

/// Display form of a member path: leading `/` and `./` removed, everything else kept
/// (`../x` stays visible as such; it is only ever a name).
func normalisedMemberName(_ raw: String) -> String {
    var s = Substring(raw)
    while true {
        if s.hasPrefix("/") { s = s.dropFirst() } else if s.hasPrefix("./") { s = s.dropFirst(2) } else { break }
    }
    return s.isEmpty ? "(unnamed)" : String(s)
}
