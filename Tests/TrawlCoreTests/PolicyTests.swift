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
