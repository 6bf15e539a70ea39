/// What Trawl learned about one column (a SQL or SQLite `table.column`, a CSV or XLSX header, an
/// XML element path, a JSON key path) of one input: how many values it holds, how many of them
/// each category matched, and the category the column is classified into.
public struct ColumnStats: Sendable, Codable, Hashable {
    /// The input (archive members as `a.zip!/b.csv`).
    public var path: String
    /// Table, sheet or nil when the format has none.
    public var table: String?
    /// The field name findings carry.
    public var field: String
    /// Cells seen, empty and NULL ones included.
    public var rows = 0
    /// Cells holding something other than blanks or NULL.
    public var nonEmpty = 0
    /// Per category: cells with at least one reported finding of it.
    public var hits: [String: Int] = [:]
    /// Per detector: findings reported.
    public var detectors: [String: Int] = [:]
    /// Categories whose detectors name this column as a hint (`email`, `nom`, `date_naissance`).
    public var nameHints: [String] = []
    /// The column's category, when its values (or its name and values together) say so.
    public var category: String?
    /// Every category that passes the rule, most hits first (a free-text or status column can
    /// hold several); `category` is the first.
    public var categories: [String] = []
    /// `hits[category] / nonEmpty` (for the most frequent category when none classifies it).
    public var ratio: Double = 0
    /// The pseudo-column of an input without fields (text, logs): `hits` counts findings, and
    /// every category found classifies it.
    public var freeText = false

    /// The column's dates by day, when it is tracked (`DateTracking`); not in reports.
    public var dates: DateHistogram?
    /// Yes and no values of a declared consent column; not in reports.
    public var consent: ConsentCount?

    /// The field name of the free-text pseudo-column.
    public static let freeTextField = "(text)"

    public init(path: String, table: String?, field: String) {
        self.path = path
        self.table = table
        self.field = field
    }

    enum CodingKeys: String, CodingKey {
        case path, table, field, rows
        case nonEmpty = "non_empty"
        case hits, detectors
        case nameHints = "name_hints"
        case category, categories, ratio
        case freeText = "free_text"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        table = try c.decodeIfPresent(String.self, forKey: .table)
        field = try c.decode(String.self, forKey: .field)
        rows = try c.decode(Int.self, forKey: .rows)
        nonEmpty = try c.decode(Int.self, forKey: .nonEmpty)
        hits = try c.decode([String: Int].self, forKey: .hits)
        detectors = try c.decode([String: Int].self, forKey: .detectors)
        nameHints = try c.decodeIfPresent([String].self, forKey: .nameHints) ?? []
        category = try c.decodeIfPresent(String.self, forKey: .category)
        categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
        ratio = try c.decodeIfPresent(Double.self, forKey: .ratio) ?? 0
        freeText = try c.decodeIfPresent(Bool.self, forKey: .freeText) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(table, forKey: .table)
        try c.encode(field, forKey: .field)
        try c.encode(rows, forKey: .rows)
        try c.encode(nonEmpty, forKey: .nonEmpty)
        try c.encode(hits, forKey: .hits)
        try c.encode(detectors, forKey: .detectors)
        try c.encode(nameHints, forKey: .nameHints)
        try c.encode(category, forKey: .category)
        try c.encode(categories, forKey: .categories)
        try c.encode((ratio * 1000).rounded() / 1000, forKey: .ratio)
        if freeText { try c.encode(true, forKey: .freeText) }
    }
}

/// When a column is classified (`--column-threshold`).
public struct ColumnRules: Sendable {
    /// A column whose values match one category at least this often is classified into it.
    public var threshold: Double
    /// A column whose name is a hint for a category needs only this share of agreeing values
    /// (name-only detectors such as `nom` or `date_naissance` fire only on agreeing values).
    public var hintedThreshold: Double

    public init(threshold: Double = 0.5, hintedThreshold: Double = 0.2) {
        self.threshold = threshold
        self.hintedThreshold = hintedThreshold
    }

    /// Ranks the categories by hits and keeps those that classify the column: a share of the
    /// non-empty values of at least `threshold`, or `hintedThreshold` when the name hints it.
    public func classify(_ stats: inout ColumnStats) {
        let ranked = stats.hits.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        if stats.freeText {
            stats.categories = ranked.map(\.key)
            stats.category = stats.categories.first
            stats.ratio = 0
            return
        }
        guard stats.nonEmpty > 0, let best = ranked.first else {
            stats.category = nil
            stats.categories = []
            stats.ratio = 0
            return
        }
        stats.categories = ranked.filter { hit in
            let share = Double(hit.value) / Double(stats.nonEmpty)
            return share >= (stats.nameHints.contains(hit.key) ? hintedThreshold : threshold)
        }.map(\.key)
        stats.category = stats.categories.first
        let shown = stats.category.flatMap { stats.hits[$0] } ?? best.value
        stats.ratio = min(1, Double(shown) / Double(stats.nonEmpty))
    }
}

/// Column statistics of one input, filled batch by batch by a detection worker.
public struct ColumnTally: Sendable {
    public let path: String
    /// Columns whose dates are kept.
    public let dateTracking: DateTracking?
    public internal(set) var columns: [ColumnStats] = []
    private var index: [TextBatch.FieldKey: Int] = [:]
    /// Columns beyond this many (JSON with generated keys) are not tracked.
    public static let maxColumns = 10_000
    public private(set) var dropped = 0
    /// Categories already counted for the cell the last batch ended in (its next piece may follow).
    var openCell: [String] = []

    public init(path: String, dateTracking: DateTracking? = nil) {
        self.path = path
        self.dateTracking = dateTracking
    }

    mutating func slot(table: String?, field: String, hints: () -> [String]) -> Int? {
        let key = TextBatch.FieldKey(table: table, name: field)
        if let i = index[key] { return i }
        guard columns.count < Self.maxColumns else { dropped += 1; return nil }
        var stats = ColumnStats(path: path, table: table, field: field)
        stats.nameHints = hints()
        if let dateTracking, dateTracking.tracks(field: field, hints: stats.nameHints) { stats.dates = DateHistogram() }
        if let dateTracking, dateTracking.tracksConsent(field: field) { stats.consent = ConsentCount() }
        columns.append(stats)
        index[key] = columns.count - 1
        return columns.count - 1
    }

    /// The columns with their classification, in order of first appearance.
    public func classified(_ rules: ColumnRules) -> [ColumnStats] {
        columns.map { stats in
            var s = stats
            rules.classify(&s)
            return s
        }
    }
}
