/// How sure Trawl is that a finding is personal data.
///
/// `high`: a validator verified a checksum, or the field name and the value agree;
/// `medium`: the pattern matched and a context word was seen (or the shape is specific);
/// `low`: the pattern alone matched a weak shape, or a known test value.
public enum Confidence: Int, Sendable, Codable, Comparable, CaseIterable, CustomStringConvertible {
    case low = 1
    case medium = 2
    case high = 3

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "low": self = .low
        case "medium": self = .medium
        case "high": self = .high
        default: return nil
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Confidence(name: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "confidence must be low, medium or high, not '\(text)'")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    func raised() -> Confidence { Confidence(rawValue: min(rawValue + 1, Confidence.high.rawValue)) ?? .high }
}
