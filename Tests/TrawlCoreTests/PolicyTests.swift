import Foundation
import Testing
@testable import TrawlCore

enum PolicyFixture {
    /// A small valid policy; tests break it one way at a time.
    static let minimal = """
    schema: trawl.policy/v1
    name: Test policy
    age_floors:
      - { id: eu-15, years: 15, scope: all, passage: "anyone under 15 years of age" }
    categories:
      - { id: user.name, label: Name, tier: standard }
      - { id: user.contact.email, label: E-mail, tier: standard }
      - { id: user.financial.credit_card, label: Card, tier: restricted }
    subjects:
      - id: students
        label: Students
        aliases: [etudiants, students]
        categories:
          - { category: user.name, documented: main }
          - { category: user.contact.email, documented: main }
    purposes:
      - id: accounts
        label: Management of User accounts
        basis: contract
        subjects: [students]
        categories: [user.name, user.contact.email]
        retention: account-row
      - id: prospecting
        label: Commercial prospecting for professionals
        basis: legitimate-interest
        subjects: [students]
        categories: [user.contact.email]
        retention: null
    retention:
      - id: account-row
        label: User account management
        purposes: [accounts]
        active: { text: "Data is retained until the User account is deleted", until: account-deletion }
        intermediate: { text: "2 years from account inactivity", duration: P2Y, from: account-inactivity }
        date_fields: [last_login_at]
    rules:
      - { id: no-minors, kind: age-floor, floor: eu-15, passage: "anyone under 15 years of age" }

    """

    static func document(_ text: String = minimal) throws -> PolicyDocument {
        try PolicyDocument.parse(text, file: "test.yaml")
    }
}

@Suite("Policy file")
struct PolicyFileTests {
    @Test func aValidPolicyLoadsAndLintsWithOnlyTheTextsGaps() throws {
        let document = try PolicyFixture.document()
        #expect(document.policy.purposes.count == 2)
        let issues = PolicyLinter.lint(document)
        #expect(issues.map(\.code).sorted() == ["documented-for-nobody", "purpose-without-retention"])
        let gap = try #require(issues.first { $0.code == "purpose-without-retention" })
        #expect(gap.line == 23 && gap.column == 5)
        #expect(gap.severity == .warning)
        #expect(gap.description.hasPrefix("test.yaml:23:5: warning:"))
    }

