/// A detector as written in `Detectors/<id>.yaml`. See the README's "Writing a detector".
public struct DetectorDefinition: Sendable, Codable, Hashable {
    public enum Requirement: String, Sendable, Codable, Hashable {
        case none
        /// Report only when a context word or a field-name hint is present.
        case context
    }

    public var id: String
    public var name: String
    public var category: String
    public var description: String
    public var pattern: String?
    public var validator: String?
    public var confidence: Confidence?
    public var validatedConfidence: Confidence?
    public var requires: Requirement?
    public var context: [String]?
    public var excludeContext: [String]?
    public var fields: String?
    public var fieldValue: String?
    /// Matches of this detector close to each other on one line (at most `mergeGap` bytes apart)
    /// are one finding: for keyword detectors, where several terms describe one fact
    /// ("Sportive de haut niveau (liste ministérielle)").
    public var mergeNearby: Bool?
    /// Necessary conditions on a line for `pattern` to match in it (see `PrefilterDefinition`).
    public var prefilter: PrefilterDefinition?
    /// A cheaper pattern for the admitted lines that do not meet `unless`: there, the branches of
    /// `pattern` it leaves out cannot match, so it finds exactly the same matches (`ip-address`:
    /// without `::` or six colons on a line, only the IPv4 branch can match).
    public var leanPattern: LeanPattern?
    /// For a pattern that spans lines, which a line prefilter cannot serve: the blocks of lines it
    /// can match in (see `BlockPrefilter`).
    public var block: BlockPrefilter?
    public var examples: Examples

    public struct LeanPattern: Sendable, Codable, Hashable {
        public var unless: PrefilterDefinition
        public var pattern: String
        /// The shape every match of `pattern` starts with: the pattern then runs anchored at each
        /// place the shape is found, not at every byte that could start it.
        public var starts: MatchStart?
    }

    enum CodingKeys: String, CodingKey {
        case id, name, category, description, pattern, validator, confidence
        case validatedConfidence = "validated_confidence"
        case requires, context
        case excludeContext = "exclude_context"
        case fields
        case fieldValue = "field_value"
        case mergeNearby = "merge_nearby"
        case prefilter
        case leanPattern = "lean_pattern"
        case block
        case examples
    }

    public struct Examples: Sendable, Codable, Hashable {
        public var match: [Example]
        public var noMatch: [Example]

        enum CodingKeys: String, CodingKey {
            case match
            case noMatch = "no_match"
        }
    }

    /// An example text, optionally inside a named field. In `match` examples the expected value
    /// may be marked with `«` and `»`.
    public struct Example: Sendable, Codable, Hashable {
        public var field: String?
        public var value: String

        public init(field: String? = nil, value: String) {
            self.field = field
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case field, value }

        public init(from decoder: Decoder) throws {
            if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
                self.field = nil
                self.value = text
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.field = try c.decodeIfPresent(String.self, forKey: .field)
            self.value = try c.decode(String.self, forKey: .value)
        }

        /// The text without markers, and the marked span (UTF-8 byte offsets) if any.
        public var unmarked: (text: String, span: Range<Int>?) {
            guard let open = value.range(of: "«"), let close = value.range(of: "»", range: open.upperBound..<value.endIndex) else {
                return (value, nil)
            }
            let before = String(value[..<open.lowerBound])
            let inside = String(value[open.upperBound..<close.lowerBound])
            let after = String(value[close.upperBound...])
            let start = before.utf8.count
            return (before + inside + after, start..<(start + inside.utf8.count))
        }
    }
}
