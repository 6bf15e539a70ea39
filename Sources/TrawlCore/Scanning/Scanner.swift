import Foundation

/// Everything a scan needs besides the detector catalog.
public struct ScanConfiguration: Sendable {
    public var roots: [String]
    public var jobs: Int
    public var walk: WalkOptions
    /// Forces a format for every input (standard input defaults to sniffing its content).
    public var inputFormat: InputFormat
    public var read: ReadOptions
    public var columns: ColumnRules
    /// Columns whose dates are kept for retention and age rules (nil: none).
    public var dateTracking: DateTracking?
    /// Told how the scan is going, at most every `progressInterval`.
    public var progress: ProgressObserver?
    public var progressInterval: Duration = .milliseconds(250)
    /// How images and PDFs are read (OCR).
    public var media = MediaOptions()

    public init(roots: [String], jobs: Int = ProcessInfo.processInfo.activeProcessorCount, walk: WalkOptions = WalkOptions(),
                inputFormat: InputFormat = .auto, read: ReadOptions = ReadOptions(), columns: ColumnRules = ColumnRules()) {
        self.roots = roots
        self.jobs = max(1, jobs)
        self.walk = walk
        self.inputFormat = inputFormat
        self.read = read
        self.columns = columns
    }
}

/// The result of scanning one input, as it is handed to the ordered writer.
struct FileOutcome {
    var findings: [Finding] = []
    var errors: [InputError] = []
    var skipped: SkippedInput?
    var bytes: Int64 = 0
    var columns: [ColumnStats] = []
    /// Archive members that were not scanned (binary members).
    var memberSkips: [SkippedInput] = []
    var media = MediaCounts()
    var done = false
}

/// How images and PDFs are read.
public struct MediaOptions: Sendable {
    /// Finds the OCR engine when the first image needs it; nil with `--no-ocr`. Images that OCR
    /// would have read are counted when it is unavailable, so that the command line can say once
    /// why.
    public var ocr: OCRProvider?

    public init(ocr: OCRProvider? = nil) {
        self.ocr = ocr
    }
}

/// Runs a scan: a walker thread feeds a bounded pool of worker threads; each worker owns its
/// PCRE2 match data; results reach the reporter through one ordered writer, in walk order, so
/// the output is identical whatever the number of jobs.
public final class Scanner: Sendable {
    public let engine: DetectionEngine
    public let configuration: ScanConfiguration

    public init(engine: DetectionEngine, configuration: ScanConfiguration) {
        self.engine = engine
        self.configuration = configuration
    }

