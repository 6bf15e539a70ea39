import Foundation
import Testing
import TrawlTestSupport

/// Every SARIF document the suite produces is validated against the official SARIF 2.1.0 schema
/// (`../shared/schemas/sarif-2.1.0.json`) with Python's jsonschema (Debian's python3-jsonschema,
/// installed by `make test`'s dependency step), format checks included.
enum SARIF {
    static let schema = CLI.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/sarif-2.1.0.json")
    static var available: Bool { FileManager.default.fileExists(atPath: schema.path) }

    /// Schema errors of a SARIF document (empty when it validates).
    static func validate(_ sarif: String) throws -> [String] {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let file = dir.appendingPathComponent("report.sarif")
        try sarif.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        doc = json.load(open(sys.argv[2]))
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        for e in validator.iter_errors(doc):
            print("/".join(str(p) for p in e.path) + ": " + e.message[:300])
        """, schema.path, file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus != 0 { return ["validator failed: \(text)"] }
        return text.split(separator: "\n").map(String.init)
    }

    static func results(_ sarif: String) throws -> (rules: [[String: Any]], results: [[String: Any]], invocation: [String: Any]) {
        let doc = try CLI.json(sarif)
        let run = try #require((doc["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        return (driver["rules"] as? [[String: Any]] ?? [], run["results"] as? [[String: Any]] ?? [],
                (run["invocations"] as? [[String: Any]])?.first ?? [:])
    }
}

@Suite("SARIF output", .enabled(if: SARIF.available, "../shared/schemas is absent: SARIF schema tests skipped"))
struct SARIFTests {
    @Test func theSamplesScanValidatesWithRulesLevelsAndLocations() throws {
        let keyDir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(keyDir) }
        let key = keyDir.appendingPathComponent("k").path
        try String(repeating: "ab", count: 32).write(toFile: key, atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", "Samples", "--format", "sarif", "--as-of", "2026-11-27", "--fingerprint-key-file", key])
        #expect(result.status == 1)
        #expect(try SARIF.validate(result.stdout) == [])
        let (rules, results, invocation) = try SARIF.results(result.stdout)
        let ruleIDs = rules.compactMap { $0["id"] as? String }
        #expect(ruleIDs.contains("fr-nir") && ruleIDs.contains("policy/minor") && ruleIDs.contains("policy/retention-exceeded"))
        #expect(Set(ruleIDs).count == ruleIDs.count)
        // Every result points at its rule, by id and index.
        for r in results {
            let id = try #require(r["ruleId"] as? String)
            #expect(ruleIDs.firstIndex(of: id) == r["ruleIndex"] as? Int)
        }
        // A NIR in the dump: physical and logical location, masked snippet, level error.
        let nir = try #require(results.first { $0["ruleId"] as? String == "fr-nir" && ($0["message"] as? [String: Any])?["text"].map { "\($0)".contains("recruteurs.nir") } == true })
        #expect(nir["level"] as? String == "error")
        #expect(((nir["partialFingerprints"] as? [String: Any])?["trawl/v1"] as? String)?.count == 32)
        let location = try #require((nir["locations"] as? [[String: Any]])?.first)
        let physical = try #require(location["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "Samples/dumps/plateforme.sql")
        let region = try #require(physical["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 68)
        #expect(region["startColumn"] as? Int == 97)
        #expect((region["snippet"] as? [String: Any])?["text"] as? String == "29803********09")
        #expect((location["logicalLocations"] as? [[String: Any]])?.first?["fullyQualifiedName"] as? String == "recruteurs.nir")
        // Violations are results too, with the severity mapped to a level.
        let minor = try #require(results.first { $0["ruleId"] as? String == "policy/minor" })
        #expect(minor["level"] as? String == "error")
        #expect(invocation["executionSuccessful"] as? Bool == true)
        // No raw value in any result or notification (rule help texts quote detector documentation).
        #expect(!result.stdout.contains("298036938321409"))
        let resultsText = try #require(result.stdout.components(separatedBy: "\"results\":[").last)
        let manifest = try Manifest.load()
        let leaked = manifest.planted.filter { p in p.value.count >= 6 && !p.category.contains(p.value) && resultsText.contains(p.value) }.map(\.value)
        #expect(leaked.isEmpty, "\(leaked)")
    }

    @Test func inputErrorsAreToolExecutionNotificationsAndSQLiteCellsHaveNoRegion() throws {
        let hostile = CLI.repoRoot.appendingPathComponent("Tests/TrawlCLITests/Fixtures/hostile").path
        let result = try CLI.run(["scan", hostile, "--format", "sarif", "--no-policy"])
        #expect(result.status == 2)
        #expect(try SARIF.validate(result.stdout) == [])
        let (_, _, invocation) = try SARIF.results(result.stdout)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        #expect((invocation["toolExecutionNotifications"] as? [Any])?.count == 6)
        let corpus = CLI.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/chinook-lerocha/Chinook_Sqlite.sqlite").path
        if FileManager.default.fileExists(atPath: corpus) {
            let sqlite = try CLI.run(["scan", corpus, "--format", "sarif", "--no-policy"])
            #expect(try SARIF.validate(sqlite.stdout) == [])
            let (_, results, _) = try SARIF.results(sqlite.stdout)
            let first = try #require(results.first)
            let physical = try #require(((first["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
            #expect(physical["region"] == nil)
        }
    }

    @Test func archiveMembersAreNestedArtifacts() throws {
        let zip = CLI.repoRoot.appendingPathComponent("Tests/TrawlCLITests/Fixtures/archives")
        let result = try CLI.run(["scan", "exports.zip", "--format", "sarif", "--no-policy"], cwd: zip)
        #expect(try SARIF.validate(result.stdout) == [])
        let run = try #require((try CLI.json(result.stdout)["runs"] as? [[String: Any]])?.first)
        let artifacts = try #require(run["artifacts"] as? [[String: Any]])
        let uris = artifacts.map { ($0["location"] as? [String: Any])?["uri"] as? String ?? "" }
        let parents = artifacts.map { $0["parentIndex"] as? Int }
        let zipIndex = try #require(uris.firstIndex(of: "exports.zip"))
        #expect(parents[zipIndex] == nil)
        let gz = try #require(uris.firstIndex(of: "/2026/students.csv.gz"))
        #expect(parents[gz] == zipIndex)
        let csv = try #require(uris.firstIndex(of: "/students.csv"))
        #expect(parents[csv] == gz, "the CSV inside the gzip inside the zip: \(uris) \(parents)")
        // Results keep the whole path, so dashboards show where the member is.
        let (_, results, _) = try SARIF.results(result.stdout)
        let paths = Set(results.compactMap { r in
            (((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
        })
        #expect(paths.contains("exports.zip!/2026/students.csv.gz!/students.csv"), "\(paths)")
    }
}

@Suite("Fingerprints and baselines")
struct BaselineTests {
    @Test func baselineRoundTrip() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let csv = data.appendingPathComponent("contacts.csv")
        let key = dir.appendingPathComponent("keys/fingerprint.key").path
        let baseline = dir.appendingPathComponent("baseline.json").path
        let common = ["--no-policy", "--fingerprint-key-file", key, "--format", "json"]
        try "email,nom\nlea.martin@free.fr,Martin\nhugo.durand@orange.fr,Durand\n".write(to: csv, atomically: true, encoding: .utf8)
        let first = try CLI.run(["scan", data.path, "--write-baseline", baseline] + common)
        #expect(first.status == 1)
        // The key file is private; the baseline holds fingerprints and counts, no values.
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let written = try String(contentsOfFile: baseline, encoding: .utf8)
        #expect(written.contains("trawl.baseline/v1"))
        #expect(!written.contains("lea.martin") && !written.contains("Martin"))
        // Rows re-ordered, one new value: exactly one new finding, exit 1.
        try "email,nom\nhugo.durand@orange.fr,Durand\nnew.person@gmail.com,\nlea.martin@free.fr,Martin\n".write(to: csv, atomically: true, encoding: .utf8)
        let second = try CLI.run(["scan", data.path, "--baseline", baseline] + common)
        #expect(second.status == 1)
        let report = try CLI.json(second.stdout)
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(findings.count == 1)
        #expect(findings.first?["line"] as? Int == 3)
        let comparison = try #require(report["baseline"] as? [String: Any])
        #expect(comparison["new_findings"] as? Int == 1)
        #expect(comparison["unchanged_findings"] as? Int == 4)
        #expect((comparison["stale"] as? [String: Any])?.isEmpty == true)
        // The new value removed, and one old one too: exit 0, the gone one listed as stale.
        try "email,nom\nhugo.durand@orange.fr,Durand\n".write(to: csv, atomically: true, encoding: .utf8)
        let third = try CLI.run(["scan", data.path, "--baseline", baseline] + common)
        #expect(third.status == 0)
        let stale = try #require((try CLI.json(third.stdout)["baseline"] as? [String: Any])?["stale"] as? [String: Int])
        #expect(stale.values.reduce(0, +) == 2)
        // Same fingerprints whatever the line: a finding's identity is its detector, value and field.
        let fingerprints = { (out: String) throws -> Set<String> in
            Set((try CLI.json(out)["findings"] as? [[String: Any]] ?? []).compactMap { $0["fingerprint"] as? String })
        }
        let again = try CLI.run(["scan", data.path] + common + ["--write-baseline", dir.appendingPathComponent("b2.json").path])
        #expect(try fingerprints(again.stdout).isSubset(of: try fingerprints(first.stdout)))
        #expect(try CLI.run(["scan", data.path, "--baseline", dir.appendingPathComponent("nope.json").path] + common).status == 64)
    }
}

@Suite("Suppressions")
struct SuppressionTests {
    @Test func ignoreFileAndAllowEntriesWithExpiry() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let key = dir.appendingPathComponent("k").path
        try String(repeating: "cd", count: 32).write(toFile: key, atomically: true, encoding: .utf8)
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        try "email,telephone\nlea.martin@free.fr,06 12 47 85 39\n".write(to: data.appendingPathComponent("contacts.csv"), atomically: true, encoding: .utf8)
        try "email\ntest.user@free.fr\n".write(to: data.appendingPathComponent("fixtures/users.csv"), atomically: true, encoding: .utf8)
        let common = ["--no-policy", "--format", "json", "--fingerprint-key-file", key, "--as-of", "2026-11-27"]
        let all = try CLI.json(try CLI.run(["scan", data.path] + common).stdout)["findings"] as? [[String: Any]] ?? []
        #expect(all.count == 3)
        // .trawlignore: a whole folder, and one detector in one file.
        try "# test data\nfixtures/*\ncontacts.csv detector:fr-phone\n".write(to: data.appendingPathComponent(".trawlignore"), atomically: true, encoding: .utf8)
        let ignored = try CLI.run(["scan", data.path] + common)
        let report = try CLI.json(ignored.stdout)
        #expect((report["findings"] as? [[String: Any]])?.map { $0["detector"] as? String } == ["email"])
        #expect((report["suppressed"] as? [String: Any])?["findings"] as? Int == 2)
        #expect(try CLI.run(["scan", data.path, "--no-suppressions"] + common).stdout.contains("fr-phone"))
        // An allow entry by fingerprint, then the same entry expired.
        let email = try #require(all.first { $0["detector"] as? String == "email" && ($0["path"] as? String)?.hasSuffix("contacts.csv") == true })
        let fingerprint = try #require(email["fingerprint"] as? String)
        let config = { (expires: String) in
            "schema: trawl.config/v1\ndatasets: []\nallow:\n  - fingerprint: \"\(fingerprint)\"\n    reason: \"known test account, ticket SEC-42\"\n    expires: \(expires)\n"
        }
        try config("2027-01-31").write(to: data.appendingPathComponent("trawl.yaml"), atomically: true, encoding: .utf8)
        let allowed = try CLI.run(["scan", data.path] + common)
        #expect(allowed.status == 0)
        #expect((try CLI.json(allowed.stdout)["findings"] as? [Any])?.isEmpty == true)
        try config("2026-11-01").write(to: data.appendingPathComponent("trawl.yaml"), atomically: true, encoding: .utf8)
        let expired = try CLI.run(["scan", data.path] + common)
        #expect(expired.status == 1)
        let expiredList = (try CLI.json(expired.stdout)["suppressed"] as? [String: Any])?["expired"] as? [[String: Any]]
        #expect(expiredList?.first?["reason"] as? String == "known test account, ticket SEC-42")
        // A reason is mandatory.
        try "schema: trawl.config/v1\ndatasets: []\nallow:\n  - fingerprint: \"\(fingerprint)\"\n".write(to: data.appendingPathComponent("trawl.yaml"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["scan", data.path] + common).status == 64)
    }
}

@Suite("Markdown summary")
struct MarkdownTests {
    @Test func aJobSummaryWithViolationsFieldsAndNoRawValue() throws {
        let result = try CLI.run(["scan", "Samples", "--format", "markdown", "--as-of", "2026-11-27"])
        #expect(result.status == 1)
        let md = result.stdout
        #expect(md.hasPrefix("## Trawl scan\n"))
        #expect(md.contains("| critical | 8 |"))
        #expect(md.contains("| critical | minor | Samples/dumps/plateforme.sql `apprenants.date_naissance` |"))
        #expect(md.contains("### Top fields"))
        #expect(!md.contains("195117511408727") && !md.contains("2013-04-09"))
        let manifest = try Manifest.load()
        // Keyword categories plant words such as "homeless" that are also part of category ids.
        let leaked = manifest.planted.filter { p in p.value.count >= 8 && !p.category.contains(p.value) && md.contains(p.value) }.map(\.value)
        #expect(leaked.isEmpty, "\(leaked)")
    }
}

@Suite("Shards and merge")
struct ShardTests {
    @Test func fourShardsMergedEqualOneScan() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let common = ["scan", "Samples", "--format", "json", "--as-of", "2026-11-27"]
        var parts: [String] = []
        var perShard: [Int] = []
        for k in 1...4 {
            let file = dir.appendingPathComponent("shard\(k).json").path
            _ = try CLI.run(common + ["--shard", "\(k)/4", "-o", file])
            parts.append(file)
            perShard.append((try CLI.json(try String(contentsOfFile: file, encoding: .utf8))["findings"] as? [Any])?.count ?? -1)
        }
        #expect(perShard.filter { $0 > 0 }.count >= 2, "the inputs are spread over the shards: \(perShard)")
        let single = try CLI.run(common)
        let merged = try CLI.run(["merge"] + parts)
        #expect(merged.status == single.status)
        let a = try CLI.json(single.stdout), b = try CLI.json(merged.stdout)
        for key in ["findings", "fields", "violations", "errors", "skipped", "summary"] {
            let left = try JSONSerialization.data(withJSONObject: a[key] ?? NSNull(), options: [.sortedKeys])
            let right = try JSONSerialization.data(withJSONObject: b[key] ?? NSNull(), options: [.sortedKeys])
            #expect(left == right, "\(key) differs after merging")
        }
        if SARIF.available {
            let sarif = try CLI.run(["merge", "--format", "sarif"] + parts)
            #expect(try SARIF.validate(sarif.stdout) == [])
        }
        #expect(try CLI.run(["scan", "Samples", "--shard", "5/4"]).status == 64)
    }
}
