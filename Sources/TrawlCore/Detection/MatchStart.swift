import CTrawlKernels

/// A shape every match of a pattern starts with, which a C loop finds faster than PCRE2 finds the
/// match (`lean_pattern` → `starts`). PCRE2 tries a pattern at every byte its first item accepts:
/// an IPv4 address's first item is a digit, and an access-log line holds dozens of digits for the
/// one address at its start. The pattern then runs anchored at each place the shape is found, and
/// finds the same matches.
public enum MatchStart: String, Sendable, Codable, Hashable, CaseIterable {
    /// One to three digits, not after a digit, then `.`, one to three digits, `.`, one to three
    /// digits, `.` and a digit (`10.6.180.2`).
    case dottedQuad = "dotted-quad"

    /// The first place in `from..<to` where the shape starts in `subject` (which it may read to
    /// its end), or nil.
    func next(in subject: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = subject.baseAddress, from < to else { return nil }
        switch self {
        case .dottedQuad:
            let r = Int(trawl_next_dotted_quad(base, Int64(from), Int64(to), Int64(subject.count)))
            return r < to ? r : nil
        }
    }
}