    @Test func schemaErrorsGiveFileLineAndColumn() throws {
        // A wrong tier, three levels down.
        let badTier = PolicyFixture.minimal.replacingOccurrences(of: "label: Card, tier: restricted", with: "label: Card, tier: secret")
        let error = try #require(throws: PolicyLoadError.self) { try PolicyFixture.document(badTier) }
        let issue = try #require(error.issues.first)
        #expect(issue.file == "test.yaml")
        #expect(issue.line == 8)
        #expect(issue.message.contains("categories.2.tier"))
        // A missing key.
        let missing = PolicyFixture.minimal.replacingOccurrences(of: "    basis: contract\n", with: "")
        let noBasis = try #require(throws: PolicyLoadError.self) { try PolicyFixture.document(missing) }
        #expect(noBasis.issues.first?.message.contains("missing key 'basis'") == true)
        #expect(noBasis.issues.first?.line == 17)
        // Broken YAML.
        let broken = try #require(throws: PolicyLoadError.self) { try PolicyFixture.document("schema: [unclosed\nname: x\n") }
        #expect(broken.issues.first?.code == "yaml")
        #expect(broken.issues.first?.line != nil)
        // Another schema.
        let other = try #require(throws: PolicyLoadError.self) {
            try PolicyFixture.document(PolicyFixture.minimal.replacingOccurrences(of: "trawl.policy/v1", with: "trawl.policy/v9"))
        }
        #expect(other.issues.first?.message.contains("trawl.policy/v9") == true)
        #expect(other.issues.first?.line == 1)
    }

    @Test func danglingReferencesDuplicatesAndBadPeriodsAreErrors() throws {
        var text = PolicyFixture.minimal.replacingOccurrences(of: "subjects: [students]\n    categories: [user.name, user.contact.email]",
                                                              with: "subjects: [studnets]\n    categories: [user.name, user.contact.emial]")
        text = text.replacingOccurrences(of: "duration: P2Y", with: "duration: 2 years")
        text = text.replacingOccurrences(of: "id: prospecting", with: "id: accounts")
        let issues = PolicyLinter.lint(try PolicyFixture.document(text))
        let errors = issues.filter { $0.severity == .error }
        #expect(Set(errors.map(\.code)) == ["dangling-reference", "bad-duration", "duplicate-id"])
        let subject = try #require(errors.first { $0.message.contains("studnets") })
        #expect(subject.line == 20 && subject.column == 16)
        #expect(errors.contains { $0.message.contains("user.contact.emial") })
    }

    @Test func conflictingAgeFloorsAndUnlinkedRowsAreReported() throws {
        var text = PolicyFixture.minimal.replacingOccurrences(of: "age_floors:\n", with: "age_floors:\n  - { id: us-13, years: 13, scope: us, passage: \"children under 13\" }\n")
        text = text.replacingOccurrences(of: "purposes: [accounts]", with: "purposes: []")
        let codes = PolicyLinter.lint(try PolicyFixture.document(text)).map(\.code)
        #expect(codes.contains("conflicting-age-floors"))
        #expect(codes.contains("retention-without-purpose"))
        #expect(codes.contains("retention-link-mismatch"))
    }

    @Test func parentCategoriesCoverTheirChildren() throws {
        let p = try PolicyFixture.document().policy
        #expect(p.category(covering: "user.contact.email")?.label == "E-mail")
        #expect(p.category(covering: "user.name.first")?.id == "user.name")
        #expect(p.category(covering: "user.device.ip_address") == nil)
        #expect(Policy.covers("user.government_id", "user.government_id.passport_number"))
        #expect(!Policy.covers("user.government_id.passport", "user.government_id.passport_number"))
    }

    @Test func dayArithmeticAtMonthAndLeapYearEdges() throws {
        func day(_ y: Int, _ m: Int, _ d: Int) throws -> Day { try #require(Day(year: y, month: m, day: d)) }
        #expect(try day(2024, 2, 29).minus(PolicyDuration(years: 1)) == day(2023, 2, 28))
        #expect(try day(2028, 2, 29).minus(PolicyDuration(years: 4)) == day(2024, 2, 29))
        #expect(try day(2026, 3, 31).minus(PolicyDuration(months: 1)) == day(2026, 2, 28))
        #expect(try day(2024, 3, 31).minus(PolicyDuration(months: 1)) == day(2024, 2, 29))
        #expect(try day(2026, 1, 15).minus(PolicyDuration(months: 13)) == day(2024, 12, 15))
        #expect(try day(2026, 3, 1).minus(PolicyDuration(days: 1)) == day(2026, 2, 28))
        #expect(try day(2026, 11, 27).minus(PolicyDuration(years: 2, months: 6)) == day(2024, 5, 27))
        #expect(Day(year: 2025, month: 2, day: 29) == nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(try day(1970, 1, 1).number == 0)
        #expect(try day(2026, 11, 27).description == "2026-11-27")
        func parse(_ s: String) -> String? { Array(s.utf8).withUnsafeBufferPointer { Day.parse($0) }?.description }
        #expect(parse("2024-02-29 10:00:00") == "2024-02-29")
        #expect(parse("2024-02-29T10:00:00Z") == "2024-02-29")
        #expect(parse("1962/2/18") == "1962-02-18")
        #expect(parse("29/02/2024") == "2024-02-29")
        #expect(parse("05.11.2001") == "2001-11-05")
        #expect(parse("2023-02-29") == nil)
        #expect(parse("12/03") == nil)
        #expect(parse("2024-02") == nil)
        #expect(parse("2024-02/29") == nil)
        #expect(parse("hello") == nil)
    }

    @Test func periods() {
        #expect(PolicyDuration("P2Y").map { ($0.years, $0.months, $0.days) } ?? (0, 0, 0) == (2, 0, 0))
        #expect(PolicyDuration("P13M")?.months == 13)
        #expect(PolicyDuration("P1Y6M")?.description == "1 year 6 months")
        #expect(PolicyDuration("P2W")?.days == 14)
        #expect(PolicyDuration("2 years") == nil)
        #expect(PolicyDuration("P") == nil)
        #expect(PolicyDuration("P2") == nil)
    }
}

