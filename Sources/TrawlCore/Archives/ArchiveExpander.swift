/// Expands gzip, zip and tar archives (and tar.gz / tgz in one step) into their regular-file
/// members, under the limits of an `ArchiveBudget`.
///
/// Nesting is the caller's job: it scans each member like a file and, when a member is itself an
/// archive (`ArchiveKind.detect` on its head, see `PrefixedSource.peek`), calls `forEachMember`
/// again with `depth + 1` and the same budget.
///
/// Error contract:
/// - Thrown (the archive ends there; report it for `displayPath`): limits (`.archiveLimit`),
///   a corrupt or truncated gzip stream or tar (`.decodeFailed`), an unreadable zip (`.parseFailed`),
///   read errors of the underlying source.
/// - Passed to `onMemberError` (expansion goes on with the next member; the error's path is
///   `displayPath + "!/" + member name`): a zip member that is encrypted (`.unsupported`), uses
///   an unknown compression method (`.unsupported`), or is corrupt (`.decodeFailed`).
/// - `body`: problems with one member's content (a CSV parse problem...) are the caller's to
///   record; body should not throw for them. Errors thrown by `member.source` are archive errors:
///   body lets them propagate. Anything body throws stops the expansion and is rethrown unchanged.
public enum ArchiveExpander {
    /// Calls `body` for each regular-file member, in archive order.
    ///
    /// - Parameters:
    ///   - source: the archive's bytes from its first byte (a `PrefixedSource` when the head was peeked).
    ///   - filePath: the archive's path on disk when it is a real file (a zip is then opened by path
    ///     instead of being read into memory); nil for standard input and nested archives.
    ///   - displayPath: the name errors give (`x.zip`, `x.zip!/inner.zip`).
    ///   - depth: nesting depth of this archive, 1 for a top-level input.
    ///   - budget: shared by all levels of one top-level input.
    public static func forEachMember(kind: ArchiveKind, source: ByteSource, filePath: String?, displayPath: String,
                                     depth: Int, budget: ArchiveBudget,
                                     onMemberError: (InputError) -> Void,
                                     body: (ArchiveMember) throws(InputError) -> Void) throws(InputError) {
        try budget.checkDepth(depth, path: displayPath)
        switch kind {
        case .zip:
            try ZipReader.forEachMember(source: source, filePath: filePath, displayPath: displayPath, budget: budget,
                                          onMemberError: onMemberError, body: body)
        case .tar:
            try TarReader(source: source, displayPath: displayPath, budget: budget, countBytes: true).forEach(body)
        case .gzip:
            let name = gzipMemberName(displayPath)
            let gzip = try GzipSource(source: source, displayPath: displayPath, budget: budget, what: "gzip stream '\(name)'")
            let (head, stream) = try PrefixedSource.peek(gzip, count: ArchiveKind.headLength)
            let isTar = head.withUnsafeBufferPointer { ArchiveKind.isTarHeader($0) }
            if isTar {
                // x.tar.gz!/dir/file.csv: the tar's bytes were counted as the gzip produced them.
                try TarReader(source: stream, displayPath: displayPath, budget: budget, countBytes: false).forEach(body)
            } else {
                try budget.addMember(path: displayPath)
                try body(ArchiveMember(name: name, source: stream, size: nil))
                if let failure = gzip.failure { throw failure }
            }
        }
    }

    /// The single member of a `.gz` is named after the file without `.gz` (`students.csv.gz` ->
    /// `students.csv`, `x.tgz` -> `x.tar`); `data` for standard input or another name.
    public static func gzipMemberName(_ displayPath: String) -> String {
        var last = Substring(displayPath)
        if let r = last.range(of: "!/", options: .backwards) { last = last[r.upperBound...] }
        if let slash = last.lastIndex(of: "/") { last = last[last.index(after: slash)...] }
        let lower = last.lowercased()
        if lower.hasSuffix(".gz") && last.count > 3 { return String(last.dropLast(3)) }
        if lower.hasSuffix(".tgz") && last.count > 4 { return String(last.dropLast(4)) + ".tar" }
        return "data"
    }
}
