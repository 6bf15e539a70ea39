import Foundation

/// The data map (`trawl inventory`): one row per field of every scanned source, with what it
/// holds, about whom, for which purposes, on which legal bases, kept how long, and what the
/// policy says is wrong with it. Built from a scan's columns, findings and violations; holds
/// masked examples only, never a raw value. `schema: trawl.inventory/v1`.
public struct Inventory: Sendable, Codable, Equatable {
    public static let schemaID = "trawl.inventory/v1"

    public var schema = Inventory.schemaID
    public var tool: ToolInfo
    /// The policy the fields were checked against (`name version`), nil with `--no-policy`.
    public var policy: String?
    /// The day retention and ages were judged at.
    public var asOf: String?
    public var fields: [Field]
    public var violations: [Violation]
    public var errors: [InputError]
    public var summary: Summary

    enum CodingKeys: String, CodingKey {
        case schema, tool, policy
        case asOf = "as_of"
        case fields, violations, errors, summary
    }

    /// One field (column, key path, XML path, or the free text of a document).
    public struct Field: Sendable, Codable, Equatable {
        /// Input path (`Samples/dumps/plateforme.sql`, `exports.zip!/students.csv`).
        public var source: String
        /// Table, sheet or collection when the format has them.
        public var table: String?
        /// Column or key, without the table (`nir`, `$.student.email`, `(text)`).
        public var column: String
        /// Categories the field is classified into (empty: not personal data).
        public var categories: [String]
        /// Categories seen in some of its values without classifying it (a note with an email).
        public var alsoFound: [String]
        /// The policy's tier for its most sensitive category (`special_category`, `national_identifier`).
        public var sensitivity: String?
        /// Best confidence of its findings in its categories.
        public var confidence: Confidence?
        /// Records, non-empty values, and values matching its categories.
        public var rows: Int
        public var nonEmpty: Int
        public var hits: Int
        /// A masked value from the field (`j***@e******.fr`), never the raw value.
        public var example: String?
        public var subjects: [String]
        /// Where the subjects come from: `declared` (trawl.yaml, with the purposes), `inferred`
        /// (from table and file names; no purposes), or nil when nothing could be said.
        public var basis: String?
        public var purposes: [String]
        public var legalBases: [String]
        public var retention: [String]
        /// Kinds of the violations about this field, and the worst severity.
        public var violations: [String]
        public var severity: Violation.Severity?

        enum CodingKeys: String, CodingKey {
            case source, table, column, categories
            case alsoFound = "also_found"
            case sensitivity, confidence, rows
            case nonEmpty = "non_empty"
            case hits, example, subjects, basis, purposes
            case legalBases = "legal_bases"
            case retention, violations, severity
        }

        /// Identity across inventories (diffs).
        public var key: String { [source, table ?? "", column].joined(separator: "\u{1F}") }
        public var isPersonal: Bool { !categories.isEmpty }
        /// `table.column` or `column`.
        public var qualifiedName: String { table.map { "\($0).\(column)" } ?? column }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var sources = 0
        public var fields = 0
        public var personalFields = 0
        public var categories: [String: Int] = [:]
        public var violationsBySeverity: [String: Int] = [:]
        public var complete = true

        enum CodingKeys: String, CodingKey {
            case sources, fields
            case personalFields = "personal_fields"
            case categories
            case violationsBySeverity = "violations_by_severity"
            case complete
        }
    }

    /// Personal fields per category, per source: the data map's first table.
    public var categoriesBySource: [(source: String, categories: [String: Int])] {
        var order: [String] = []
        var counts: [String: [String: Int]] = [:]
        for f in fields where f.isPersonal {
            if counts[f.source] == nil { order.append(f.source) }
            for c in f.categories { counts[f.source, default: [:]][c, default: 0] += 1 }
        }
        return order.map { ($0, counts[$0] ?? [:]) }
    }
}

/// Renders an inventory (CSV, JSON, HTML, fides YAML).
public protocol InventoryRenderer {
    func render(_ inventory: Inventory) -> String
}

/// Collects a scan (or a replayed report) and, at the end, writes its inventory with a renderer.
/// Purposes, legal bases and retention come from the policy and the dataset declarations: the
/// declared purposes of the field's dataset that need its category. Without a declaration the
/// subjects are inferred from names and the purposes are left empty.
public final class InventoryBuilder: Reporter {
    let sink: TextSink?
    let renderer: InventoryRenderer?
    let evaluator: PolicyEvaluator?
    private var tool = ToolInfo(detectors: 0)
    private var columns: [ColumnStats] = []
    private var violations: [Violation] = []
    private struct Seen { var example: String; var confidence: Confidence }
    private var seen: [String: Seen] = [:]
    /// The inventory, once `end` was called.
    public private(set) var inventory: Inventory?

