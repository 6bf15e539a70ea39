import Foundation
import Testing

/// The shared corpus of real public sample databases (`../shared/corpus`, with counted ground
/// truth in `groundtruth.json`): Trawl must find the e-mail, phone, address, name and birth-date
/// columns in every dialect, with the counts the ground truth gives and the same counts across
/// dialects of the same database. Skipped, with a message, where the folder is absent.
enum Corpus {
    static let root = CLI.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("groundtruth.json").path) }

    struct Column: Decodable {
        var table: String
        var column: String
        var category: String
        var rows: Int
        var non_empty: Int
    }

    struct File: Decodable {
        var findings: [Column]
    }

    static func groundTruth() throws -> [String: File] {
        try JSONDecoder().decode([String: File].self, from: Data(contentsOf: root.appendingPathComponent("groundtruth.json")))
    }

    /// Ground-truth categories the issue requires, and the Trawl category each must map to.
    static let required: [String: String] = [
        "email": "user.contact.email",
        "phone": "user.contact.phone_number",
        "street_address": "user.contact.address",
        "city": "user.contact.address",
        "postal_code": "user.contact.address",
        "first_name": "user.name",
        "last_name": "user.name",
        "middle_name": "user.name",
        "person_name": "user.name",
        "birth_date": "user.demographic.date_of_birth",
    ]

    /// Columns left out on purpose, with the reason.
    static let excluded: [String: String] = [
        // pubs' middle initial: one letter ("M") is not a name on its own.
        "employee.minit": "middle initial",
    ]

    /// Data-only dumps name their columns through the schema file shipped beside them.
    static func arguments(for file: String) -> [String] {
        var args = ["scan", root.appendingPathComponent(file).path, "--format", "json"]
        if file == "sakila-percona/sakila-data.sql" {
            args += ["--sql-schema", root.appendingPathComponent("sakila-percona/sakila-schema.sql").path]
        }
        if file.hasPrefix("employees-bytebase/"), file.hasSuffix("load_employee.sql") {
            let dialect = file.split(separator: "/")[1]
            args += ["--sql-schema", root.appendingPathComponent("employees-bytebase/\(dialect)/dataset_small/employee.sql").path]
        }
        return args
    }

    struct Field {
        var field: String
        var category: String?
        var rows: Int
        var nonEmpty: Int
        var hits: [String: Int]
    }

    static func scan(_ file: String) throws -> (fields: [Field], errors: [Any]) {
        let result = try CLI.run(arguments(for: file))
        let report = try CLI.json(result.stdout)
        let fields = (report["fields"] as? [[String: Any]] ?? []).map { f in
            Field(field: f["field"] as? String ?? "", category: f["category"] as? String, rows: f["rows"] as? Int ?? -1,
                  nonEmpty: f["non_empty"] as? Int ?? -1, hits: f["hits"] as? [String: Int] ?? [:])
        }
        return (fields, report["errors"] as? [Any] ?? [])
    }

    /// The report's column for a ground-truth table and column, whatever the dialect's spelling:
    /// `Customer.Email`, `dbo.Customer.Email`, `public.customer.email`, `$.Customer[*].Email`,
    /// or the bare header of a CSV file.
    static func find(_ column: Column, in fields: [Field], csv: Bool) -> Field? {
        let t = column.table.lowercased(), c = column.column.lowercased()
        return fields.first { f in
            let name = f.field.lowercased()
            if csv { return name == c }
            return name == "\(t).\(c)" || name.hasSuffix(".\(t).\(c)") || name == "$.\(t)[*].\(c)"
        }
    }

    /// Databases published in several dialects, and the files of each.
    static let families: [String: [String]] = [
        "chinook": ["chinook-lerocha/Chinook_MySql.sql", "chinook-lerocha/Chinook_PostgreSql.sql", "chinook-lerocha/Chinook_Sqlite.sql",
                    "chinook-lerocha/Chinook_SqlServer.sql", "chinook-lerocha/Chinook_Oracle.sql", "chinook-lerocha/Chinook_Db2.sql",
                    "chinook-lerocha/Chinook_Sqlite.sqlite", "chinook-lerocha/ChinookData.json", "chinook-neon-pgdump/chinook.sql"],
        "sakila": ["sakila-percona/sakila.sql", "sakila-percona/sakila-data.sql"],
        "employees": ["employees-bytebase/mysql/dataset_small/load_employee.sql", "employees-bytebase/postgres/dataset_small/load_employee.sql",
                      "employees-bytebase/sqlite/dataset_small/employee.db"],
        "northwind": ["northwind-pthom/northwind.sql", "northwind-pubs-microsoft/instnwnd.sql"],
    ]

    /// Spelling-free key of a column: `Customer.FirstName` and `customer.first_name` agree.
    static func key(_ column: Column) -> String {
        (column.table + "." + column.column).lowercased().replacingOccurrences(of: "_", with: "")
    }
}

