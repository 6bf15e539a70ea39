import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One input to scan, in the deterministic order of the walk.
public struct WorkItem: Sendable, Hashable {
    public var index: Int
    /// The path as reported (relative to the given root as the user wrote it).
    public var path: String
    public var size: Int64
    public var isStandardInput: Bool { path == "-" }
}

/// What to walk and what to leave out.
public struct WalkOptions: Sendable {
    public var excludes: [String] = []
    public var followSymlinks = false
    public var maxFileSize: Int64 = 1 << 40
    /// Version-control folders, and `.trawl` (the fingerprint key).
    /// `--shard K/N`: only the inputs whose path hashes to K (1-based) of N.
    public var shard: (index: Int, count: Int)?
    public var skipDirectories: Set<String> = [".git", ".hg", ".svn", ".trawl"]

    public init(excludes: [String] = [], followSymlinks: Bool = false, maxFileSize: Int64 = 1 << 40) {
        self.excludes = excludes
        self.followSymlinks = followSymlinks
        self.maxFileSize = maxFileSize
    }
}

/// Walks the roots depth-first in sorted order without following symbolic links (unless asked,
/// and then never outside the roots). Never opens anything for writing.
public struct Walker: Sendable {
    public let options: WalkOptions

    public init(options: WalkOptions) { self.options = options }

    public enum Event: Sendable {
        case file(WorkItem)
        case skipped(SkippedInput)
        case error(InputError)
    }

    /// Which shard a path belongs to (FNV-1a 64 of its bytes: the same on every machine and run).
    public static func shard(of path: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in path.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(max(1, count))) + 1
    }

    /// Calls `emit` for every file, skip and error, in order. With a shard, only those of the
    /// shard, files re-numbered so the ordered writer sees no gap.
    public func walk(roots: [String], emit: (Event) -> Void) {
        guard let shard = options.shard else { return walkAll(roots: roots, emit: emit) }
        var next = 0
        walkAll(roots: roots) { event in
            switch event {
            case .file(var item):
                guard item.path == "-" ? shard.index == 1 : Self.shard(of: item.path, count: shard.count) == shard.index else { return }
                item.index = next
                next += 1
                emit(.file(item))
            case .skipped(let skip):
                if Self.shard(of: skip.path, count: shard.count) == shard.index { emit(event) }
            case .error(let error):
                if Self.shard(of: error.path, count: shard.count) == shard.index { emit(event) }
            }
        }
    }

    private func walkAll(roots: [String], emit: (Event) -> Void) {
        var index = 0
        var visited: Set<String> = []
        let realRoots = roots.compactMap { realpath($0) }
        for root in roots {
            if root == "-" {
                emit(.file(WorkItem(index: index, path: "-", size: 0)))
                index += 1
                continue
            }
            walk(path: root, root: root, index: &index, visited: &visited, realRoots: realRoots, emit: emit)
        }
    }

    private func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private func walk(path: String, root: String, index: inout Int, visited: inout Set<String>, realRoots: [String], emit: (Event) -> Void) {
        let isRoot = path == root
        var st = stat()
        guard lstat(path, &st) == 0 else {
            emit(.error(InputError.fromErrno(errno, path: path, action: "stat")))
            return
        }
        if !isRoot && isExcluded(String(path.dropFirst(root.count).drop(while: { $0 == "/" }))) {
            emit(.skipped(SkippedInput(path: path, reason: .excluded, bytes: st.st_mode & S_IFMT == S_IFREG ? Int64(st.st_size) : nil)))
            return
        }
        var mode = st.st_mode & S_IFMT
        if mode == S_IFLNK {
            guard options.followSymlinks || isRoot, let target = realpath(path) else {
                emit(.skipped(SkippedInput(path: path, reason: .symlink)))
                return
            }
            if !isRoot && !realRoots.contains(where: { target == $0 || target.hasPrefix($0 + "/") }) {
                emit(.skipped(SkippedInput(path: path, reason: .symlink)))
                return
            }
            guard stat(path, &st) == 0 else {
                emit(.error(InputError.fromErrno(errno, path: path, action: "stat")))
                return
            }
            mode = st.st_mode & S_IFMT
        }
        if mode == S_IFDIR {
            if !isRoot, options.skipDirectories.contains((path as NSString).lastPathComponent) { return }
            if let real = realpath(path), !visited.insert(real).inserted { return }  // symlink loop
            let entries: [String]
            do {
                entries = try Self.entries(of: path)
            } catch {
                emit(.error(error))
                return
            }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            for name in entries.sorted() {
                walk(path: prefix + name, root: root, index: &index, visited: &visited, realRoots: realRoots, emit: emit)
            }
            return
        }
        guard mode == S_IFREG else {
            emit(.skipped(SkippedInput(path: path, reason: .special)))
            return
        }
        let size = Int64(st.st_size)
        if size > options.maxFileSize {
            emit(.skipped(SkippedInput(path: path, reason: .tooLarge, bytes: size)))
            return
        }
        emit(.file(WorkItem(index: index, path: path, size: size)))
        index += 1
    }

    /// The names in a folder, listed through a descriptor opened with `O_NOATIME` where allowed
    /// (listing a folder would otherwise move its access time).
    static func entries(of path: String) throws(InputError) -> [String] {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK
        let fd = openWithoutAtime(path, flags)
        guard fd >= 0, let dir = fdopendir(fd) else {
            let code = errno
            if fd >= 0 { close(fd) }
            throw InputError.fromErrno(code, path: path, action: "list the folder")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw InputError.fromErrno(errno, path: path, action: "list the folder") }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// `relativePath` is relative to the scan root. A glob without `/` matches any component
    /// (`*.log`, `node_modules`); with `/` it matches the path or a trailing part of it (`exports/*.csv`).
    public func isExcluded(_ relativePath: String) -> Bool {
        let components = relativePath.split(separator: "/").map(String.init)
        for glob in options.excludes {
            if glob.contains("/") {
                let trimmed = glob.hasPrefix("/") ? String(glob.dropFirst()) : glob
                for start in components.indices {
                    let suffix = components[start...].joined(separator: "/")
                    if fnmatch(trimmed, suffix, FNM_PATHNAME) == 0 { return true }
                }
            } else if components.contains(where: { fnmatch(glob, $0, 0) == 0 }) {
                return true
            }
        }
        return false
    }
}
