import Foundation
import Testing
import TrawlTestSupport

/// `trawl inventory`, `trawl diff` and inventories from `trawl merge`, end to end.
@Suite("Inventories", .serialized)
struct InventoryCLITests {
    static let asOf = ["--as-of", "2026-11-27"]

    static func inventory(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["inventory", "--format", "json"] + arguments + asOf)
        #expect(result.status == 0, "\(result.stderr)")
        return try CLI.json(result.stdout)
    }

    static func fields(_ inventory: [String: Any]) -> [[String: Any]] { inventory["fields"] as? [[String: Any]] ?? [] }

    @Test func theSamplesMapHasDeclaredAndInferredFieldsAndNoRawValue() throws {
        let inventory = try Self.inventory(["Samples"])
        let fields = Self.fields(inventory)
        let nir = try #require(fields.first { $0["table"] as? String == "apprenants" && $0["column"] as? String == "nir" })
        #expect(nir["source"] as? String == "Samples/dumps/plateforme.sql")
        #expect(nir["categories"] as? [String] == ["user.government_id.national_identification_number.fr_nir"])
        #expect(nir["subjects"] as? [String] == ["students"] && nir["basis"] as? String == "declared")
        #expect((nir["purposes"] as? [String])?.isEmpty == false && (nir["legal_bases"] as? [String])?.isEmpty == false)
        #expect((nir["retention"] as? [String])?.isEmpty == false)
        #expect(nir["sensitivity"] as? String == "national_identifier")
        let csvField = try #require(fields.first { $0["source"] as? String == "Samples/exports/etudiants.csv" && ($0["categories"] as? [String])?.isEmpty == false })
        #expect(csvField["basis"] as? String == "inferred" && csvField["subjects"] as? [String] == ["students"])
        // The same violations as the scan.
        let scan = try CLI.json(try CLI.run(["scan", "Samples", "--format", "json"] + Self.asOf).stdout)
        #expect((inventory["violations"] as? [Any])?.count == (scan["violations"] as? [Any])?.count)
        let summary = try #require(inventory["summary"] as? [String: Any])
        #expect(summary["personal_fields"] as? Int == (scan["summary"] as? [String: Any])?["columns_classified"] as? Int)

        let manifest = try Manifest.load()
        for format in ["csv", "json", "html", "fides"] {
            let out = try CLI.run(["inventory", "Samples", "--format", format] + Self.asOf)
            #expect(out.status == 0)
            let leaked = manifest.planted.filter { p in p.value.count >= 8 && !p.category.contains(p.value) && out.stdout.contains(p.value) }.map(\.value)
            #expect(leaked.isEmpty, "\(format) leaks \(leaked)")
        }
    }

    /// Finds Debian's chromium (installed by `make deps`).
    static func chromium() -> String? {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// Runs headless chromium on a page; returns its stdout (the DOM after the scripts ran, with --dump-dom).
    /// Stdout goes to a file, not a pipe (chromium's crash handlers inherit it and outlive it), and
    /// chromium is killed after `timeout` seconds: a headless screenshot has been seen to hang on a
    /// loaded machine, and a hang must fail this test, not stall the whole suite.
    static func browse(_ chromium: String, _ arguments: [String], profile: URL, timeout: Double = 120) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)"] + arguments
        let output = profile.deletingLastPathComponent().appendingPathComponent("chromium-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw BrowserTimeout(arguments: arguments, seconds: timeout)
        }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }

    struct BrowserTimeout: Error, CustomStringConvertible {
        let arguments: [String]
        let seconds: Double
        var description: String { "headless chromium did not finish in \(Int(seconds)) s: \(arguments.joined(separator: " "))" }
    }

    /// The body rows of a table in a DOM dump, and which of them are shown.
    static func rows(_ dom: String, table id: String) -> (all: [String], shown: [String]) {
        guard let start = dom.range(of: "id=\"\(id)\""), let end = dom.range(of: "</table>", range: start.upperBound..<dom.endIndex),
              let body = dom.range(of: "<tbody>", range: start.upperBound..<end.lowerBound) else { return ([], []) }
        let rows = dom[body.upperBound..<end.lowerBound].components(separatedBy: "<tr").dropFirst().map { "<tr" + $0 }
        return (rows, rows.filter { row in !(row.prefix(while: { $0 != ">" }).contains("hidden")) })
    }

    static func text(_ dom: String, id: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let rest = dom[start.upperBound...]
        guard let open = rest.firstIndex(of: ">"), let close = rest[open...].firstIndex(of: "<") else { return nil }
        return String(rest[rest.index(after: open)..<close])
    }

    @Test func theHTMLPageRendersAndFiltersInHeadlessChromium() throws {
        let chromium = try #require(Self.chromium(), "chromium is not installed: run `make deps` (it installs Debian's chromium)")
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let page = dir.appendingPathComponent("inventory.html")
        let result = try CLI.run(["inventory", "Samples", "--format", "html", "-o", page.path] + Self.asOf)
        #expect(result.status == 0, "\(result.stderr)")
        let inventory = try Self.inventory(["Samples"])
        let fields = Self.fields(inventory)
        let personal = fields.filter { ($0["categories"] as? [String])?.isEmpty == false }
        let profile = dir.appendingPathComponent("profile")

        // As opened: every field rendered, the personal ones shown, every violation shown.
        let dom = try Self.browse(chromium, ["--dump-dom", page.absoluteString], profile: profile)
        let shown = Self.rows(dom, table: "fields-table")
        #expect(shown.all.count == fields.count)
        #expect(shown.shown.count == personal.count && !personal.isEmpty)
        #expect(Self.text(dom, id: "field-count") == "\(personal.count) of \(fields.count) fields", "the script ran")
        let violations = (inventory["violations"] as? [[String: Any]]) ?? []
        #expect(Self.rows(dom, table: "violations-table").shown.count == violations.count)
        #expect(dom.contains("Violations by severity") && dom.contains("<svg"))

        // Filtered: only the NIR fields, in both tables; then every field, personal or not.
        let filtered = try Self.browse(chromium, ["--dump-dom", page.absoluteString + "#q=fr_nir"], profile: profile)
        let nirFields = personal.filter { ($0["categories"] as? [String] ?? []).contains { $0.hasSuffix("fr_nir") } }
        let nirRows = Self.rows(filtered, table: "fields-table").shown
        #expect(nirRows.count == nirFields.count && !nirFields.isEmpty)
        #expect(nirRows.allSatisfy { $0.contains("fr_nir") })
        let critical = try Self.browse(chromium, ["--dump-dom", page.absoluteString + "#q=critical%20minor"], profile: profile)
        let minors = violations.filter { $0["kind"] as? String == "minor" }
        #expect(Self.rows(critical, table: "violations-table").shown.count == minors.count && !minors.isEmpty)
        let all = try Self.browse(chromium, ["--dump-dom", page.absoluteString + "#all=1"], profile: profile)
        #expect(Self.rows(all, table: "fields-table").shown.count == fields.count)

        // A screenshot for people to look at (the summary and the top of the table).
        let screenshot = CLI.repoRoot.appendingPathComponent(".build/inventory-samples.png")
        try? FileManager.default.removeItem(at: screenshot)
        _ = try Self.browse(chromium, ["--screenshot=\(screenshot.path)", "--window-size=1400,1800", "--timeout=15000", page.absoluteString], profile: profile)
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
    }

    @Test func diffExitsOneWhenANewPersonalFieldAppears() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("data/inscrits.csv")
        let rows = ["Dupont,2024-01-10,jean.dupont@example.fr", "Martin,2024-02-11,claire.martin@example.org",
                    "Bernard,2024-03-12,paul.bernard@example.net", "Petit,2024-04-13,lea.petit@example.com"]
        try ("nom,inscrit_le,ref\n" + rows.map { $0.split(separator: ",").prefix(2).joined(separator: ",") + ",X\($0.count)" }.joined(separator: "\n") + "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        let before = try CLI.run(["inventory", "data", "--format", "json", "-o", "old.json"] + Self.asOf, cwd: dir)
        #expect(before.status == 0, "\(before.stderr)")
        try ("nom,inscrit_le,ref,courriel\n" + rows.map { r in
            let p = r.split(separator: ","); return "\(p[0]),\(p[1]),X\(r.count),\(p[2])"
        }.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["inventory", "data", "--format", "json", "-o", "new.json"] + Self.asOf, cwd: dir).status == 0)

        let drift = try CLI.run(["diff", "old.json", "new.json"], cwd: dir)
        #expect(drift.status == 1, "\(drift.stdout)\(drift.stderr)")
        #expect(drift.stdout.contains("+ data/inscrits.csv courriel: user.contact.email\n"))
        #expect(!drift.stdout.contains("jean.dupont"))
        let json = try CLI.json(try CLI.run(["diff", "old.json", "new.json", "--format", "json"], cwd: dir).stdout)
        #expect(json["new_personal"] as? Int == 1)
        let same = try CLI.run(["diff", "new.json", "new.json"], cwd: dir)
        #expect(same.status == 0 && same.stdout == "no change in personal fields\n")
        let back = try CLI.run(["diff", "new.json", "old.json"], cwd: dir)
        #expect(back.status == 0 && back.stdout.hasPrefix("- data/inscrits.csv courriel: user.contact.email\n"))
        // Scan reports are read too; anything else is a usage error.
        #expect(try CLI.run(["scan", "data", "--format", "json", "-o", "scan.json"] + Self.asOf, cwd: dir).status != 64)
        #expect(try CLI.run(["diff", "old.json", "scan.json"], cwd: dir).status == 1)
        let bad = try CLI.run(["diff", "old.json", "data/inscrits.csv"], cwd: dir)
        #expect(bad.status == 64 && bad.stderr.contains("neither a trawl inventory"))
    }

    @Test func mergedShardsGiveTheSameInventoryAsOneScan() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        var parts: [String] = []
        for k in 1...4 {
            let file = dir.appendingPathComponent("shard\(k).json").path
            _ = try CLI.run(["scan", "Samples", "--format", "json", "--shard", "\(k)/4", "-o", file] + Self.asOf)
            parts.append(file)
        }
        for format in ["csv", "html", "fides"] {
            let single = try CLI.run(["inventory", "Samples", "--format", format] + Self.asOf)
            let merged = try CLI.run(["merge"] + parts + ["--format", format, "--config", "Samples/trawl.yaml"] + Self.asOf)
            #expect(merged.status == 0, "\(merged.stderr)")
            #expect(merged.stdout == single.stdout, "\(format)")
        }
    }
}
