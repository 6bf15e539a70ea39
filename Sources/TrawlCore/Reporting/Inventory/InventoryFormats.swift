import Foundation
import Yams

/// `trawl inventory --format json`: the inventory document itself (sorted keys, one file people diff).
public struct InventoryJSON: InventoryRenderer {
    public init() {}

    public func render(_ inventory: Inventory) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        guard let data = try? encoder.encode(inventory) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads an inventory written by `render`.
    public static func decode(_ data: Data) throws -> Inventory {
        try JSONDecoder().decode(Inventory.self, from: data)
    }
}

/// `--format csv`: one row per field (RFC 4180), lists joined with `; `. Cells that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) get a leading `'`.
public struct InventoryCSV: InventoryRenderer {
    public init() {}

    public static let header = ["source", "table", "column", "categories", "also_found", "sensitivity", "confidence", "rows",
                                "non_empty", "hits", "example", "subjects", "basis", "purposes", "legal_bases", "retention",
                                "violations", "severity"]

    public func render(_ inventory: Inventory) -> String {
        var out = Self.header.joined(separator: ",") + "\r\n"
        for f in inventory.fields {
            let cells: [String] = [
                f.source, f.table ?? "", f.column, f.categories.joined(separator: "; "), f.alsoFound.joined(separator: "; "),
                f.sensitivity ?? "", f.confidence?.description ?? "", String(f.rows), String(f.nonEmpty), String(f.hits),
                f.example ?? "", f.subjects.joined(separator: "; "), f.basis ?? "", f.purposes.joined(separator: "; "),
                f.legalBases.joined(separator: "; "), f.retention.joined(separator: " | "), f.violations.joined(separator: "; "),
                f.severity?.rawValue ?? "",
            ]
            out += cells.map(Self.quote).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func quote(_ cell: String) -> String {
        var text = cell
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `--format fides`: fides dataset manifests (YAML), one dataset per source, one collection per
/// table (or the source itself), one field per column with its `data_categories`, so a
/// privacy-as-code pipeline can take the map over. Keys Trawl refines below fideslang's defaults
/// (`user.government_id.national_identification_number.fr_nir`) must be declared in fides as
/// custom categories, or cut at their fideslang parent.
public struct InventoryFides: InventoryRenderer {
    public init() {}

    struct Manifest: Encodable { var dataset: [Dataset] }
    struct Dataset: Encodable {
        var fides_key: String
        var name: String
        var description: String
        var collections: [Collection]
    }
    struct Collection: Encodable {
        var name: String
        var fields: [Field]
    }
    struct Field: Encodable {
        var name: String
        var description: String?
        var data_categories: [String]?
    }

    /// `Samples/dumps/plateforme.sql` -> `samples_dumps_plateforme_sql`.
    static func fidesKey(_ source: String) -> String {
        var key = ""
        for scalar in source.lowercased().unicodeScalars {
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))
            if ok { key.unicodeScalars.append(scalar) } else if !key.hasSuffix("_") { key += "_" }
        }
        key = key.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return key.isEmpty ? "dataset" : key
    }

    public func render(_ inventory: Inventory) -> String {
        var datasets: [Dataset] = []
        var used: Set<String> = []
        for source in orderedUnique(inventory.fields.map(\.source)) {
            let fields = inventory.fields.filter { $0.source == source }
            var key = Self.fidesKey(source), n = 2
            while !used.insert(key).inserted { key = Self.fidesKey(source) + "_\(n)"; n += 1 }
            let base = source.split(whereSeparator: { $0 == "/" || $0 == "!" }).last.map(String.init) ?? source
            let collections = orderedUnique(fields.map { $0.table ?? base }).map { name in
                Collection(name: name, fields: fields.filter { ($0.table ?? base) == name }.map { f in
                    Field(name: f.column,
                          description: f.isPersonal ? "\(f.hits) of \(f.nonEmpty) values match (trawl, confidence \(f.confidence?.description ?? "n/a"))" : nil,
                          data_categories: f.isPersonal ? f.categories : nil)
                })
            }
            let personal = fields.filter(\.isPersonal).count
            datasets.append(Dataset(fides_key: key, name: source,
                                    description: "\(personal) personal field(s) of \(fields.count) found by \(inventory.tool.name) \(inventory.tool.version)",
                                    collections: collections))
        }
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = false
        let yaml = (try? encoder.encode(Manifest(dataset: datasets))) ?? "dataset: []\n"
        return "# fides dataset manifests written by \(inventory.tool.name) \(inventory.tool.version) (trawl inventory --format fides)\n" + yaml
    }
}

func orderedUnique(_ items: [String]) -> [String] {
    var seen: Set<String> = []
    return items.filter { seen.insert($0).inserted }
}
