import ArgumentParser

/// The exit-code contract, in one place.
///
/// - 0: the scan is complete and nothing is at or above `--fail-on`;
/// - 1: findings at or above `--fail-on`;
/// - 2: nothing at or above `--fail-on`, but an input could not be read or parsed (fail closed);
/// - 64: usage error (swift-argument-parser's validation errors use it too);
/// - 130, 143: interrupted by SIGINT or SIGTERM (128 + the signal); a report being written to a
///   file is not left behind (`Interruption`).
enum TrawlExit {
    static let clean = ExitCode(0)
    static let findings = ExitCode(1)
    static let incomplete = ExitCode(2)
    static let usage = ExitCode(64)
    static let interrupted = ExitCode(130)
    static let terminated = ExitCode(143)

    static func forScan(gatingFindings: Int, complete: Bool) -> ExitCode {
        if gatingFindings > 0 { return findings }
        return complete ? clean : incomplete
    }
}