@Suite("Shipped policy: the seed, encoded")
struct ShippedPolicyTests {
    static let seedURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/seed/privacy-policy.txt")
    static var seedAvailable: Bool { FileManager.default.fileExists(atPath: seedURL.path) }

    static func seedLines() throws -> [String] {
        try String(contentsOf: seedURL, encoding: .utf8).components(separatedBy: "\n")
    }

    @Test func itLoadsAndHasNoErrors() throws {
        let document = try PolicyDocument.builtin()
        let errors = PolicyLinter.lint(document).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test(.enabled(if: seedAvailable, "../shared/seed is absent"))
    func everyPurposeBulletOfSection2IsEncodedVerbatim() throws {
        let lines = try Self.seedLines()
        let start = try #require(lines.firstIndex { $0.hasPrefix("Purposes and processing based on a pre-contractual") })
        let end = try #require(lines.firstIndex { $0.hasPrefix("3. Cookies") })
        var bullets: [(label: String, basis: Policy.LegalBasis, nested: Bool)] = []
        var basis = Policy.LegalBasis.contract
        var nested = false
        for line in lines[start..<end] {
            if line.hasPrefix("Purposes and processing based on") {
                nested = false
                if line.contains("legal obligation") { basis = .legalObligation }
                if line.contains("consent") { basis = .consent }
                if line.contains("legitimate interest") { basis = .legitimateInterest }
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("• ") else { continue }
            let label = String(trimmed.dropFirst(2))
            bullets.append((label, basis, nested))
            if label.hasSuffix("including:") { nested = true }
        }
        let policy = try PolicyDocument.builtin().policy
        #expect(bullets.filter { !$0.nested }.count == 31)
        #expect(policy.purposes.filter { $0.parent == nil }.count == 31)
        #expect(policy.purposes.count == bullets.count)
        for bullet in bullets {
            let purpose = policy.purposes.first { $0.label == bullet.label }
            #expect(purpose != nil, "not encoded: \(bullet.label)")
            #expect(purpose?.basis == bullet.basis, "\(bullet.label): basis")
            #expect((purpose?.parent != nil) == bullet.nested, "\(bullet.label): sub-purpose")
        }
    }

    @Test(.enabled(if: seedAvailable, "../shared/seed is absent"))
    func everyRetentionRowOfSection6IsEncodedInOrder() throws {
        let lines = try Self.seedLines()
        let header = try #require(lines.firstIndex { $0.hasPrefix("PurposeRetention period") })
        let end = try #require(lines.firstIndex { $0.hasPrefix("7. What happens") })
        let rows = lines[(header + 1)..<end].filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let policy = try PolicyDocument.builtin().policy
        #expect(rows.count == 29)
        #expect(policy.retention.count == 29)
        for (row, encoded) in zip(rows, policy.retention) {
            #expect(row.hasPrefix(encoded.label), "row \(encoded.id): label")
            #expect(row.contains(encoded.active.text), "row \(encoded.id): active period text")
            #expect(row.contains(encoded.intermediate.text), "row \(encoded.id): intermediate period text")
        }
    }

    @Test func theSeedsOwnGapsAreReportedNotHidden() throws {
        let issues = PolicyLinter.lint(try PolicyDocument.builtin())
        let codes = Set(issues.map(\.code))
        #expect(codes.contains("conflicting-age-floors"))
        #expect(codes.contains("purpose-without-retention"))
        #expect(issues.contains { $0.code == "documented-for-nobody" && $0.message.contains("credit_card") })
        let policy = try PolicyDocument.builtin().policy
        #expect(Set(policy.ageFloors.map(\.years)) == [13, 15, 16])
    }

    @Test func theSamplesCopyIsTheShippedPolicy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sample = try String(contentsOf: root.appendingPathComponent("Samples/policy/privacy-policy.yaml"), encoding: .utf8)
        let shipped = try String(contentsOf: root.appendingPathComponent("Sources/TrawlCore/Policies/openclassrooms.yaml"), encoding: .utf8)
        #expect(sample == shipped)
    }
}

@Suite("Policy evaluation")
struct PolicyEvaluationTests {
    static func column(_ path: String, _ table: String?, _ field: String, _ category: String, hits: Int = 10, nonEmpty: Int = 10) -> ColumnStats {
        var c = ColumnStats(path: path, table: table, field: field)
        c.rows = nonEmpty
        c.nonEmpty = nonEmpty
        c.hits = [category: hits]
        ColumnRules().classify(&c)
        return c
    }

