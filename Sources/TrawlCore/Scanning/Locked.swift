import Foundation

/// A value behind a lock, shared between threads.
///
/// Not `Synchronization.Mutex`: on Linux it waits on futexes, which ThreadSanitizer does not
/// model, so the test suite under `--sanitize=thread` (run in CI) reported every access made under
/// it as a race. `NSLock` is a pthread mutex, which ThreadSanitizer understands.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
