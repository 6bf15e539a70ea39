import Foundation
import TrawlCore

/// Buffered writer to standard output or to a file (written beside the target, then renamed
/// into place, so a report is never left half-written).
final class OutputSink: TextSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let finalPath: String?
    private let temporaryPath: String?

    init(path: String?) throws {
        if let path {
            let url = URL(fileURLWithPath: path)
            let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).trawl-\(getpid())").path
            guard FileManager.default.createFile(atPath: temp, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: temp) else {
                throw ValidationErrorMessage("cannot write the report to \(path): check that the directory exists and is writable")
            }
            self.handle = handle
            self.finalPath = path
            self.temporaryPath = temp
        } else {
            self.handle = FileHandle.standardOutput
            self.finalPath = nil
            self.temporaryPath = nil
        }
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if let temporaryPath, let finalPath {
            try handle.synchronize()
            try handle.close()
            if rename(temporaryPath, finalPath) != 0 {
                throw ValidationErrorMessage("cannot move the report into place at \(finalPath)")
            }
        }
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
