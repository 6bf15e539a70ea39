// The libFuzzer executable: a thin shim over `FuzzHarness` (TrawlCore/Fuzzing), which holds the
// code under fuzz so that the unit tests replay the same path without libFuzzer.
//
// This target exists only when the package is loaded with TRAWL_FUZZ=1 (see Package.swift) and
// links only with `-sanitize=fuzzer` (`make fuzz`). TRAWL_FUZZ_TARGET names the target to run.
//
// Why a `main` here: SwiftPM links every executable with `--defsym main=TrawlFuzz_main` (its
// testable-executable entry point), so the usual `-parse-as-library` build, which leaves `main`
// to libFuzzer, fails to link ("undefined symbol TrawlFuzz_main"). This top-level code is that
// entry point; it starts the harness (a bad TRAWL_FUZZ_TARGET stops here) and hands over to
// libFuzzer's driver, which parses libFuzzer's flags as libFuzzer's own `main` would.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibFuzzer

_ = harness
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
