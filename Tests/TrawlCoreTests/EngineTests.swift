import Foundation
import Testing
@testable import TrawlCore

@Suite("Detection engine")
struct EngineTests {
    static let digits = """
    id: test-digits
    name: nine digits
    category: user.test.digits
    description: test
    pattern: '(?<![0-9])[0-9]{9}(?![0-9])'
    requires: context
    context: ["SIREN", "RCS", "numéro d'entreprise"]
    exclude_context: ["commande"]
    fields: '(?:^|_)siren(?:_|$)'
    examples: {match: ["SIREN «123456789»"], no_match: ["123456789"]}
    """

    @Test func requiresContextOrFieldHint() throws {
        let d = try TestDetectors.make(Self.digits)
        #expect(try TestDetectors.scan("ref 552008443", detectors: [d]).isEmpty)
        let withContext = try TestDetectors.scan("Numero d’entreprise : 552008443", detectors: [d])
        #expect(withContext.count == 1)
        #expect(withContext.first?.confidence == .medium)
        #expect(withContext.first?.signals.contains("context:numéro d'entreprise") == true)
        let withField = try TestDetectors.scan("siren\n552008443\n", format: .csv, detectors: [d])
        #expect(withField.first?.confidence == .high)
        #expect(withField.first?.field == "siren")
    }

    @Test func acronymContextIsCaseSensitive() throws {
        let d = try TestDetectors.make(Self.digits)
        #expect(try TestDetectors.scan("rcs 552008443", detectors: [d]).isEmpty)
        #expect(try TestDetectors.scan("RCS 552008443", detectors: [d]).count == 1)
        #expect(try TestDetectors.scan("siren 552008443", detectors: [d]).count == 1)  // 5 letters: any case
    }

    @Test func excludeContextVetoes() throws {
        let d = try TestDetectors.make(Self.digits)
        #expect(try TestDetectors.scan("SIREN de la commande 552008443", detectors: [d]).isEmpty)
    }

    @Test func contextRaisesAndFieldMakesHigh() throws {
        let e = try TestDetectors.make(Fixtures.emailYAML)
        #expect(try TestDetectors.scan("x a@free.fr", detectors: [e]).first?.confidence == .medium)
        #expect(try TestDetectors.scan("courriel a@free.fr", detectors: [e]).first?.confidence == .high)
    }

    @Test func fieldOnlyDetectorNeedsNameAndShape() throws {
        let d = try TestDetectors.make("""
        id: test-name
        name: n
        category: user.name
        description: t
        fields: '^(?:nom|prenom)$'
        field_value: '\\p{L}[\\p{L} ''-]{0,40}'
        examples: {match: [{field: nom, value: A}], no_match: [{field: x, value: A}]}
        """)
        let found = try TestDetectors.scan("nom,code,prenom\nDurand,X12,  \nO'Neil, , Anne-Marie \n", format: .csv, detectors: [d])
        #expect(found.map { $0.value ?? "" } == ["Durand", "O'Neil", "Anne-Marie"])
        #expect(found.map(\.column) == [1, 1, 11])
        #expect(found.allSatisfy { $0.confidence == .high })
    }

    @Test func overlappingCandidatesKeepTheMostConfident() throws {
        let wide = try TestDetectors.make("""
        id: test-wide
        name: w
        category: user.test.wide
        description: t
        pattern: '[0-9]{4} [0-9]{4}'
        confidence: medium
        examples: {match: ["1234 5678"], no_match: ["x"]}
        """)
        let narrow = try TestDetectors.make("""
        id: test-narrow
        name: n
        category: user.test.narrow
        description: t
        pattern: '[0-9]{4}'
        confidence: high
        examples: {match: ["1234"], no_match: ["x"]}
        """)
        let found = try TestDetectors.scan("1234 5678", detectors: [wide, narrow])
        #expect(found.map(\.detector) == ["test-narrow", "test-narrow"])
    }

    @Test func valuesAreMaskedUnlessAsked() throws {
        let e = try TestDetectors.make(Fixtures.emailYAML)
        let masked = try TestDetectors.scan("jeanne.martin@orange.fr", detectors: [e], options: DetectionOptions(minConfidence: .low, showValues: false))
        #expect(masked.first?.value == nil)
        #expect(masked.first?.masked == "j************@orange.fr")
    }

    @Test func minimumConfidenceFilters() throws {
        let e = try TestDetectors.make(Fixtures.emailYAML)
        let found = try TestDetectors.scan("a@free.fr", detectors: [e], options: DetectionOptions(minConfidence: .high))
        #expect(found.isEmpty)
    }
}

@Suite("Masking")
struct MaskingTests {
    @Test(arguments: [
        ("1 85 05 78 006 084 36", "1 85 05 ** *** *** 36"),
        ("FR76 3000 6000 0112 3456 7890 189", "FR76 30** **** **** **** **** *89"),
        ("536-90-4399", "5**-**-***9"),
        ("jeanne.martin@orange.fr", "j************@orange.fr"),
        ("RQTH", "****"),
        ("P<FRA\nL898", "P<***↵***8"),
    ])
    func masks(raw: String, masked: String) {
        #expect(Masking.mask(raw) == masked)
    }

    @Test func maskedValueNeverContainsTheMiddle() {
        let raw = "4970101234567890"
        let m = Masking.mask(raw)
        #expect(!m.contains("1234567"))
        #expect(m.count == raw.count)
    }
}

@Suite("Field names")
struct FieldNameTests {
    @Test(arguments: [
        ("Date de naissance", "date_de_naissance"),
        ("firstName", "first_name"),
        ("$.student.contact.email", "email"),
        ("$.candidat.passeport.numero", "passeport_numero"),
        ("students.nir", "nir"),
        ("Prénom", "prenom"),
        ("$.list[*].N°_Sécu", "n_secu"),
    ])
    func normalizes(raw: String, expected: String) {
        #expect(FieldName.normalize(raw) == expected)
    }
}

@Suite("JSON report")
struct FindingJSONTests {
    @Test(arguments: [
        Finding(path: "a/b.csv", line: 3, column: 7, field: "email", category: "user.contact.email", detector: "email",
                confidence: .high, masked: "j***@free.fr", signals: ["pattern", "field:email"]),
        Finding(path: "dir \"quoted\"\\x.log", line: 1, column: 1, field: nil, category: "user.name", detector: "d",
                confidence: .low, masked: "P<***↵***8", signals: [], value: "tab\there\nnew\u{01}line é/ü"),
        Finding(path: "-", line: 10, column: 2, field: "$[\"odd key\"]", category: "c.d", detector: "x",
                confidence: .medium, masked: "", signals: ["context:numéro d'assuré"]),
        Finding(path: "db.sqlite", line: 0, column: 0, field: "Customer.Email", category: "user.contact.email", detector: "email",
                confidence: .high, masked: "l***@x.fr", signals: ["pattern"], row: 42, location: "Customer rowid 42",
                fingerprint: "0123456789abcdef0123456789abcdef"),
    ])
    func handWrittenObjectMatchesJSONEncoder(finding: Finding) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(finding), as: UTF8.self)
        #expect(FindingJSON.object(finding) == expected)
    }
}
