#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrawlCore

/// The harness of the target named by TRAWL_FUZZ_TARGET, made on first use (a global is
/// initialised once, thread-safely). libFuzzer calls back on one thread only (no -fork, -jobs).
nonisolated(unsafe) let harness: FuzzHarness = {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    guard let name = getenv("TRAWL_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        fail("set TRAWL_FUZZ_TARGET to one of \(names)")
    }
    do {
        return try FuzzHarness(target: target)
    } catch {
        fail("cannot start the \(name) target: \(error)")
    }
}()

/// libFuzzer's entry point: one input, run to its end. Never prints; always returns 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    harness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// A set-up error (not an input's): said on standard error, and the run stops.
func fail(_ message: String) -> Never {
    var line = "TrawlFuzz: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}
