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
/// A path must still name a regular file once open (it is opened non-blocking, so a FIFO or a
/// device swapped in after the walk cannot block the scan), and a file that shrinks while it is
/// read is an error rather than a silently shorter scan.
public final class FileSource: ByteSource {
    let fd: Int32
    let path: String
    let owned: Bool
    /// The size when opened, and the bytes read so far (files only).
    private let expected: Int
    private var consumed = 0

    public init(path: String) throws(InputError) {
        self.path = path
        self.owned = true
        let flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
        let fd = openWithoutAtime(path, flags)
        guard fd >= 0 else { throw InputError.fromErrno(errno, path: path, action: "open") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw InputError.fromErrno(code, path: path, action: "stat")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw InputError(path: path, code: .unsupported, message: "not a regular file when opened (replaced during the scan?): not read")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.expected = Int(st.st_size)
    }

    /// Wraps an already-open descriptor such as standard input (not closed on deinit).
    public init(descriptor: Int32, name: String) {
        self.fd = descriptor
        self.path = name
        self.owned = false
        self.expected = 0
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n > 0 {
                consumed += n
                return n
            }
            if n == 0 {
                if consumed < expected {
                    throw InputError(path: path, code: .readFailed, message: "the file shrank from \(expected) to \(consumed) bytes while it was read (it changed during the scan): scan it again once it is stable")
                }
                return 0
            }
            if errno == EINTR { continue }
            throw InputError.fromErrno(errno, path: path, action: "read")
        }
    }
}

extension FileSource {
    /// A small file read whole without touching it (configuration, ignore files and policies,
    /// which may sit in the scanned tree): read-only, `O_NOATIME`, a regular file, at most `limit`
    /// bytes, UTF-8 (invalid sequences replaced).
    public static func readText(path: String, limit: Int = 16 << 20) throws(InputError) -> String {
        let source = try FileSource(path: path)
        guard source.expected <= limit else {
            throw InputError(path: path, code: .unsupported, message: "too large for a configuration file (\(source.expected) bytes, at most \(limit))")
        }
        var bytes = [UInt8](repeating: 0, count: source.expected + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { throw InputError(path: path, code: .unsupported, message: "too large for a configuration file (more than \(limit) bytes)") }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, count)))
            }
            let n = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(InputError) -> Int in
                try source.read(into: buffer.baseAddress! + count, count: buffer.count - count)
            }
            if n == 0 { break }
            count += n
        }
        return String(decoding: bytes[..<count], as: UTF8.self)
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

/// `open(path, flags)` read-only without moving the access time: with `O_NOATIME` first, which
/// only the owner (or root) may use, then without it. Returns -1 with `errno` set on failure.
func openWithoutAtime(_ path: String, _ flags: Int32) -> Int32 {
    let fd = open(path, flags | linuxNoAtime)
    return fd < 0 && errno == EPERM ? open(path, flags) : fd
}