    static func evaluator(_ datasets: [DatasetDeclaration] = []) throws -> PolicyEvaluator {
        PolicyEvaluator(policy: try PolicyDocument.builtin().policy, config: ProjectConfig(datasets: datasets), asOf: Self.asOf)
    }

    static let nir = "user.government_id.national_identification_number.fr_nir"
    static let asOf = Day(year: 2026, month: 11, day: 27)!  // safe: a valid literal date

    /// A date column holding `days` (one record each, rows 1...).
    static func dates(_ path: String, _ table: String?, _ field: String, _ days: [String], category: String? = nil) -> ColumnStats {
        var c = category.map { column(path, table, field, $0, hits: days.count, nonEmpty: days.count) } ?? ColumnStats(path: path, table: table, field: field)
        c.rows = days.count
        c.nonEmpty = days.count
        var histogram = DateHistogram()
        for (i, text) in days.enumerated() {
            if let day = Array(text.utf8).withUnsafeBufferPointer({ Day.parse($0) }) { histogram.add(day, row: i + 1, line: 0) }
        }
        c.dates = histogram
        return c
    }

    @Test func retentionExceededCountsOnlyRecordsPastActivePlusIntermediate() throws {
        // Billing: 10 years from the invoice date. On 2026-11-27 the limit is 2016-11-27.
        let e = try Self.evaluator([DatasetDeclaration(match: .init(table: "factures"), subjects: ["students"], purposes: ["billing-management"])])
        let invoices = Self.dates("d.sql", "factures", "factures.invoice_date", ["2016-11-26", "2016-11-27", "2016-11-28", "2009-03-01", "2025-01-01"])
        let v = e.evaluate([invoices]).filter { $0.kind == .retentionExceeded }
        #expect(v.count == 1)
        let message = try #require(v.first?.message)
        #expect(message.hasPrefix("2 record(s) dated before 2016-11-27"))
        #expect(message.contains("the oldest is 2009-03-01, at factures.invoice_date row 4"))
        // The compliant twin: all within ten years.
        let recent = Self.dates("d.sql", "factures", "factures.invoice_date", ["2016-11-27", "2025-01-01"])
        #expect(e.evaluate([recent]).filter { $0.kind == .retentionExceeded }.isEmpty)
        // A clock column that is itself personal data never has its dates printed.
        let personal = Self.dates("d.sql", "factures", "factures.invoice_date", ["2009-03-01"], category: "user.demographic.date_of_birth")
        let withheld = try #require(e.evaluate([personal]).first { $0.kind == .retentionExceeded })
        #expect(!withheld.message.contains("2009-03-01"))
        #expect(withheld.message.contains("date withheld"))
        // Undeclared datasets have no purposes: retention is not guessed.
        #expect(try Self.evaluator().evaluate([invoices]).filter { $0.kind == .retentionExceeded }.isEmpty)
    }

    @Test func activePeriodExceededOnlyInTheActiveDatabase() throws {
        // Employment-rate surveys: 6 months active, then 5 years in the archive.
        let declare = { (storage: DatasetDeclaration.Storage) in
            try Self.evaluator([DatasetDeclaration(match: .init(table: "enquetes"), subjects: ["students"], purposes: ["employment-rates-tracking"], storage: storage)])
        }
        let surveys = Self.dates("d.sql", "enquetes", "enquetes.survey_received_at", ["2026-05-26", "2026-05-27", "2026-11-01"])
        let active = try declare(.active).evaluate([surveys]).filter { $0.kind == .activePeriodExceeded }
        #expect(active.count == 1)
        #expect(active.first?.message.hasPrefix("1 record(s) dated before 2026-05-27") == true)
        #expect(try declare(.intermediate).evaluate([surveys]).filter { $0.kind == .activePeriodExceeded }.isEmpty)
    }

