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
    /// Stable identity when fingerprints are on.
    public var fingerprint: String?

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
    /// The day retention and ages are judged at (`--as-of`, default today).
    public let asOf: Day

    public init(policy: Policy, config: ProjectConfig? = nil, asOf: Day) {
        self.policy = policy
        self.config = config
        self.asOf = asOf
    }

    /// The columns whose dates the scan must keep: every retention row's date fields, the
    /// declared date columns, and birth dates.
    public var dateTracking: DateTracking {
        var names = Set(policy.retention.flatMap(\.dateFields))
        for d in config?.datasets ?? [] { names.formUnion((d.dates ?? [:]).values) }
        return DateTracking(names: names, birthDates: true, consentNames: Set((config?.datasets ?? []).compactMap(\.consentField)))
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
        for c in columns {
            let key = c.path + "\u{0}" + (c.table ?? "")
            if datasets[key] == nil { order.append(key) }
            datasets[key, default: []].append(c)
        }
        var violations: [Violation] = []
        for key in order {
            guard let all = datasets[key], let first = all.first else { continue }
            let declaration = config?.declaration(path: first.path, table: first.table)
            let fields = all.filter { $0.category != nil }
            if !fields.isEmpty {
                violations += evaluate(path: first.path, table: first.table, fields: fields, allColumns: columns, declaration: declaration)
            }
            if !fields.isEmpty || declaration != nil {
                violations += evaluateDates(path: first.path, table: first.table, columns: all, declaration: declaration)
            }
        }
        return violations
    }

    /// Retention and age: judged on the dates of the records, at `asOf`.
    func evaluateDates(path: String, table: String?, columns: [ColumnStats], declaration: DatasetDeclaration?) -> [Violation] {
        let subjects = declaration?.subjects ?? inferSubjects(path: path, table: table)
        var out: [Violation] = []
        func locate(_ column: ColumnStats, _ entry: DateHistogram.Entry) -> String {
            if entry.row > 0 { return "\(column.field) row \(entry.row)" + (entry.line > 0 ? " (line \(entry.line))" : "") }
            return "\(column.field) line \(entry.line)"
        }
        // Age floor: a birth date that makes the person younger than the policy allows. The birth
        // date itself is personal data: the message gives where it is, never what it is.
        let floors = policy.ageFloors.filter { $0.scope == .all }
        if let floor = floors.max(by: { $0.years < $1.years }) {
            let youngest = asOf.minus(PolicyDuration(years: floor.years))
            for column in columns where column.categories.contains("user.demographic.date_of_birth") {
                guard let young = column.dates?.after(youngest) else { continue }
                out.append(Violation(kind: .minor, severity: .critical, path: path, table: table, field: column.field,
                                     category: "user.demographic.date_of_birth", subjects: subjects, inferred: declaration == nil,
                                     message: "\(young.count) record(s) in \(column.field) give a birth date after \(youngest) (under \(floor.years) on \(asOf)), for example at \(locate(column, young.example))",
                                     reference: "age_floors.\(floor.id): “\(floor.passage)”"))
            }
        }
        // Retention: only where the dataset's purposes are declared.
        guard let declaration else { return out }
        var seenRows: Set<String> = []
        for purposeID in declaration.purposes {
            guard let purpose = policy.purpose(purposeID), let rowID = purpose.retention ?? purpose.parent.flatMap({ policy.purpose($0)?.retention }),
                  let row = policy.retentionRow(rowID), seenRows.insert(row.id).inserted else { continue }
            let active = row.active.duration.flatMap(PolicyDuration.init)
            let intermediate = row.intermediate.duration.flatMap(PolicyDuration.init)
            guard active != nil || intermediate != nil else { continue }
            // The clock: a declared column for the row's event, else a column named like its date fields.
            let declared = [row.intermediate.from, row.active.until].compactMap { $0 }.compactMap { declaration.dates?[$0] }
            let clock = columns.first { c in c.dates != nil && declared.contains { FieldName.normalize($0) == FieldName.normalize(c.field) } }
                ?? columns.first { c in c.dates != nil && row.dateFields.contains { FieldName.normalize($0) == FieldName.normalize(c.field) } }
            guard let clock, let dates = clock.dates else { continue }
            var limit = asOf
            if let active { limit = limit.minus(active) }
            if let intermediate { limit = limit.minus(intermediate) }
            let kept = [row.active.duration, row.intermediate.duration].compactMap { $0.flatMap(PolicyDuration.init)?.description }.joined(separator: " + ")
            if let old = dates.before(limit) {
                out.append(Violation(kind: .retentionExceeded, severity: .high, path: path, table: table, field: clock.field, category: nil,
                                     subjects: subjects, inferred: false,
                                     message: "\(old.count) record(s) dated before \(limit) by \(clock.field), older than the \(kept) the policy allows for “\(row.label)”; the oldest is \(Self.show(old.oldest, of: clock)), at \(locate(clock, old.example))",
                                     reference: "retention.\(row.id): “\(row.intermediate.text)”"))
            }
            if let active, declaration.storage != .intermediate {
                let archiveFrom = asOf.minus(active)
                let stale = dates.days.filter { $0.key < archiveFrom.number && $0.key >= limit.number }
                if let oldestKey = stale.keys.min(), let example = stale[oldestKey] {
                    let count = stale.values.reduce(0) { $0 + $1.count }
                    out.append(Violation(kind: .activePeriodExceeded, severity: .medium, path: path, table: table, field: clock.field, category: nil,
                                         subjects: subjects, inferred: false,
                                         message: "\(count) record(s) dated before \(archiveFrom) by \(clock.field) are still in the active dataset; after \(active) they belong in the intermediate archive (“\(row.label)”); the oldest is \(Self.show(Day(number: oldestKey), of: clock)), at \(locate(clock, example))",
                                         reference: "retention.\(row.id): “\(row.active.text)”"))
                }
            }
        }
        return out
    }

    /// A date in a message: shown when its column is a record date (an invoice date, a login
    /// time), withheld when the column is itself classified as personal data (a birth date).
    static func show(_ day: Day, of column: ColumnStats) -> String {
        column.categories.isEmpty ? day.description : "(date withheld: \(column.field) is personal data)"
    }

    /// How messages name a column (`apprenants.nir`, or the free text of a log).
    static func name(_ column: ColumnStats) -> String { column.freeText ? "its free text" : column.field }

    func evaluate(path: String, table: String?, fields: [ColumnStats], allColumns: [ColumnStats], declaration: DatasetDeclaration?) -> [Violation] {
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
                        "\(Self.name(field)) holds \(category), which the policy documents for no data subject: remove it or document it",
                        "categories.\(policy.category(covering: category)?.id ?? category)")
                    continue
                }
                if !subjects.isEmpty, !subjects.contains(where: { s in documenting.contains { $0.id == s } }) {
                    add(.subjectMismatch, .high, field, category,
                        "\(Self.name(field)) holds \(category), which the policy documents only for \(documenting.map(\.label).joined(separator: ", ")), not for \(subjects.joined(separator: ", "))",
                        "subjects.\(documenting.map(\.id).joined(separator: ","))")
                }
                for rule in policy.rules where rule.kind == .restrictCategory {
                    guard (rule.categories ?? []).contains(where: { Policy.covers($0, category) }) else { continue }
                    let allowed = rule.subjects ?? []
                    if !subjects.isEmpty, let outside = subjects.first(where: { !allowed.contains($0) }), documenting.contains(where: { $0.id == outside }) {
                        add(.subjectMismatch, .high, field, category,
                            "\(Self.name(field)) holds \(category) for \(outside), but the policy allows it only for \(allowed.joined(separator: ", "))",
                            "rules.\(rule.id): “\(rule.passage)”")
                    }
                }
                if let declaration, !declaration.purposes.isEmpty {
                    let needed = declaration.purposes.compactMap { policy.purpose($0) }.contains { q in q.categories.contains { Policy.covers($0, category) } }
                    if !needed {
                        add(.purposeMismatch, .medium, field, category,
                            "\(Self.name(field)) holds \(category), which none of the dataset's purposes (\(declaration.purposes.joined(separator: ", "))) needs",
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
                            "\(Self.name(field)) holds \(category) (special category) but no consent-based purpose is declared for \(dataset)", reference)
                    } else if let consentColumn {
                        // Records whose consent says no, or is empty.
                        let refused = (consentColumn.consent?.no ?? 0) + (consentColumn.rows - consentColumn.nonEmpty)
                        if refused > 0 {
                            add(.specialCategoryWithoutConsent, .critical, field, category,
                                "\(Self.name(field)) holds \(category) (special category) and \(refused) of the \(consentColumn.rows) record(s) of \(dataset) have no consent in \(consentColumn.field)", reference)
                        }
                    } else {
                        add(.specialCategoryWithoutConsent, .critical, field, category,
                            "\(Self.name(field)) holds \(category) (special category) but \(dataset) has no consent field" + (declaration?.consentField.map { " ('\($0)' was declared and not found)" } ?? "; declare consent_field"), reference)
                    }
                }
            }
        }
        return out
    }
}
