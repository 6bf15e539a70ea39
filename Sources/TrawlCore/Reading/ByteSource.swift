#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a reader's bytes come from: a file opened read-only, standard input, or memory.
public protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes into `buffer`; returns 0 at end of input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int
}

/// A file descriptor opened read-only (never written, never truncated; `O_NOATIME` where allowed).
public final class FileSource: ByteSource {
    let fd: Int32
    let path: String
    let owned: Bool

    public init(path: String) throws(InputError) {
        self.path = path
        self.owned = true
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | linuxNoAtime)
        if fd < 0 && errno == EPERM {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        }
        guard fd >= 0 else { throw InputError.fromErrno(errno, path: path, action: "open") }
        self.fd = fd
    }

    /// Wraps an already-open descriptor such as standard input (not closed on deinit).
    public init(descriptor: Int32, name: String) {
        self.fd = descriptor
        self.path = name
        self.owned = false
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError.fromErrno(errno, path: path, action: "read")
        }
    }
}

/// Bytes held in memory (tests, decoded archive members).
public final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { src in
            buffer.update(from: src.baseAddress! + position, count: n)  // safe: n > 0 implies a non-empty array
        }
        position += n
        return n
    }
}

extension InputError {
    static func fromErrno(_ code: Int32, path: String, action: String) -> InputError {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT: return InputError(path: path, code: .notFound, message: "cannot \(action): no such file or directory")
        case EACCES, EPERM: return InputError(path: path, code: .permissionDenied, message: "cannot \(action): permission denied (run as a user who can read it, or --exclude it)")
        default: return InputError(path: path, code: .readFailed, message: "cannot \(action): \(reason)")
        }
    }
}

/// `O_NOATIME` (Linux, octal 01000000): reading does not update the access time. Glibc hides
/// the macro behind `_GNU_SOURCE`, so it is spelled out; elsewhere it is 0.
#if os(Linux)
let linuxNoAtime: Int32 = 0o1000000
#else
let linuxNoAtime: Int32 = 0
#endif
