/// Limits that keep archive expansion bounded (decompression bombs, deep nesting, huge member
/// lists). One set applies to a top-level input and everything nested inside it.
public struct ArchiveLimits: Sendable, Hashable {
    /// Total bytes produced (decompressed, extracted, or read from tar members) by a top-level
    /// archive and everything nested in it. CLI: `--archive-max-bytes`.
    public var maxTotalBytes: Int64
    /// Uncompressed / compressed, for each member and for each archive as a whole, checked once
    /// at least `ratioThreshold` bytes were produced. CLI: `--archive-max-ratio`.
    public var maxRatio: Double
    /// Nesting depth: a top-level archive is depth 1, a zip inside it depth 2. CLI: `--archive-max-depth`.
    public var maxDepth: Int
    /// Entries (files, directories, links) of a top-level archive, all levels together.
    /// CLI: `--archive-max-members`.
    public var maxMembers: Int
    /// A zip member is extracted into memory (and a zip that is not a file on disk is read into
    /// memory): cap for either. CLI: `--archive-max-member-bytes` (to be added).
    public var maxMemberBytes: Int64

    /// Bytes a member or archive must produce before its ratio is judged (tiny files often
    /// compress very well and are harmless).
    public var ratioThreshold: Int64

    public init(maxTotalBytes: Int64 = 8 << 30, maxRatio: Double = 200, maxDepth: Int = 4,
                maxMembers: Int = 100_000, maxMemberBytes: Int64 = 512 << 20, ratioThreshold: Int64 = 1 << 20) {
        self.maxTotalBytes = maxTotalBytes
        self.maxRatio = maxRatio
        self.maxDepth = maxDepth
        self.maxMembers = maxMembers
        self.maxMemberBytes = maxMemberBytes
        self.ratioThreshold = ratioThreshold
    }
}

/// The running counts for one top-level input, shared by all nesting levels inside it.
///
/// Not thread-safe: one top-level input is expanded by one worker.
public final class ArchiveBudget {
    public let limits: ArchiveLimits
    /// Bytes produced so far by every level.
    public private(set) var totalBytes: Int64 = 0
    /// Entries seen so far by every level (directories and links included).
    public private(set) var members: Int = 0

    public init(limits: ArchiveLimits = ArchiveLimits()) {
        self.limits = limits
    }

    /// Counts `count` produced bytes; throws once the total passes `maxTotalBytes`.
    func addBytes(_ count: Int64, path: String) throws(InputError) {
        totalBytes += count
        if totalBytes > limits.maxTotalBytes {
            throw InputError(path: path, code: .archiveLimit,
                message: "archive expands to more than \(ByteCount(limits.maxTotalBytes)) (reached \(ByteCount(totalBytes)), all nesting levels together); raise --archive-max-bytes to scan it")
        }
    }

    /// Counts one entry; throws once the count passes `maxMembers`.
    func addMember(path: String) throws(InputError) {
        members += 1
        if members > limits.maxMembers {
            throw InputError(path: path, code: .archiveLimit,
                message: "archive has more than \(limits.maxMembers) members (reached \(members), all nesting levels together); raise --archive-max-members to scan it")
        }
    }

    /// Throws when `depth` is over `maxDepth`.
    func checkDepth(_ depth: Int, path: String) throws(InputError) {
        if depth > limits.maxDepth {
            throw InputError(path: path, code: .archiveLimit,
                message: "archive nested \(depth) levels deep, over the limit of \(limits.maxDepth); raise --archive-max-depth to scan it")
        }
    }

    /// Throws when `produced` is at least the threshold and more than `maxRatio` times `compressed`.
    func checkRatio(produced: Int64, compressed: Int64, what: String, path: String) throws(InputError) {
        guard produced >= limits.ratioThreshold else { return }
        let ratio = Double(produced) / Double(max(compressed, 1))
        if ratio > limits.maxRatio {
            let shown = (ratio * 10).rounded() / 10
            throw InputError(path: path, code: .archiveLimit,
                message: "\(what) expands \(shown) times its compressed size (\(ByteCount(produced)) from \(ByteCount(compressed))), over the ratio limit of \(limits.maxRatio); looks like a decompression bomb; raise --archive-max-ratio to scan it")
        }
    }

    /// Throws when a member extracted into memory (or an archive read into memory) passes `maxMemberBytes`.
    func checkMemberBytes(_ bytes: Int64, what: String, path: String) throws(InputError) {
        if bytes > limits.maxMemberBytes {
            throw InputError(path: path, code: .archiveLimit,
                message: "\(what) is larger than \(ByteCount(limits.maxMemberBytes)) (reached \(ByteCount(bytes))), the limit for what is held in memory; raise --archive-max-member-bytes to scan it")
        }
    }
}
