import Foundation
import Synchronization
import Testing
@testable import TrawlCore

final class CollectingObserver: ProgressObserver {
    let seen = Mutex<[ScanProgress]>([])
    func update(_ progress: ScanProgress) { seen.withLock { $0.append(progress) } }
}

final class NullSink: TextSink {
    func write(_ text: String) {}
}

@Suite("Progress")
struct ProgressTests {
    @Test func theObserverSeesEveryFileAndTheEnd() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples").path
        let observer = CollectingObserver()
        var configuration = ScanConfiguration(roots: [samples], jobs: 2)
        configuration.progress = observer
        configuration.progressInterval = .zero
        let engine = DetectionEngine(catalog: try DetectorCatalog.builtin())
        let summary = Scanner(engine: engine, configuration: configuration).run(reporter: JSONReporter(sink: NullSink()))
        let snapshots = observer.seen.withLock { $0 }
        let last = try #require(snapshots.last)
        #expect(last.finished && last.walkDone)
        #expect(last.findings == summary.findings)
        #expect(last.filesDone == last.filesQueued)
        #expect(last.bytes == summary.bytesScanned)
        #expect(snapshots.count > 3)
        // Counts only grow.
        for (a, b) in zip(snapshots, snapshots.dropFirst()) { #expect(a.filesDone <= b.filesDone && a.findings <= b.findings) }
        // Throttled: a long interval gives only the final snapshot (and perhaps the first).
        let quiet = CollectingObserver()
        configuration.progress = quiet
        configuration.progressInterval = .seconds(3600)
        _ = Scanner(engine: engine, configuration: configuration).run(reporter: JSONReporter(sink: NullSink()))
        #expect(quiet.seen.withLock { $0.count } <= 2)
    }
}
