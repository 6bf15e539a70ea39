import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs one of the external readers (Tesseract, poppler's pdftotext and pdftoppm) on bytes held
/// in memory, as a separate process with a time limit and an address-space limit: a hostile image
/// that crashes or exhausts a decoder ends that process, never the scan.
///
/// The input is handed over as the child's standard input from an unlinked temporary file, not a
/// pipe: a child that stops reading early cannot raise SIGPIPE in Trawl (whose own broken stdout
/// must still end it like `grep`), nothing is left behind if Trawl is interrupted, and the scanned
/// file itself is never opened by the child (its access time stays untouched).
enum ExternalTool {
    struct Output {
        var stdout: [UInt8]
        var stderr: String
        var status: Int32
        var timedOut: Bool
    }

    /// The process could not be started (the message says why).
    struct Failure: Error {
        var message: String
    }

    /// Runs `executable` with `arguments` on `input`; waits at most `timeout`, then kills it.
    static func run(_ executable: String, _ arguments: [String], input: [UInt8], timeout: Duration,
                    memoryLimitMB: Int = 2048) throws(Failure) -> Output {
        guard let stdinFile = UnlinkedFile(input), let stdoutFile = UnlinkedFile([]), let stderrFile = UnlinkedFile([]) else {
            throw Failure(message: "cannot create a temporary file in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `ulimit -v` bounds what a decoder can allocate (a 100,000 x 100,000 pixel bomb fails in
        // the child); `exec` makes the tool itself the child, so the time limit's signal reaches it.
        process.arguments = ["-c", "ulimit -v \(memoryLimitMB << 10) 2>/dev/null; exec \"$0\" \"$@\"", executable] + arguments
        var environment = ProcessInfo.processInfo.environment
        // Tesseract's OpenMP threads would compete with Trawl's own workers: one thread per child.
        environment["OMP_THREAD_LIMIT"] = "1"
        process.environment = environment
        process.standardInput = FileHandle(fileDescriptor: stdinFile.fd, closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: stdoutFile.fd, closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: stderrFile.fd, closeOnDealloc: false)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw Failure(message: "cannot run \(executable): \(error.localizedDescription)")
        }
        var timedOut = false
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        return Output(stdout: stdoutFile.contents(), stderr: String(decoding: stderrFile.contents().prefix(4096), as: UTF8.self),
                      status: process.terminationStatus, timedOut: timedOut)
    }

    /// The first executable named `name` on `PATH`, if any.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// A temporary file that has no name from the moment it exists: only its descriptor reaches it.
final class UnlinkedFile {
    let fd: Int32

    init?(_ bytes: [UInt8]) {
        var template = Array((NSTemporaryDirectory() + "/trawl-media-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }  // safe: the template is never empty
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n <= 0 { close(fd); return nil }
            written += n
        }
        lseek(fd, 0, SEEK_SET)
    }

    deinit { close(fd) }

    /// Everything written to the file, from its start.
    func contents() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if n <= 0 { return result }
            result += chunk[0..<n]
            offset += off_t(n)
        }
    }
}