    /// Scans and reports; returns the summary (also given to the reporter).
    public func run(reporter: Reporter, stdin: ByteSource? = nil) -> ScanSummary {
        let tool = ToolInfo(detectors: engine.catalog.detectors.count)
        let state = SharedState(reporter: reporter, observer: configuration.progress, interval: configuration.progressInterval)
        state.withLock { $0.reporter.begin(tool: tool) }

        let queue = WorkQueue()
        let walkerConfig = configuration
        let walker = Thread {
            Walker(options: walkerConfig.walk).walk(roots: walkerConfig.roots) { event in
                switch event {
                case .file(let item):
                    state.withLock { $0.progress.filesQueued += 1 }
                    queue.push(item)
                case .skipped(let skip): state.withLock { $0.skipped.append(skip) }
                case .error(let error): state.withLock { $0.walkErrors.append(error) }
                }
            }
            queue.close()
            state.withLock { $0.progress.walkDone = true }
        }
        walker.start()

        let group = DispatchGroup()
        let engine = self.engine
        let configuration = self.configuration
        let stdinBox = StdinBox(stdin)
        // With one job there is nobody to help; with more, a worker that finds the queue empty
        // helps those still reading (large inputs, the end of a scan).
        let helpers = configuration.jobs > 1 ? DetectionHelpers(workers: configuration.jobs) : nil
        for _ in 0..<configuration.jobs {
            group.enter()
            let thread = Thread {
                let worker = engine.makeWorker()
                while let item = queue.pop() {
                    Self.scan(item: item, worker: worker, configuration: configuration, stdin: stdinBox, state: state, helpers: helpers)
                }
                helpers?.serve(with: worker)
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        return state.withLock { s in s.finish() }
    }

    static func scan(item: WorkItem, worker: DetectionWorker, configuration: ScanConfiguration, stdin: StdinBox, state: SharedState,
                     helpers: DetectionHelpers? = nil) {
        var outcome = FileOutcome()
        worker.resetLimitHits()
        defer {
            if worker.limitHits > 0 {
                outcome.errors.append(InputError(path: item.path, code: .matchLimit,
                    message: "\(worker.limitHits) match attempt(s) hit the PCRE2 match limit and were abandoned; values there may be missed"))
            }
            outcome.done = true
            state.withLock { $0.deliver(index: item.index, outcome) }
        }
        let source: ByteSource
        if item.isStandardInput {
            source = stdin.source ?? FileSource(descriptor: 0, name: "-")
        } else {
            do throws(InputError) {
                source = try FileSource(path: item.path)
            } catch {
                outcome.errors.append(error)
                return
            }
        }
        var input = InputScanner(worker: worker, configuration: configuration) { found in
            state.withLock { $0.deliver(index: item.index, FileOutcome(findings: found)) }
        }
        input.helpers = helpers
        input.scan(source: source, path: item.path, filePath: item.isStandardInput ? nil : item.path)
        let found = input.outcome
        outcome.errors += found.errors
        outcome.skipped = found.skipped
        if !item.isStandardInput, outcome.skipped != nil, outcome.skipped?.bytes == nil { outcome.skipped?.bytes = item.size }
        outcome.memberSkips = found.memberSkips
        outcome.bytes = found.bytes
        outcome.columns = found.columns
        outcome.media = found.media
    }
}

/// Standard input, handed to the one worker that scans `-`.
final class StdinBox: @unchecked Sendable {
    // Only the worker that takes the single `-` item touches the source.
    let source: ByteSource?
    init(_ source: ByteSource?) { self.source = source }
}

/// A closable FIFO of work items shared by the walker and the workers.
final class WorkQueue: Sendable {
    private struct Inner {
        var items: [WorkItem] = []
        var head = 0
        var closed = false
    }
    private let inner = Locked(Inner())
    private let available = DispatchSemaphore(value: 0)

    func push(_ item: WorkItem) {
        inner.withLock { $0.items.append(item) }
        available.signal()
    }

    func close() {
        inner.withLock { $0.closed = true }
        available.signal()
    }

    func pop() -> WorkItem? {
        while true {
            let result: (WorkItem?, Bool) = inner.withLock { s in
                if s.head < s.items.count {
                    let item = s.items[s.head]
                    s.head += 1
                    if s.head > 4096 { s.items.removeFirst(s.head); s.head = 0 }
                    return (item, false)
                }
                return (nil, s.closed)
            }
            if let item = result.0 { return item }
            if result.1 {
                available.signal()  // wake the next waiting worker so it sees the close too
                return nil
            }
            available.wait()
        }
    }
}

/// The single writer: reorders per-input results into walk order and feeds the reporter.
final class SharedState: Sendable {
    struct Inner: Sendable {
        let box: ReporterBox
        var reporter: Reporter { box.reporter }
        var next = 0
        var pending: [Int: FileOutcome] = [:]
        var summary = ScanSummary()
        var errors: [InputError] = []
        var skipped: [SkippedInput] = []
        var walkErrors: [InputError] = []
        var columns: [ColumnStats] = []
        var progress = ScanProgress()
        let observer: ProgressObserver?
        let interval: Duration
        var lastProgress: ContinuousClock.Instant?

        mutating func deliver(index: Int, _ outcome: FileOutcome) {
            defer { reportProgress(path: outcome.findings.last?.path) }
            if index == next {
                emit(outcome)
                if outcome.done { advance() }
            } else {
                var merged = pending[index] ?? FileOutcome()
                merged.findings += outcome.findings
                merged.errors += outcome.errors
                merged.skipped = outcome.skipped ?? merged.skipped
                merged.bytes += outcome.bytes
                merged.columns += outcome.columns
                merged.memberSkips += outcome.memberSkips
                merged.media.add(outcome.media)
                merged.done = merged.done || outcome.done
                pending[index] = merged
            }
        }

        /// Tells the observer, at most once per interval (and always at the end).
        mutating func reportProgress(path: String?, force: Bool = false) {
            guard let observer else { return }
            if let path { progress.current = path }
            progress.filesDone = summary.filesScanned + skipped.count
            progress.bytes = summary.bytesScanned
            progress.findings = summary.findings
            let now = ContinuousClock.now
            if !force, let last = lastProgress, now - last < interval { return }
            lastProgress = now
            observer.update(progress)
        }

        private mutating func emit(_ outcome: FileOutcome) {
            if !outcome.findings.isEmpty {
                reporter.findings(outcome.findings)
                for f in outcome.findings { summary.count(f) }
            }
            errors += outcome.errors
            columns += outcome.columns
            skipped += outcome.memberSkips
            if let skip = outcome.skipped {
                skipped.append(skip)
            } else if outcome.done {
                summary.filesScanned += 1
            }
            summary.bytesScanned += outcome.bytes
            summary.media.add(outcome.media)
        }

        private mutating func advance() {
            next += 1
            while let waiting = pending[next] {
                pending[next] = nil
                emit(waiting)
                if waiting.done { next += 1 } else { break }
            }
        }

        mutating func finish() -> ScanSummary {
            let allErrors = (walkErrors + errors).sorted { ($0.path, $0.line ?? 0) < ($1.path, $1.line ?? 0) }
            let allSkipped = skipped.sorted { $0.path < $1.path }
            summary.errors = allErrors.count
            summary.complete = allErrors.isEmpty
            summary.skipped = Dictionary(grouping: allSkipped, by: \.reason.rawValue).mapValues(\.count)
            summary.bytesSkipped = allSkipped.reduce(0) { $0 + ($1.bytes ?? 0) }
            summary.columns = columns.count
            summary.columnsClassified = columns.filter { $0.category != nil }.count
            progress.finished = true
            reportProgress(path: nil, force: true)
            reporter.columns(columns)
            reporter.end(summary: summary, errors: allErrors, skipped: allSkipped)
            return summary
        }
    }

    // The reporter is only ever touched under this lock: that is what makes it safe to share.
    private let inner: Locked<Inner>

    init(reporter: Reporter, observer: ProgressObserver? = nil, interval: Duration = .milliseconds(250)) {
        inner = Locked(Inner(box: ReporterBox(reporter), observer: observer, interval: interval))
    }

    func withLock<R: Sendable>(_ body: (inout Inner) -> R) -> R {
        inner.withLock { body(&$0) }
    }
}

/// The reporter is touched only under `SharedState`'s lock, one call at a time, which is what
/// makes sharing this reference across worker threads safe.
final class ReporterBox: @unchecked Sendable {
    let reporter: Reporter
    init(_ reporter: Reporter) { self.reporter = reporter }
}

/// How a scan is going, for a progress line.
public struct ScanProgress: Sendable, Equatable {
    public var filesDone = 0
    public var filesQueued = 0
    /// True once every input has been found (the total is then known).
    public var walkDone = false
    public var bytes: Int64 = 0
    public var findings = 0
    /// The input findings last came from.
    public var current = ""
    public var finished = false

    public init() {}
}

/// Receives progress snapshots from the scan's writer (one call at a time).
public protocol ProgressObserver: Sendable {
    func update(_ progress: ScanProgress)
}
