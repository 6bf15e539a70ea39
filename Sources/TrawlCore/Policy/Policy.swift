/// A privacy policy as code (`schema: trawl.policy/v1`): what the organisation says it collects,
/// about whom, for which purpose, on which legal basis and for how long. Loaded from YAML by
/// `PolicyLoader`, checked by `PolicyLinter`.
public struct Policy: Sendable, Codable, Equatable {
    public static let schemaID = "trawl.policy/v1"

    public var schema: String
    public var name: String
    public var version: String?
    public var source: String?
    public var ageFloors: [AgeFloor]
    public var categories: [Category]
    public var subjects: [Subject]
    public var purposes: [Purpose]
    public var retention: [RetentionRow]
    public var rules: [Rule]

    enum CodingKeys: String, CodingKey {
        case schema, name, version, source
        case ageFloors = "age_floors"
        case categories, subjects, purposes, retention, rules
    }

    public struct AgeFloor: Sendable, Codable, Equatable {
        public enum Scope: String, Sendable, Codable { case all, us }
        public var id: String
        public var years: Int
        public var scope: Scope
        public var passage: String
    }

    /// How sensitive a category is; each tier sets a minimum severity for violations about it.
    public enum Tier: String, Sendable, Codable, CaseIterable, Comparable {
        case standard
        case restricted
        case nationalIdentifier = "national_identifier"
        case specialCategory = "special_category"
        case criminal
        case children

        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (a: Tier, b: Tier) -> Bool { a.rank < b.rank }
    }

    public struct Category: Sendable, Codable, Equatable {
        public var id: String
        public var label: String
        public var tier: Tier
    }

    public struct Subject: Sendable, Codable, Equatable {
        public var id: String
        public var label: String
        public var passage: String?
        public var aliases: [String]
        public var categories: [DocumentedCategory]
    }

    public struct DocumentedCategory: Sendable, Codable, Equatable {
        /// Where the text documents it: the main policy, only the US addendum, or only implied.
        public enum Documented: String, Sendable, Codable { case main, usAddendum = "us-addendum", implied }
        public var category: String
        public var documented: Documented
        public var wording: String?
        public var condition: String?
    }

    public enum LegalBasis: String, Sendable, Codable, CaseIterable {
        case contract
        case legalObligation = "legal-obligation"
        case consent
        case legitimateInterest = "legitimate-interest"
    }

    public struct Purpose: Sendable, Codable, Equatable {
        public var id: String
        public var label: String
        public var basis: LegalBasis
        public var parent: String?
        public var subjects: [String]
        public var categories: [String]
        public var retention: String?
    }

    public struct Period: Sendable, Codable, Equatable {
        public var text: String
        public var duration: String?
        public var until: String?
        public var from: String?
        public var alternatives: [Alternative]?
    }

    public struct Alternative: Sendable, Codable, Equatable {
        public var duration: String?
        public var from: String?
        public var text: String?
    }

    public struct RetentionRow: Sendable, Codable, Equatable {
        public var id: String
        public var label: String
        public var purposes: [String]
        public var active: Period
        public var intermediate: Period
        public var dateFields: [String]

        enum CodingKeys: String, CodingKey {
            case id, label, purposes, active, intermediate
            case dateFields = "date_fields"
        }
    }

    public struct Rule: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable { case ageFloor = "age-floor", restrictCategory = "restrict-category" }
        public var id: String
        public var kind: Kind
        public var passage: String
        public var floor: String?
        public var categories: [String]?
        public var subjects: [String]?
        public var requiresConsent: Bool?

        enum CodingKeys: String, CodingKey {
            case id, kind, passage, floor, categories, subjects
            case requiresConsent = "requires_consent"
        }
    }
}

extension Policy {
    /// The policy's entry for a category id, or for its nearest documented parent
    /// (`user.government_id` covers `user.government_id.passport_number`).
    public func category(covering id: String) -> Category? {
        var key = Substring(id)
        while true {
            if let found = categories.first(where: { $0.id == key }) { return found }
            guard let dot = key.lastIndex(of: ".") else { return nil }
            key = key[..<dot]
        }
    }

    /// True when `documented` (a policy category id) covers `found` (a finding's category).
    public static func covers(_ documented: String, _ found: String) -> Bool {
        found == documented || found.hasPrefix(documented + ".")
    }

    public func subject(_ id: String) -> Subject? { subjects.first { $0.id == id } }
    public func purpose(_ id: String) -> Purpose? { purposes.first { $0.id == id } }
    public func retentionRow(_ id: String) -> RetentionRow? { retention.first { $0.id == id } }
}

/// An ISO-8601 period of whole years, months and days (`P2Y`, `P13M`, `P1Y6M`, `P30D`).
public struct PolicyDuration: Sendable, Equatable, CustomStringConvertible {
    public var years = 0
    public var months = 0
    public var days = 0

    public init(years: Int = 0, months: Int = 0, days: Int = 0) {
        self.years = years
        self.months = months
        self.days = days
    }

    public init?(_ text: String) {
        var rest = Substring(text.uppercased())
        guard rest.hasPrefix("P"), rest.count > 1 else { return nil }
        rest = rest.dropFirst()
        var number = ""
        for c in rest {
            if c.isNumber { number.append(c); continue }
            guard let n = Int(number) else { return nil }
            number = ""
            switch c {
            case "Y": years = n
            case "M": months = n
            case "W": days += 7 * n
            case "D": days += n
            default: return nil
            }
        }
        guard number.isEmpty else { return nil }
    }

    public var description: String {
        var parts: [String] = []
        if years > 0 { parts.append("\(years) year\(years == 1 ? "" : "s")") }
        if months > 0 { parts.append("\(months) month\(months == 1 ? "" : "s")") }
        if days > 0 { parts.append("\(days) day\(days == 1 ? "" : "s")") }
        return parts.isEmpty ? "0 days" : parts.joined(separator: " ")
    }
}
