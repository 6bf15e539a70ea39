/// What a validator concluded about a candidate match.
public enum ValidationOutcome: Sendable, Equatable {
    /// The value fails its checksum or structure: the candidate is discarded.
    case invalid
    /// A check digit or checksum verified: confidence rises to the detector's `validated_confidence`.
    case checksum
    /// The structure is right but there is no check digit: confidence is left as it is.
    case plausible
    /// Well-formed but a known test, reserved or documentation value: confidence drops to low.
    case weak
}

/// A named check run on the raw bytes of a candidate match (separators included).
///
/// Validators receive exactly the bytes PCRE2 matched and must tolerate the separators their
/// detector's pattern allows (spaces, dots, dashes, NBSP `C2 A0`, narrow NBSP `E2 80 AF`).
public struct Validator: Sendable {
    public let name: String
    public let summary: String
    let check: @Sendable (UnsafeBufferPointer<UInt8>) -> ValidationOutcome

    public init(name: String, summary: String, check: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> ValidationOutcome) {
        self.name = name
        self.summary = summary
        self.check = check
    }

    public func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> ValidationOutcome { check(bytes) }

    /// Convenience for tests and the examples runner.
    public func validate(_ text: String) -> ValidationOutcome {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { check(UnsafeBufferPointer($0)) }
    }
}