    public init(sink: TextSink?, renderer: InventoryRenderer?, evaluator: PolicyEvaluator?) {
        self.sink = sink
        self.renderer = renderer
        self.evaluator = evaluator
    }

    static func key(path: String, field: String, category: String) -> String {
        [path, field, category].joined(separator: "\u{1F}")
    }

    public func begin(tool: ToolInfo) { self.tool = tool }

    public func findings(_ findings: [Finding]) {
        for f in findings {
            let key = Self.key(path: f.path, field: f.field ?? ColumnStats.freeTextField, category: f.category)
            if let s = seen[key], s.confidence >= f.confidence { continue }
            seen[key] = Seen(example: f.masked, confidence: f.confidence)
        }
    }

    public func columns(_ columns: [ColumnStats]) { self.columns = columns }
    public func violations(_ violations: [Violation]) { self.violations = violations }
    public func baseline(_ report: BaselineReport) {}
    public func suppressions(_ report: SuppressionReport) {}

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        var inventory = Inventory(tool: tool, policy: evaluator.map { [$0.policy.name, $0.policy.version].compactMap { $0 }.joined(separator: " ") },
                                  asOf: evaluator?.asOf.description, fields: [], violations: violations, errors: errors, summary: .init())
        inventory.fields = columns.map(field)
        var s = Inventory.Summary()
        s.sources = Set(columns.map(\.path)).count
        s.fields = inventory.fields.count
        s.personalFields = inventory.fields.filter(\.isPersonal).count
        for f in inventory.fields { for c in f.categories { s.categories[c, default: 0] += 1 } }
        for v in violations { s.violationsBySeverity[v.severity.rawValue, default: 0] += 1 }
        s.complete = summary.complete
        inventory.summary = s
        self.inventory = inventory
        if let sink, let renderer { sink.write(renderer.render(inventory)) }
    }

    func field(_ c: ColumnStats) -> Inventory.Field {
        var column = c.field
        if let table = c.table, column.hasPrefix(table + ".") { column.removeFirst(table.count + 1) }
        let best = c.categories.compactMap { seen[Self.key(path: c.path, field: c.field, category: $0)] }.max { $0.confidence < $1.confidence }
        let alsoFound = c.hits.keys.filter { !c.categories.contains($0) }.sorted()
        var f = Inventory.Field(source: c.path, table: c.table, column: column, categories: c.categories, alsoFound: alsoFound,
                                sensitivity: nil, confidence: best?.confidence, rows: c.rows, nonEmpty: c.nonEmpty,
                                hits: c.categories.map { c.hits[$0] ?? 0 }.max() ?? 0,
                                example: best?.example,
                                subjects: [], basis: nil, purposes: [], legalBases: [], retention: [], violations: [], severity: nil)
        let mine = violations.filter { $0.path == c.path && $0.table == c.table && $0.field == c.field }
        f.violations = Array(Set(mine.map(\.kind.rawValue))).sorted()
        f.severity = mine.map(\.severity).max()
        guard f.isPersonal, let evaluator else { return f }
        let policy = evaluator.policy
        f.sensitivity = c.categories.compactMap { policy.category(covering: $0)?.tier }.max()?.rawValue
        let needs = { (p: Policy.Purpose) in p.categories.contains { d in c.categories.contains { Policy.covers(d, $0) } } }
        let purposes: [Policy.Purpose]
        if let declaration = evaluator.config?.declaration(path: c.path, table: c.table) {
            f.subjects = declaration.subjects
            f.basis = "declared"
            purposes = declaration.purposes.compactMap(policy.purpose).filter(needs)
        } else {
            // Undeclared: the subjects its name suggests; which of the policy's purposes it serves
            // is for trawl.yaml to say (the undeclared-dataset violation asks for it).
            f.subjects = evaluator.inferSubjects(path: c.path, table: c.table)
            f.basis = f.subjects.isEmpty ? nil : "inferred"
            purposes = []
        }
        f.purposes = purposes.map(\.id)
        f.legalBases = Array(Set(purposes.map(\.basis.rawValue))).sorted()
        var rows: [String] = []
        for p in purposes {
            guard let id = p.retention ?? p.parent.flatMap({ policy.purpose($0)?.retention }), let row = policy.retentionRow(id),
                  !rows.contains(row.id) else { continue }
            rows.append(row.id)
            f.retention.append("\(row.label): \(row.active.text); then \(row.intermediate.text)")
        }
        return f
    }
}
