/// A place where the data disagrees with the privacy policy.
public struct Violation: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case undocumentedCategory = "undocumented-category"
        case subjectMismatch = "subject-mismatch"
        case purposeMismatch = "purpose-mismatch"
        case specialCategoryWithoutConsent = "special-category-without-consent"
        case retentionExceeded = "retention-exceeded"
        case activePeriodExceeded = "active-period-exceeded"
        case minor
        case undeclaredDataset = "undeclared-dataset"
    }

    public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
        case info, low, medium, high, critical
        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var kind: Kind
    public var severity: Severity
    public var path: String
    public var table: String?
    public var field: String?
    public var category: String?
    /// The dataset's subjects, and whether they were inferred from names (no declaration).
    public var subjects: [String]
    public var inferred: Bool
    /// One sentence: what is wrong and what to do.
    public var message: String
    /// The policy passage or entry it rests on (`subjects.students`, a quoted rule).
    public var reference: String

    public init(kind: Kind, severity: Severity, path: String, table: String?, field: String?, category: String?,
                subjects: [String], inferred: Bool, message: String, reference: String) {
        self.kind = kind
        self.severity = severity
        self.path = path
        self.table = table
        self.field = field
        self.category = category
        self.subjects = subjects
        self.inferred = inferred
        self.message = message
        self.reference = reference
    }
}

extension Policy.Tier {
    /// The least severity a violation about data of this tier can have.
    var minimumSeverity: Violation.Severity {
        switch self {
        case .standard: .low
        case .restricted: .medium
        case .nationalIdentifier: .high
        case .specialCategory, .criminal, .children: .critical
        }
    }
}

/// Checks classified columns against the policy and the dataset declarations. Works per field,
/// never per raw value.
public struct PolicyEvaluator: Sendable {
    public let policy: Policy
    public let config: ProjectConfig?

    public init(policy: Policy, config: ProjectConfig? = nil) {
        self.policy = policy
        self.config = config
    }

    /// Subjects whose aliases appear in a table, sheet or file name (`apprenants`, `mentors_2026.csv`).
    public func inferSubjects(path: String, table: String?) -> [String] {
        var names: [String] = []
        if let table { names.append(ProjectConfig.bareTable(table)) }
        let file = path.split(whereSeparator: { $0 == "/" || $0 == "!" }).last.map(String.init) ?? path
        names.append(file.split(separator: ".").first.map(String.init) ?? file)
        for name in names {
            let words = FieldName.snake(name).split(separator: "_").map(String.init)
            let found = policy.subjects.filter { s in s.aliases.contains { alias in words.contains(alias) || FieldName.snake(name) == alias } }
            if !found.isEmpty { return found.map(\.id) }
        }
        return []
    }

    public func evaluate(_ columns: [ColumnStats]) -> [Violation] {
        var datasets: [String: [ColumnStats]] = [:]
        var order: [String] = []
        for c in columns where c.category != nil {
            let key = c.path + "\u{0}" + (c.table ?? "")
            if datasets[key] == nil { order.append(key) }
            datasets[key, default: []].append(c)
        }
        var violations: [Violation] = []
        for key in order {
            guard let fields = datasets[key], let first = fields.first else { continue }
            violations += evaluate(path: first.path, table: first.table, fields: fields, allColumns: columns)
        }
        return violations
    }