    @Test func minorsAreBirthDatesYoungerThanTheAgeFloorAtTheAsOfDay() throws {
        let e = try Self.evaluator([DatasetDeclaration(match: .init(table: "apprenants"), subjects: ["students"], purposes: [])])
        // Under 15 on 2026-11-27: born after 2011-11-27.
        let births = Self.dates("d.sql", "apprenants", "apprenants.date_naissance", ["2011-11-27", "2011-11-28", "1998-03-12"], category: "user.demographic.date_of_birth")
        let minors = e.evaluate([births]).filter { $0.kind == .minor }
        #expect(minors.count == 1)
        #expect(minors.first?.severity == .critical)
        #expect(minors.first?.message.hasPrefix("1 record(s)") == true)
        let adults = Self.dates("d.sql", "apprenants", "apprenants.date_naissance", ["2011-11-27", "1998-03-12"], category: "user.demographic.date_of_birth")
        #expect(e.evaluate([adults]).filter { $0.kind == .minor }.isEmpty)
    }

    @Test func undocumentedCategoryFiresOnCardsNotOnEmails() throws {
        let e = try Self.evaluator([DatasetDeclaration(match: .init(path: "billing.csv"), subjects: ["students"], purposes: [])])
        let v = e.evaluate([Self.column("billing.csv", nil, "card", "user.financial.credit_card"), Self.column("billing.csv", nil, "email", "user.contact.email")])
        #expect(v.map(\.kind) == [.undocumentedCategory])
        #expect(v.first?.field == "card")
        #expect(v.first?.severity == .high)
    }

    @Test func subjectMismatchFiresOnANIRAmongRecruitersNotAmongStudents() throws {
        let e = try Self.evaluator([
            DatasetDeclaration(match: .init(path: "dump.sql", table: "recruteurs"), subjects: ["recruiters"], purposes: []),
            DatasetDeclaration(match: .init(path: "dump.sql", table: "apprenants"), subjects: ["students"], purposes: []),
        ])
        let recruiters = e.evaluate([Self.column("dump.sql", "recruteurs", "recruteurs.nir", Self.nir)])
        #expect(recruiters.contains { $0.kind == .subjectMismatch })
        #expect(recruiters.allSatisfy { $0.severity >= .high })
        let students = e.evaluate([Self.column("dump.sql", "apprenants", "apprenants.nir", Self.nir)])
        #expect(!students.contains { $0.kind == .subjectMismatch })
    }

    @Test func purposeMismatchFiresOnlyWhenNoDeclaredPurposeNeedsTheCategory() throws {
        let policy = try PolicyDocument.builtin().policy
        let needsEmail = try #require(policy.purposes.first { $0.categories.contains("user.contact.email") })
        let noEmail = try #require(policy.purposes.first { q in !q.categories.contains { Policy.covers($0, "user.contact.email") } && q.subjects.contains("students") })
        let subjects = needsEmail.subjects
        let fine = try Self.evaluator([DatasetDeclaration(match: .init(path: "a.csv"), subjects: subjects, purposes: [needsEmail.id])])
        #expect(!fine.evaluate([Self.column("a.csv", nil, "email", "user.contact.email")]).contains { $0.kind == .purposeMismatch })
        let wrong = try Self.evaluator([DatasetDeclaration(match: .init(path: "a.csv"), subjects: subjects, purposes: [noEmail.id])])
        #expect(wrong.evaluate([Self.column("a.csv", nil, "email", "user.contact.email")]).contains { $0.kind == .purposeMismatch })
    }

