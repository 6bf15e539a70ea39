import Foundation
import Testing
import TrawlTestSupport

@Suite("trawl policy and policy checks in scans")
struct PolicyCLITests {
    /// A temporary folder with a students dump, a recruiters CSV holding NIRs, and optionally a
    /// trawl.yaml; the caller removes it.
    static func project(declarations: String?) throws -> URL {
        let dir = try TemporaryDirectory.make("cli")
        try """
        CREATE TABLE `apprenants` (`nom` text, `email` text, `nir` text);
        INSERT INTO `apprenants` VALUES ('Lefèvre','thomas.lefevre@orange.fr','195117511408727'),('Benali','ines.benali@free.fr','201061320541218');

        """.write(to: dir.appendingPathComponent("plateforme.sql"), atomically: true, encoding: .utf8)
        try "nom,email,nir\nMartin,lea.martin@free.fr,298036938321409\nDurand,hugo.durand@orange.fr,195117511408727\n"
            .write(to: dir.appendingPathComponent("recruteurs.csv"), atomically: true, encoding: .utf8)
        if let declarations {
            try declarations.write(to: dir.appendingPathComponent("trawl.yaml"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func violations(_ stdout: String) throws -> [[String: Any]] {
        try CLI.json(stdout)["violations"] as? [[String: Any]] ?? []
    }

    @Test func declaredDatasetsAreCheckedAndTheConfigIsFoundBesideTheData() throws {
        let dir = try Self.project(declarations: """
        schema: trawl.config/v1
        datasets:
          - match: "plateforme.sql#apprenants"
            subjects: [students]
            purposes: []
          - match: recruteurs.csv
            subjects: [recruiters]
            purposes: []

        """)
        defer { TemporaryDirectory.remove(dir) }
        let result = try CLI.run(["scan", dir.path, "--format", "json"])
        let violations = try Self.violations(result.stdout)
        // NIRs belong to students and tutors: fine in apprenants, a violation among recruiters.
        let mismatches = violations.filter { $0["kind"] as? String == "subject-mismatch" }
        #expect(!mismatches.isEmpty)
        #expect(mismatches.allSatisfy { ($0["path"] as? String)?.hasSuffix("recruteurs.csv") == true })
        #expect(mismatches.allSatisfy { $0["field"] as? String == "nir" && $0["inferred"] as? Bool == false })
        #expect(!violations.contains { $0["kind"] as? String == "undeclared-dataset" })
        #expect(result.status == 1, "a high violation fails the default gate")
        #expect(try CLI.run(["scan", dir.path, "--fail-on", "critical"]).status == 0)
        // The config is not scanned itself.
        #expect(!result.stdout.contains("\"path\":\"\(dir.path)/trawl.yaml\",\"line\""))
    }

    @Test func withoutDeclarationsSubjectsAreInferredAndDatasetsReportedUndeclared() throws {
        let dir = try Self.project(declarations: nil)
        defer { TemporaryDirectory.remove(dir) }
        let violations = try Self.violations(try CLI.run(["scan", dir.path, "--format", "json"]).stdout)
        let undeclared = violations.filter { $0["kind"] as? String == "undeclared-dataset" }
        #expect(undeclared.count == 2)
        #expect(undeclared.allSatisfy { $0["inferred"] as? Bool == true && $0["severity"] as? String == "high" })
        let subjects = Set(undeclared.compactMap { ($0["subjects"] as? [String])?.first })
        #expect(subjects == ["students", "recruiters"])
    }

    @Test func noPolicyMeansNoViolationsAndTheFindingsGate() throws {
        let dir = try Self.project(declarations: nil)
        defer { TemporaryDirectory.remove(dir) }
        let result = try CLI.run(["scan", dir.path, "--format", "json", "--no-policy"])
        #expect(try CLI.json(result.stdout)["violations"] == nil)
        #expect(result.status == 1)
    }

    @Test func aBrokenPolicyOrConfigIsAUsageErrorWithItsPosition() throws {
        let dir = try Self.project(declarations: "schema: trawl.config/v1\ndatasets: 3\n")
        defer { TemporaryDirectory.remove(dir) }
        let config = try CLI.run(["scan", dir.path])
        #expect(config.status == 64)
        #expect(config.stderr.contains("trawl.yaml"))
        let policy = dir.appendingPathComponent("policy.yaml")
        try "schema: trawl.policy/v1\nname: x\nage_floors: []\ncategories:\n  - { id: a, label: A, tier: secret }\n".write(to: policy, atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", dir.path, "--policy", policy.path, "--config", "/dev/null"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("policy.yaml:5:"))
    }

    @Test func theSamplesShowEveryViolationKindNextToCompliantTables() throws {
        let result = try CLI.run(["scan", "Samples", "--format", "json", "--as-of", "2026-11-27"])
        #expect(result.status == 1)
        let violations = try Self.violations(result.stdout).filter { ($0["path"] as? String) == "Samples/dumps/plateforme.sql" }
        var byKind: [String: Set<String>] = [:]
        for v in violations {
            byKind[v["kind"] as? String ?? "", default: []].insert((v["field"] as? String) ?? (v["table"] as? String) ?? "")
        }
        #expect(byKind == [
            "minor": ["apprenants.date_naissance"],
            "subject-mismatch": ["recruteurs.nir", "newsletter_abonnes.rqth"],
            "purpose-mismatch": ["recruteurs.nir", "newsletter_abonnes.rqth"],
            "special-category-without-consent": ["newsletter_abonnes.rqth"],
            "undocumented-category": ["paiements.carte_bancaire"],
            "retention-exceeded": ["factures.invoice_date", "connexions.logged_at"],
            "active-period-exceeded": ["enquetes_insertion.survey_received_at"],
            "undeclared-dataset": ["export_temporaire"],
        ])
        // The compliant twins stay silent: RQTH with consent, the students' other columns, sessions.
        #expect(!violations.contains { ($0["table"] as? String) == "amenagements_rqth" })
        #expect(!violations.contains { ($0["table"] as? String) == "sessions" })
        #expect(violations.filter { ($0["table"] as? String) == "apprenants" }.count == 1)
        // A day before Lucas turns 15 he is a minor; on his birthday he is not.
        let later = try Self.violations(try CLI.run(["scan", "Samples/dumps", "--config", "Samples/trawl.yaml", "--format", "json", "--as-of", "2028-04-09"]).stdout)
        #expect(!later.contains { $0["kind"] as? String == "minor" })
        let before = try Self.violations(try CLI.run(["scan", "Samples/dumps", "--config", "Samples/trawl.yaml", "--format", "json", "--as-of", "2028-04-08"]).stdout)
        #expect(before.contains { $0["kind"] as? String == "minor" })
    }

    @Test func lintTheShippedPolicyAndABrokenOne() throws {
        let shipped = try CLI.run(["policy", "lint"])
        #expect(shipped.status == 0)
        #expect(shipped.stdout.contains("31 purposes (35 with sub-purposes), 29 retention rows"))
        #expect(shipped.stdout.contains("conflicting-age-floors"))
        #expect(try CLI.run(["policy", "lint", "--strict"]).status == 1)
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let broken = dir.appendingPathComponent("p.yaml")
        try PolicyCLITests.brokenPolicy.write(to: broken, atomically: true, encoding: .utf8)
        let lint = try CLI.run(["policy", "lint", broken.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("p.yaml:10:") && lint.stdout.contains("dangling-reference"))
    }

    static let brokenPolicy = """
    schema: trawl.policy/v1
    name: Broken
    age_floors: []
    categories:
      - { id: user.name, label: Name, tier: standard }
    subjects:
      - id: students
        label: Students
        aliases: [students]
        categories: [{ category: user.nmae, documented: main }]
    purposes: []
    retention: []
    rules: []

    """

    @Test func showAnswersForASubjectAPurposeAndACategory() throws {
        let subject = try CLI.run(["policy", "show", "--subject", "etudiants"])
        #expect(subject.status == 0)
        #expect(subject.stdout.contains("user.government_id.national_identification_number.fr_nir"))
        let category = try CLI.run(["policy", "show", "--category", "user.financial.credit_card"])
        #expect(category.stdout.contains("Documented for no subject"))
        let nir = try CLI.run(["policy", "show", "--category", "user.government_id.national_identification_number.fr_nir"])
        #expect(nir.stdout.contains("students") && nir.stdout.contains("tutors"))
        #expect(try CLI.run(["policy", "show", "--subject", "nobody"]).status == 64)
    }
}