@Suite("Shared corpus: real dumps in many dialects", .enabled(if: Corpus.available, "../shared/corpus is absent: corpus tests skipped"))
struct CorpusTests {
    static let files: [String] = ((try? Corpus.groundTruth()).map { Array($0.keys) } ?? []).sorted()

    @Test(arguments: files)
    func requiredColumnsAreClassifiedWithTheGroundTruthCounts(file: String) throws {
        let truth = try #require(try Corpus.groundTruth()[file])
        let (fields, errors) = try Corpus.scan(file)
        #expect(errors.isEmpty, "\(file): \(errors)")
        for column in truth.findings where column.non_empty > 0 {
            guard let want = Corpus.required[column.category] else { continue }
            let name = "\(column.table).\(column.column)"
            if Corpus.excluded[name.lowercased()] != nil { continue }
            guard let got = Corpus.find(column, in: fields, csv: file.hasSuffix(".csv")) else {
                Issue.record("\(file): no column \(name) in the report")
                continue
            }
            #expect(got.category == want, "\(file) \(name): classified \(got.category ?? "nil"), hits \(got.hits), expected \(want)")
            #expect(got.nonEmpty == column.non_empty, "\(file) \(name): \(got.nonEmpty) non-empty values, ground truth \(column.non_empty)")
            #expect(got.rows == column.rows, "\(file) \(name): \(got.rows) rows, ground truth \(column.rows)")
        }
    }

    @Test(arguments: Array(Corpus.families.keys).sorted())
    func dialectsOfOneDatabaseGiveTheSameCounts(family: String) throws {
        let truth = try Corpus.groundTruth()
        var seen: [String: (file: String, truth: Int, nonEmpty: Int, hits: Int)] = [:]
        for file in Corpus.families[family] ?? [] {
            let (fields, _) = try Corpus.scan(file)
            for column in truth[file]?.findings ?? [] where column.non_empty > 0 {
                guard let want = Corpus.required[column.category],
                      let got = Corpus.find(column, in: fields, csv: false) else { continue }
                let hits = got.hits[want] ?? 0
                let key = Corpus.key(column)
                // Compare where the data is the same (pthom's Northwind has 6 shippers, Microsoft's 3).
                if let first = seen[key], first.truth == column.non_empty {
                    #expect(first.nonEmpty == got.nonEmpty && first.hits == hits,
                            "\(key): \(first.file) has \(first.hits)/\(first.nonEmpty), \(file) has \(hits)/\(got.nonEmpty)")
                } else if seen[key] == nil {
                    seen[key] = (file, column.non_empty, got.nonEmpty, hits)
                }
            }
        }
        #expect(seen.count >= 3, "\(family): too few columns compared (\(seen.count))")
    }

    @Test func theWholeCorpusScansWithoutAnError() throws {
        let result = try CLI.run(["scan", Corpus.root.path, "--format", "json"])
        let report = try CLI.json(result.stdout)
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(result.status == 1)
        #expect((report["errors"] as? [Any])?.isEmpty == true)
        #expect(summary["complete"] as? Bool == true)
        #expect((summary["columns_classified"] as? Int ?? 0) > 300)
    }
}
