/// `trawl diff OLD NEW`: personal fields that appeared, disappeared or changed classification
/// between two inventories. Fields are matched by source, table and column; a field that is not
/// personal data on either side is not a change.
public struct InventoryDiff: Sendable, Codable, Equatable {
    public struct Change: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable { case appeared, disappeared, changed }
        public var kind: Kind
        public var source: String
        public var table: String?
        public var column: String
        public var before: [String]
        public var after: [String]
        /// Categories the field gained (personal data that is new) and lost.
        public var added: [String]
        public var removed: [String]
    }

    public var changes: [Change] = []
    /// Changes that bring new personal data: a personal field that appeared, or a category a field gained.
    public var newPersonal: Int { changes.filter { !$0.added.isEmpty }.count }

    enum CodingKeys: String, CodingKey { case changes, newPersonal = "new_personal" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(changes, forKey: .changes)
        try c.encode(newPersonal, forKey: .newPersonal)
    }

    public init(from decoder: Decoder) throws {
        changes = try decoder.container(keyedBy: CodingKeys.self).decode([Change].self, forKey: .changes)
    }

    public init(old: Inventory, new: Inventory) {
        let before = Dictionary(old.fields.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.fields.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        func change(_ kind: Change.Kind, _ f: Inventory.Field, _ b: [String], _ a: [String]) -> Change {
            Change(kind: kind, source: f.source, table: f.table, column: f.column, before: b, after: a,
                   added: a.filter { !b.contains($0) }, removed: b.filter { !a.contains($0) })
        }
        for f in new.fields {
            if let was = before[f.key] {
                if Set(was.categories) != Set(f.categories) { changes.append(change(.changed, f, was.categories, f.categories)) }
            } else if f.isPersonal {
                changes.append(change(.appeared, f, [], f.categories))
            }
        }
        for f in old.fields where after[f.key] == nil && f.isPersonal {
            changes.append(change(.disappeared, f, f.categories, []))
        }
    }

    /// One line per change: `+` appeared, `-` disappeared, `~` changed; then a count.
    public var text: String {
        var out = ""
        for c in changes {
            let name = "\(c.source) \(c.table.map { "\($0)." } ?? "")\(c.column)"
            switch c.kind {
            case .appeared: out += "+ \(name): \(c.after.joined(separator: ", "))\n"
            case .disappeared: out += "- \(name): \(c.before.joined(separator: ", "))\n"
            case .changed:
                let parts = c.added.map { "+\($0)" } + c.removed.map { "-\($0)" }
                out += "~ \(name): \(parts.joined(separator: " "))\n"
            }
        }
        let counts = [Change.Kind.appeared, .disappeared, .changed].map { k in "\(changes.filter { $0.kind == k }.count) \(k.rawValue)" }
        out += changes.isEmpty ? "no change in personal fields\n" : "\(counts.joined(separator: ", ")); \(newPersonal) bring new personal data\n"
        return out
    }
}
