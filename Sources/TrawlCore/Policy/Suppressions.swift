import Foundation

/// Known data accepted on purpose: `.trawlignore` globs (optionally narrowed to a detector or a
/// category) and `allow` entries of `trawl.yaml` (by fingerprint, with a reason and an optional
/// expiry after which they stop applying and are reported).
public struct Suppressions: Sendable {
    public struct IgnoreRule: Sendable, Equatable {
        public var glob: String
        public var detector: String?
        public var category: String?
        public var line: Int
    }

    public struct Allow: Sendable, Codable, Equatable {
        public var fingerprint: String
        public var reason: String
        public var expires: String?
    }

    public var ignore: [IgnoreRule] = []
    /// Folder the ignore globs are relative to.
    public var root = ""
    public var allow: [Allow] = []

    public init(ignore: [IgnoreRule] = [], root: String = "", allow: [Allow] = []) {
        self.ignore = ignore
        self.root = root
        self.allow = allow
    }

    /// Parses a `.trawlignore`: `GLOB [detector:ID] [category:KEY]` per line, `#` comments.
    public static func parseIgnore(_ text: String, file: String) throws -> [IgnoreRule] {
        var rules: [IgnoreRule] = []
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let glob = words.first else { continue }
            var rule = IgnoreRule(glob: glob, line: i + 1)
            for word in words.dropFirst() {
                if word.hasPrefix("detector:") { rule.detector = String(word.dropFirst("detector:".count)) }
                else if word.hasPrefix("category:") { rule.category = String(word.dropFirst("category:".count)) }
                else {
                    throw PolicyLoadError(issues: [PolicyIssue(file: file, line: i + 1, severity: .error, code: "ignore",
                        message: "'\(word)' is neither detector:ID nor category:KEY")])
                }
            }
            rules.append(rule)
        }
        return rules
    }

    /// The allow entries in force on `day`, and those that expired (reported, not applied).
    public func allowances(on day: Day) -> (active: [String: Allow], expired: [Allow]) {
        var active: [String: Allow] = [:]
        var expired: [Allow] = []
        for a in allow {
            if let text = a.expires, let end = Array(text.utf8).withUnsafeBufferPointer({ Day.parse($0) }), end < day {
                expired.append(a)
            } else {
                active[a.fingerprint] = a
            }
        }
        return (active, expired)
    }

    func ignores(path: String, detector: String?, category: String?) -> Bool {
        let relative = ProjectConfig.relative(path, to: root)
        return ignore.contains { rule in
            guard ProjectConfig.glob(rule.glob, matchesPath: relative) else { return false }
            if let d = rule.detector, d != detector { return false }
            if let c = rule.category { guard let category, Policy.covers(c, category) else { return false } }
            return true
        }
    }

    public func suppresses(_ finding: Finding, allowed: [String: Allow]) -> Bool {
        if let fp = finding.fingerprint, allowed[fp] != nil { return true }
        return ignores(path: finding.path, detector: finding.detector, category: finding.category)
    }

    public func suppresses(_ violation: Violation, allowed: [String: Allow]) -> Bool {
        if let fp = violation.fingerprint, allowed[fp] != nil { return true }
        return ignores(path: violation.path, detector: nil, category: violation.category)
    }
}

/// What suppressions removed from a report.
public struct SuppressionReport: Sendable, Codable, Equatable {
    public var findings = 0
    public var violations = 0
    /// `allow` entries past their expiry date: no longer applied.
    public var expired: [Suppressions.Allow] = []

    public init() {}
}
