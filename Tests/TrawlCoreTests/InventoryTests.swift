import Foundation
import Testing
import Yams
@testable import TrawlCore

@Suite("Inventory: data map, formats and diff")
struct InventoryTests {
    static func column(_ path: String, _ table: String?, _ field: String, categories: [String], hits: [String: Int] = [:], rows: Int = 4) -> ColumnStats {
        var c = ColumnStats(path: path, table: table, field: field)
        c.rows = rows
        c.nonEmpty = rows
        c.categories = categories
        c.category = categories.first
        c.hits = hits.isEmpty ? Dictionary(uniqueKeysWithValues: categories.map { ($0, rows) }) : hits
        return c
    }

    static func finding(_ path: String, _ field: String, _ category: String, _ masked: String, _ confidence: Confidence) -> Finding {
        Finding(path: path, line: 1, column: 1, field: field, category: category, detector: "test", confidence: confidence, masked: masked, signals: [])
    }

    /// A dump with one declared table (email, id, notes) and an undeclared CSV of students.
    static func build(renderer: InventoryRenderer? = nil, sink: TextSink? = nil) throws -> Inventory {
        let policy = try PolicyDocument.builtin().policy
        let config = ProjectConfig(datasets: [
            DatasetDeclaration(match: .init(path: "dump.sql", table: "apprenants"), subjects: ["students"],
                               purposes: ["user-accounts-management", "billing-management"]),
        ])
        let evaluator = PolicyEvaluator(policy: policy, config: config, asOf: try #require(Day(year: 2026, month: 11, day: 27)))
        let builder = InventoryBuilder(sink: sink, renderer: renderer, evaluator: evaluator)
        builder.begin(tool: ToolInfo(detectors: 3))
        builder.findings([
            finding("dump.sql", "apprenants.email", "user.contact.email", "a***@x.fr", .medium),
            finding("dump.sql", "apprenants.email", "user.contact.email", "b***@y.fr", .high),
            finding("dump.sql", "apprenants.email", "user.contact.email", "c***@z.fr", .high),
            finding("exports/etudiants.csv", "nir", "user.government_id.national_identification_number.fr_nir", "1***********27", .high),
        ])
        builder.columns([
            column("dump.sql", "apprenants", "apprenants.id", categories: []),
            column("dump.sql", "apprenants", "apprenants.email", categories: ["user.contact.email"]),
            column("dump.sql", "apprenants", "apprenants.notes", categories: [], hits: ["user.contact.email": 1]),
            column("exports/etudiants.csv", nil, "nir", categories: ["user.government_id.national_identification_number.fr_nir"]),
        ])
        builder.violations([
            Violation(kind: .purposeMismatch, severity: .medium, path: "dump.sql", table: "apprenants", field: "apprenants.email",
                      category: "user.contact.email", subjects: ["students"], inferred: false, message: "m", reference: "r"),
            Violation(kind: .undeclaredDataset, severity: .high, path: "exports/etudiants.csv", table: nil, field: nil,
                      category: nil, subjects: ["students"], inferred: true, message: "m", reference: "r"),
        ])
        builder.end(summary: ScanSummary(), errors: [], skipped: [])
        return try #require(builder.inventory)
    }

    @Test func aDeclaredFieldGetsItsPurposesLegalBasesAndRetention() throws {
        let inventory = try Self.build()
        #expect(inventory.fields.map(\.column) == ["id", "email", "notes", "nir"])
        let email = inventory.fields[1]
        #expect(email.table == "apprenants" && email.categories == ["user.contact.email"])
        #expect(email.subjects == ["students"] && email.basis == "declared")
        // billing-management does not need an email: only the account purpose is listed.
        #expect(email.purposes == ["user-accounts-management"])
        #expect(email.legalBases == ["contract"])
        #expect(email.retention.count == 1 && email.retention[0].hasPrefix("User account management"))
        #expect(email.example == "b***@y.fr" && email.confidence == .high, "the first of the most confident findings")
        #expect(email.violations == ["purpose-mismatch"] && email.severity == .medium)
        #expect(email.sensitivity == "standard" && email.hits == 4 && email.rows == 4)

        let notes = inventory.fields[2]
        #expect(!notes.isPersonal && notes.alsoFound == ["user.contact.email"] && notes.purposes.isEmpty)

        let nir = inventory.fields[3]
        #expect(nir.subjects == ["students"] && nir.basis == "inferred", "inferred from the file name")
        #expect(nir.purposes.isEmpty && nir.legalBases.isEmpty, "an undeclared dataset's purposes are for trawl.yaml to say")
        #expect(nir.sensitivity == "national_identifier")

        #expect(inventory.summary.sources == 2 && inventory.summary.fields == 4 && inventory.summary.personalFields == 2)
        #expect(inventory.summary.violationsBySeverity == ["medium": 1, "high": 1])
        #expect(inventory.categoriesBySource.map(\.source) == ["dump.sql", "exports/etudiants.csv"])
    }

    @Test func jsonRoundTrips() throws {
        let inventory = try Self.build()
        #expect(try InventoryJSON.decode(Data(InventoryJSON().render(inventory).utf8)) == inventory)
    }

    @Test func csvQuotesCellsAndDisarmsFormulas() throws {
        #expect(InventoryCSV.quote("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(InventoryCSV.quote("+33 6 12") == "'+33 6 12")
        #expect(InventoryCSV.quote("a, b") == "\"a, b\"")
        #expect(InventoryCSV.quote("plain") == "plain")
        let csv = InventoryCSV().render(try Self.build())
        let lines = csv.split(separator: "\r\n")
        #expect(lines.count == 5)
        #expect(lines[0] == Substring(InventoryCSV.header.joined(separator: ",")))
        #expect(lines[2].hasPrefix("dump.sql,apprenants,email,user.contact.email,,standard,high,4,4,4,b***@y.fr,students,declared,user-accounts-management,contract,"))
    }

    @Test func fidesManifestsHaveDatasetsCollectionsAndCategories() throws {
        let yaml = InventoryFides().render(try Self.build())
        let root = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let datasets = try #require(root["dataset"] as? [[String: Any]])
        #expect(datasets.map { $0["fides_key"] as? String } == ["dump_sql", "exports_etudiants_csv"])
        let collections = try #require(datasets[0]["collections"] as? [[String: Any]])
        #expect(collections.map { $0["name"] as? String } == ["apprenants"])
        let fields = try #require(collections[0]["fields"] as? [[String: Any]])
        #expect(fields.map { $0["name"] as? String } == ["id", "email", "notes"])
        #expect(fields[1]["data_categories"] as? [String] == ["user.contact.email"])
        #expect(fields[0]["data_categories"] == nil)
        let csvCollections = try #require(datasets[1]["collections"] as? [[String: Any]])
        #expect(csvCollections.map { $0["name"] as? String } == ["etudiants.csv"])
        #expect(InventoryFides.fidesKey("Samples/dumps/plateforme.sql") == "samples_dumps_plateforme_sql")
        #expect(InventoryFides.fidesKey("a.zip!/é/b.csv") == "a_zip_b_csv")
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        var inventory = try Self.build()
        inventory.fields[0].column = "<script>alert(1)</script>"
        let html = InventoryHTML().render(inventory)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert(1)"))
        #expect(html.contains("default-src 'none'"), "a CSP that forbids every request")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        #expect(html.components(separatedBy: "<tr data-personal=").count - 1 == inventory.fields.count)
        #expect(html.contains("<svg") && html.contains("id=\"violations-table\""))
    }

    @Test func diffReportsAppearedDisappearedAndChangedPersonalFields() throws {
        let old = try Self.build()
        var new = old
        #expect(InventoryDiff(old: old, new: new).changes.isEmpty)
        // notes becomes an email column, nir disappears, a phone column appears, id stays not personal.
        new.fields[2].categories = ["user.contact.email"]
        new.fields.remove(at: 3)
        var phone = new.fields[1]
        phone.column = "telephone"
        phone.categories = ["user.contact.phone_number"]
        new.fields.append(phone)
        var plain = new.fields[0]
        plain.column = "created_at"
        new.fields.append(plain)
        let diff = InventoryDiff(old: old, new: new)
        #expect(diff.changes.map(\.kind) == [.changed, .appeared, .disappeared])
        #expect(diff.changes[0].added == ["user.contact.email"] && diff.changes[0].column == "notes")
        #expect(diff.changes[1].column == "telephone" && diff.changes[2].column == "nir")
        #expect(diff.newPersonal == 2)
        #expect(diff.text.contains("+ dump.sql apprenants.telephone: user.contact.phone_number\n"))
        #expect(diff.text.contains("- exports/etudiants.csv nir: user.government_id.national_identification_number.fr_nir\n"))
        #expect(diff.text.hasSuffix("1 appeared, 1 disappeared, 1 changed; 2 bring new personal data\n"))
        // Going back, only the NIR column brings new personal data (notes and telephone lose theirs).
        let back = InventoryDiff(old: new, new: old)
        #expect(back.newPersonal == 1 && back.changes.filter { !$0.added.isEmpty }.map(\.column) == ["nir"])
    }
}