    @Test func specialCategoryNeedsAConsentPurposeAndAConsentField() throws {
        let policy = try PolicyDocument.builtin().policy
        let consent = try #require(policy.purposes.first { $0.basis == .consent && $0.categories.contains { Policy.covers($0, "user.health_and_medical.disability_status") || Policy.covers("user.health_and_medical.disability_status", $0) } })
        let contract = try #require(policy.purposes.first { $0.basis == .contract && $0.subjects.contains("students") })
        let rqth = Self.column("d.sql", "apprenants", "apprenants.rqth", "user.health_and_medical.disability_status")
        let consentColumn = { () -> ColumnStats in
            var c = ColumnStats(path: "d.sql", table: "apprenants", field: "apprenants.consentement")
            c.rows = 10
            c.nonEmpty = 10
            return c
        }()
        let noConsentPurpose = try Self.evaluator([DatasetDeclaration(match: .init(table: "apprenants"), subjects: ["students"], purposes: [contract.id], consentField: "consentement")])
        #expect(noConsentPurpose.evaluate([rqth, consentColumn]).contains { $0.kind == .specialCategoryWithoutConsent && $0.severity == .critical })
        let noField = try Self.evaluator([DatasetDeclaration(match: .init(table: "apprenants"), subjects: ["students"], purposes: [consent.id])])
        #expect(noField.evaluate([rqth]).contains { $0.kind == .specialCategoryWithoutConsent })
        let compliant = try Self.evaluator([DatasetDeclaration(match: .init(table: "apprenants"), subjects: ["students"], purposes: [consent.id], consentField: "consentement")])
        #expect(!compliant.evaluate([rqth, consentColumn]).contains { $0.kind == .specialCategoryWithoutConsent })
        // Record by record: a consent column that says no (or is empty) somewhere.
        var refusing = consentColumn
        refusing.consent = ConsentCount()
        for value in ["1", "oui", "0", "non"] { Array(value.utf8).withUnsafeBufferPointer { refusing.consent?.add($0) } }
        refusing.rows = 5
        refusing.nonEmpty = 4
        let refused = compliant.evaluate([rqth, refusing]).filter { $0.kind == .specialCategoryWithoutConsent }
        #expect(refused.count == 1)
        #expect(refused.first?.message.contains("3 of the 5 record(s)") == true)
        #expect(compliant.dateTracking.consentNames == ["consentement"])
    }

    @Test func undeclaredDatasetsAreReportedWithInferredSubjects() throws {
        let e = try Self.evaluator()
        let v = e.evaluate([Self.column("exports/etudiants.csv", nil, "email", "user.contact.email")])
        let undeclared = try #require(v.first { $0.kind == .undeclaredDataset })
        #expect(undeclared.inferred)
        #expect(undeclared.subjects == ["students"])
        #expect(undeclared.severity == .low)
        let withNIR = e.evaluate([Self.column("exports/etudiants.csv", nil, "nir", Self.nir)])
        #expect(withNIR.first { $0.kind == .undeclaredDataset }?.severity == .high)
        // Unclassified columns are never evaluated.
        #expect(e.evaluate([Self.column("x.csv", nil, "email", "user.contact.email", hits: 1, nonEmpty: 10)]).isEmpty)
    }

    @Test func theMostSpecificDeclarationWins() throws {
        let config = ProjectConfig(datasets: [
            DatasetDeclaration(match: .init(path: "dumps/*.sql"), subjects: ["platform-users"], purposes: []),
            DatasetDeclaration(match: .init(table: "mentors"), subjects: ["mentors-coaches"], purposes: []),
            DatasetDeclaration(match: .init(path: "dumps/prod.sql", table: "mentors"), subjects: ["tutors"], purposes: []),
        ], root: "/data")
        #expect(config.declaration(path: "/data/dumps/prod.sql", table: "mentors")?.subjects == ["tutors"])
        #expect(config.declaration(path: "/data/dumps/test.sql", table: "public.mentors")?.subjects == ["mentors-coaches"])
        #expect(config.declaration(path: "/data/dumps/test.sql", table: "users")?.subjects == ["platform-users"])
        #expect(config.declaration(path: "/data/exports/a.csv", table: nil) == nil)
    }
}
