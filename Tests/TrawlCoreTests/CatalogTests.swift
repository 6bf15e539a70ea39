import Foundation
import Testing
@testable import TrawlCore
import TrawlTestSupport

@Suite("Detector catalog")
struct CatalogTests {
    static let catalog: DetectorCatalog = {
        do { return try DetectorCatalog.builtin() } catch { fatalError("built-in catalog does not load: \(error)") }
    }()

    static var detectorIDs: [String] { catalog.detectors.map(\.id) }

    /// The category ids are a contract (reports, policies and downstream tools key on them).
    static let requiredCategories = [
        "user.government_id.national_identification_number.fr_nir",
        "user.government_id.national_identification_number.us_ssn",
        "user.education.national_student_id",
        "user.government_id.identity_document",
        "user.government_id.passport_number",
        "user.financial.bank_account",
        "user.financial.credit_card",
        "user.financial.salary",
        "user.professional.business_registration",
        "user.contact.email",
        "user.contact.phone_number",
        "user.contact.address",
        "user.name",
        "user.demographic.date_of_birth",
        "user.demographic.gender",
        "user.device.ip_address",
        "user.health_and_medical.disability_status",
        "user.special_status.refugee",
        "user.special_status.migrant",
        "user.special_status.asylum_seeker",
        "user.special_status.homeless",
        "user.special_status.high_level_athlete",
        "user.special_status.retired_military",
        "user.criminal_history.record_extract",
        "user.criminal_history.judicial_supervision",
    ]

    @Test func everyRequiredCategoryHasADetector() {
        let present = Set(Self.catalog.detectors.map(\.category))
        let missing = Self.requiredCategories.filter { !present.contains($0) }
        #expect(missing.isEmpty, "no detector for \(missing)")
    }

    @Test func everyPatternIsJITCompiled() {
        for d in Self.catalog.detectors {
            if let p = d.pattern { #expect(p.isJIT, "\(d.id) is not JIT-compiled") }
        }
    }

    @Test(arguments: detectorIDs)
    func examples(id: String) throws {
        let detector = try #require(Self.catalog.detector(id: id))
        #expect(detector.definition.examples.match.count >= 1)
        #expect(detector.definition.examples.noMatch.count >= 1)
        for failure in ExampleRunner().run(detector) {
            Issue.record("\(failure)")
        }
    }

    /// Each plain-text match example again: after a multi-byte prefix (columns count characters,
    /// not bytes), on a CRLF line after other lines (line numbers), and inside CSV and JSON
    /// containers (field names and positions come from the container).
    @Test(arguments: detectorIDs)
    func examplesSurviveContainers(id: String) throws {
        let detector = try #require(Self.catalog.detector(id: id))
        let catalog = DetectorCatalog(detectors: [detector])
        for example in detector.definition.examples.match where example.field == nil {
            let (text, span) = example.unmarked
            guard !text.contains("\n") else { continue }
            let expectedValue = span.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
            let expectedColumn = span.map { text.utf8.prefix($0.lowerBound).reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 } + 1 }

            // Multi-byte prefix and CRLF line ends, third line.
            let prefixed = "première ligne\r\n€uros\r\nÉté — " + text + "\r\n"
            let found = try scan(prefixed, format: .text, catalog: catalog)
            let hit = found.first { $0.value == expectedValue || expectedValue == nil }
            #expect(hit != nil, "\(id): \(text.debugDescription) not found after a multi-byte prefix")
            if let hit, let expectedColumn {
                #expect(hit.line == 3, "\(id): line")
                #expect(hit.column == expectedColumn + 6, "\(id): column after 'Été — '")
            }

            // As a CSV cell (quoted) and as a JSON string.
            let csv = "id,note\n1,\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n"
            let inCSV = try scan(csv, format: .csv, catalog: catalog)
            #expect(inCSV.contains { $0.field == "note" && $0.line == 2 && (expectedValue == nil || $0.value == expectedValue) }, "\(id): \(text.debugDescription) not found in CSV")

            let escaped = String(data: try JSONEncoder().encode(text), encoding: .utf8) ?? "\"\""
            let json = "{\n  \"ticket\": {\"note\": " + escaped + "}\n}\n"
            let inJSON = try scan(json, format: .json, catalog: catalog)
            #expect(inJSON.contains { $0.field == "$.ticket.note" && $0.line == 2 }, "\(id): \(text.debugDescription) not found in JSON")
        }
    }

    func scan(_ text: String, format: InputFormat, catalog: DetectorCatalog) throws -> [Finding] {
        try TestDetectors.scan(text, format: format, catalog: catalog, options: DetectionOptions(minConfidence: .medium, showValues: true))
    }

    @Test func aUserDirectoryOverridesByID() throws {
        let dir = try TemporaryDirectory.make("det")
        defer { TemporaryDirectory.remove(dir) }
        try """
        id: email
        name: overridden
        category: user.contact.email
        description: test override
        pattern: 'zz@zz\\.zz'
        confidence: high
        examples: {match: ["zz@zz.zz"], no_match: ["a@b.fr"]}
        """.write(to: dir.appendingPathComponent("email.yaml"), atomically: true, encoding: .utf8)
        let catalog = try DetectorCatalog.load(extraDirectories: [dir])
        #expect(catalog.detectors.count == Self.catalog.detectors.count)
        #expect(catalog.detector(id: "email")?.definition.name == "overridden")
    }

    @Test func invalidDefinitionsAreRejectedWithTheirFile() throws {
        let dir = try TemporaryDirectory.make("det")
        defer { TemporaryDirectory.remove(dir) }
        try "id: nothing\nname: x\ncategory: user.x\ndescription: x\nexamples: {match: [a], no_match: [b]}\n"
            .write(to: dir.appendingPathComponent("nothing.yaml"), atomically: true, encoding: .utf8)
        #expect {
            try DetectorCatalog.load(extraDirectories: [dir], includeBuiltin: false)
        } throws: { error in
            "\(error)".contains("nothing.yaml") && "\(error)".contains("needs a pattern")
        }
    }
}
