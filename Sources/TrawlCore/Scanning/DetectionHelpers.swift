import Foundation

/// Workers with nothing left to scan help the others: a worker reading a large input hands some
/// of its batches to an idle worker, which detects them with its own `DetectionWorker` while the
/// owner reads the next ones. The owner still counts columns and delivers findings in batch
/// order, so the report does not depend on who detected what.
final class DetectionHelpers: @unchecked Sendable {
    typealias Task = (DetectionWorker) -> Void

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var tasks: [Task] = []
    private var idle = 0
    private var serving = 0
    private let workers: Int

    init(workers: Int) { self.workers = workers }

    /// Queues `task` when a helping worker can take it soon (at most one task waits per helper);
    /// false otherwise, and the caller does the work itself. Queuing one ahead keeps a helper
    /// busy while the owner reads the next batch.
    func offer(_ task: @escaping Task) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard tasks.count < serving else { return false }
        tasks.append(task)
        condition.signal()
        return true
    }

    /// Called by a worker once the work queue is drained: runs the tasks others offer until every
    /// worker is here (nobody is scanning any more).
    func serve(with worker: DetectionWorker) {
        condition.lock()
        serving += 1
        if serving == workers { condition.broadcast() }
        while true {
            if !tasks.isEmpty {
                let task = tasks.removeFirst()
                condition.unlock()
                task(worker)
                condition.lock()
                continue
            }
            if serving == workers { break }
            idle += 1
            condition.wait()
            idle -= 1
        }
        condition.unlock()
    }
}

/// The result of a batch handed to a helper.
final class PendingDetection: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var result: DetectionWorker.Detected?

    func fulfill(_ detected: DetectionWorker.Detected) {
        condition.lock()
        result = detected
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> DetectionWorker.Detected {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result ?? DetectionWorker.Detected()
    }
}