    func evaluate(path: String, table: String?, fields: [ColumnStats], allColumns: [ColumnStats]) -> [Violation] {
        let declaration = config?.declaration(path: path, table: table)
        let subjects = declaration?.subjects ?? inferSubjects(path: path, table: table)
        let inferred = declaration == nil
        var out: [Violation] = []
        func add(_ kind: Violation.Kind, _ base: Violation.Severity, _ field: ColumnStats?, _ category: String?, _ message: String, _ reference: String) {
            let tier = category.flatMap { policy.category(covering: $0)?.tier }
            let severity = max(base, tier?.minimumSeverity ?? .info)
            out.append(Violation(kind: kind, severity: severity, path: path, table: table, field: field?.field, category: category,
                                 subjects: subjects, inferred: inferred, message: message, reference: reference))
        }
        let dataset = table.map { "\(path) (\($0))" } ?? path

        if declaration == nil {
            let tiers = fields.flatMap(\.categories).compactMap { policy.category(covering: $0)?.tier }
            let sensitive = tiers.contains { $0 >= .nationalIdentifier }
            let who = subjects.isEmpty ? "no subject could be inferred from its name" : "its name suggests \(subjects.joined(separator: ", "))"
            out.append(Violation(kind: .undeclaredDataset, severity: sensitive ? .high : .low, path: path, table: table, field: nil, category: nil,
                                 subjects: subjects, inferred: true,
                                 message: "\(dataset) holds personal data (\(Set(fields.flatMap(\.categories)).sorted().joined(separator: ", "))) but no dataset declaration in trawl.yaml covers it; \(who). Declare its subjects and purposes",
                                 reference: "trawl.yaml datasets"))
        }

        for field in fields {
            for category in field.categories {
                let tier = policy.category(covering: category)?.tier ?? .standard
                let documenting = policy.subjects.filter { s in s.categories.contains { Policy.covers($0.category, category) } }
                if documenting.isEmpty {
                    add(.undocumentedCategory, .high, field, category,
                        "\(field.field) holds \(category), which the policy documents for no data subject: remove it or document it",
                        "categories.\(policy.category(covering: category)?.id ?? category)")
                    continue
                }
                if !subjects.isEmpty, !subjects.contains(where: { s in documenting.contains { $0.id == s } }) {
                    add(.subjectMismatch, .high, field, category,
                        "\(field.field) holds \(category), which the policy documents only for \(documenting.map(\.label).joined(separator: ", ")), not for \(subjects.joined(separator: ", "))",
                        "subjects.\(documenting.map(\.id).joined(separator: ","))")
                }
                for rule in policy.rules where rule.kind == .restrictCategory {
                    guard (rule.categories ?? []).contains(where: { Policy.covers($0, category) }) else { continue }
                    let allowed = rule.subjects ?? []
                    if !subjects.isEmpty, let outside = subjects.first(where: { !allowed.contains($0) }), documenting.contains(where: { $0.id == outside }) {
                        add(.subjectMismatch, .high, field, category,
                            "\(field.field) holds \(category) for \(outside), but the policy allows it only for \(allowed.joined(separator: ", "))",
                            "rules.\(rule.id): “\(rule.passage)”")
                    }
                }
                if let declaration, !declaration.purposes.isEmpty {
                    let needed = declaration.purposes.compactMap { policy.purpose($0) }.contains { q in q.categories.contains { Policy.covers($0, category) } }
                    if !needed {
                        add(.purposeMismatch, .medium, field, category,
                            "\(field.field) holds \(category), which none of the dataset's purposes (\(declaration.purposes.joined(separator: ", "))) needs",
                            "purposes.\(declaration.purposes.joined(separator: ","))")
                    }
                }
                let consentRule = policy.rules.first { r in r.kind == .restrictCategory && r.requiresConsent == true && (r.categories ?? []).contains { Policy.covers($0, category) } }
                if tier == .specialCategory || consentRule != nil {
                    let consentPurposes = (declaration?.purposes ?? []).compactMap { policy.purpose($0) }.filter { $0.basis == .consent }
                    let consentColumn = declaration?.consentField.flatMap { name in
                        allColumns.first { $0.path == path && $0.table == table && ($0.field == name || $0.field.hasSuffix("." + name)) }
                    }
                    let reference = consentRule.map { "rules.\($0.id): “\($0.passage)”" } ?? "categories.\(category)"
                    if consentPurposes.isEmpty {
                        add(.specialCategoryWithoutConsent, .critical, field, category,
                            "\(field.field) holds \(category) (special category) but no consent-based purpose is declared for \(dataset)", reference)
                    } else if consentColumn == nil {
                        add(.specialCategoryWithoutConsent, .critical, field, category,
                            "\(field.field) holds \(category) (special category) but \(dataset) has no consent field" + (declaration?.consentField.map { " ('\($0)' was declared and not found)" } ?? "; declare consent_field"), reference)
                    }
                }
            }
        }
        return out
    }
}
