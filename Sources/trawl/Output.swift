import Foundation
import TrawlCore

/// A file written in place of another only when complete: the bytes go to a temporary file in
/// the same directory (mode 0600), which is flushed to disk (`fsync`) and renamed over the
/// target, and the directory is synced. A reader sees the previous file or the new one, never a
/// part; an interrupted run (`Interruption`) removes its temporary file, and so does a run that
/// fails before `commit` (the file is abandoned when it is released).
final class AtomicFile {
    let path: String
    let temporaryPath: String
    let descriptor: Int32
    /// The descriptor is not closed yet (commit closes it before the rename).
    private var isOpen = true
    /// The file is committed or abandoned: nothing more happens to it.
    private var isSettled = false

    init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        self.path = path
        self.temporaryPath = directory + "/.\(url.lastPathComponent).trawl-\(getpid())"
        // Register first: an interruption between open and registration would leave the file.
        Interruption.register(temporaryPath)
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            Interruption.unregister(temporaryPath)
            throw ValidationErrorMessage("cannot write \(path): \(reason) (check that \(directory) exists and is writable)")
        }
        // An existing temporary file of a killed run keeps its mode: make sure of 0600.
        fchmod(fd, 0o600)
        descriptor = fd
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(isOpen, "AtomicFile \(path): written after commit or abandon")
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            offset += n
        }
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    deinit { abandon() }

    /// Syncs and renames into place (the only way the target changes).
    func commit() throws {
        precondition(!isSettled, "AtomicFile \(path): committed after commit or abandon")
        defer { Interruption.unregister(temporaryPath) }
        guard fsync(descriptor) == 0 else { throw failure("sync") }
        closeDescriptor()
        guard rename(temporaryPath, path) == 0 else { throw failure("move into place") }
        isSettled = true
        let directory = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            Glibc.close(directory)
        }
    }

    /// Leaves the target as it was (nothing once committed or abandoned).
    func abandon() {
        guard !isSettled else { return }
        isSettled = true
        closeDescriptor()
        unlink(temporaryPath)
        Interruption.unregister(temporaryPath)
    }

    private func closeDescriptor() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(descriptor)
    }

    private func failure(_ action: String) -> ValidationErrorMessage {
        let reason = String(cString: strerror(errno))
        abandon()
        return ValidationErrorMessage("cannot \(action) \(path): \(reason); the previous file, if any, is unchanged")
    }

    /// Writes `data` to `path` atomically.
    static func write(_ data: Data, to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(data)
        try file.commit()
    }
}

/// SIGINT and SIGTERM: the temporary files of reports being written are removed and Trawl exits
/// with 130 or 143 (128 + the signal, as a shell reports it), so an interrupted scan leaves the
/// previous report or none, never a truncated one. The signals are taken by a dispatch source, so
/// the clean-up runs on an ordinary thread, not in a signal handler.
enum Interruption {
    private static let pending = Locked<Set<String>>([])

    static func install() {
        for (signo, code) in [(SIGINT, TrawlExit.interrupted), (SIGTERM, TrawlExit.terminated)] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                pending.withLock { paths in
                    for path in paths { unlink(path) }
                }
                _exit(code.rawValue)
            }
            source.resume()
            // The source must live as long as the process: keep one reference for good.
            _ = Unmanaged.passRetained(source as AnyObject)
        }
    }

    static func register(_ path: String) { _ = pending.withLock { $0.insert(path) } }
    static func unregister(_ path: String) { _ = pending.withLock { $0.remove(path) } }
}

/// Buffered writer to standard output or, atomically (`AtomicFile`), to a file.
final class OutputSink: TextSink {
    private var buffer: [UInt8] = []
    private let file: AtomicFile?
    private var failure: Error?

    init(path: String?) throws {
        file = try path.map { try AtomicFile(path: $0) }
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty, failure == nil else { return }
        if let file {
            do { try buffer.withUnsafeBytes { try file.write($0) } } catch { failure = error }
        } else {
            FileHandle.standardOutput.write(Data(buffer))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if let failure { throw failure }
        try file?.commit()
    }
}
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The progress line on a terminal's standard error: redrawn in place, at most every quarter of a
/// second (the scan throttles), cleared at the end.
final class StderrProgress: ProgressObserver {
    let start = ContinuousClock.now

    func update(_ p: ScanProgress) {
        if p.finished {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            return
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mb = Double(p.bytes) / 1_000_000
        let rate = seconds > 0 ? mb / seconds : 0
        var current = p.current
        if current.count > 40 { current = "…" + current.suffix(39) }
        let total = p.walkDone ? "\(p.filesQueued)" : "\(p.filesQueued)+"
        let line = String(format: "files %d/%@ · %.1f MB · %.1f MB/s · %d finding(s) · %@", p.filesDone, total, mb, rate, p.findings, current)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }
}
