import Foundation
import Testing
@testable import TrawlCore

// MARK: - Published vectors (shared/reference/test-vectors.json)

/// One published value from `test-vectors.json`.
struct PublishedVector: Decodable, Sendable, CustomTestStringConvertible {
    let category: String
    let value: String
    let valid: Bool
    let source: String
    let note: String?

    var testDescription: String {
        "\(category) \(valid ? "valid" : "invalid") \(value.debugDescription)"
    }
}

/// What a vector must produce.
enum VectorExpectation: Sendable, Equatable, CustomStringConvertible {
    /// Any outcome but `.invalid`.
    case accepted
    /// Exactly `.invalid`.
    case rejected
    /// Exactly this outcome.
    case exactly(ValidationOutcome)

    func matches(_ outcome: ValidationOutcome) -> Bool {
        switch self {
        case .accepted: return outcome != .invalid
        case .rejected: return outcome == .invalid
        case .exactly(let expected): return outcome == expected
        }
    }

    var description: String {
        switch self {
        case .accepted: return "not .invalid"
        case .rejected: return ".invalid"
        case .exactly(let o): return ".\(o)"
        }
    }
}

enum VectorFixture {
    /// `<repo>/../shared/reference/test-vectors.json`, the repo root being three levels above
    /// this file (Tests/TrawlCoreTests/ValidatorTests.swift).
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // TrawlCoreTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // repo root
        .appendingPathComponent("../shared/reference/test-vectors.json")
        .standardizedFileURL

    /// All vectors, or nil when the file is absent (it is present in CI).
    static let all: [PublishedVector]? = {
        guard let data = try? Data(contentsOf: url) else { return nil }
        do {
            return try JSONDecoder().decode([PublishedVector].self, from: data)
        } catch {
            print("ValidatorTests: cannot decode \(url.path): \(error)")
            return nil
        }
    }()

    /// Vector category → validator name.
    static let validatorForCategory: [String: String] = [
        "iban": "iban", "bic": "bic", "fr_nir": "fr_nir", "us_ssn": "us_ssn", "luhn": "luhn",
        "payment_card": "payment_card", "siren": "siren", "siret": "siret", "mrz": "mrz",
        "ine": "fr_ine", "ine_format_only": "fr_ine", "ip_address": "ip", "email": "email",
        "fr_phone": "fr_phone", "imei": "imei", "mac_address": "mac", "date": "date_of_birth",
    ]

    /// Categories without a validator here (handled by other detectors / context only):
    /// - `advertising_id` (UUID, context only; the zeroed ID is filtered by the detector),
    /// - `fr_tva`, `fr_tax_number_spi` (no validator in this set yet),
    /// - `fr_cni_new_number`, `fr_cni_old_number` (no check digit outside the MRZ).
    static let skippedCategories: Set<String> = [
        "advertising_id", "fr_tva", "fr_tax_number_spi", "fr_cni_new_number", "fr_cni_old_number",
    ]

    /// Presidio's partial dates: out of scope for `date_of_birth`, which must reject them.
    static let partialDates: Set<String> = [
        "May-21", "5/21", "05/2021", "21-May", "05-May", "May-2021", "5/2021", "05/21",
    ]

    /// Vectors whose expected outcome differs from their `valid` flag by a documented policy.
    /// - `LV80 bANK …`: Presidio rejects lower-case letters; we upper-case first like
    ///   python-stdnum (see `BankingValidators.iban`), so the value is a valid IBAN here.
    static let policyOverrides: [String: VectorExpectation] = [
        "iban|LV80 bANK 0000 4351 9500 1": .exactly(.checksum),
    ]

    static func expectation(for v: PublishedVector) -> (validator: String, expected: VectorExpectation)? {
        guard let name = validatorForCategory[v.category] else { return nil }
        if let override = policyOverrides["\(v.category)|\(v.value)"] { return (name, override) }
        switch v.category {
        case "ine":
            // The BEA example must verify its mod-23 key.
            return (name, v.valid ? .exactly(.checksum) : .rejected)
        case "ine_format_only":
            // Staging mock INEs: BEA shape, wrong key letter — the "shape-only" negative test.
            return (name, .rejected)
        case "date" where partialDates.contains(v.value):
            return (name, .rejected)
        default:
            return (name, v.valid ? .accepted : .rejected)
        }
    }

    /// Vectors that map to a validator.
    static let checked: [PublishedVector] = (all ?? []).filter { expectation(for: $0) != nil }

    static let minimumChecked = 1_100
}

@Suite("Published test vectors")
struct PublishedVectorTests {
    @Test("vector", arguments: VectorFixture.checked)
    func vector(_ v: PublishedVector) throws {
        let (name, expected) = try #require(VectorFixture.expectation(for: v))
        let validator = try #require(Validators.named(name), "no validator named \(name)")
        let outcome = validator.validate(v.value)
        #expect(expected.matches(outcome),
                "\(name)(\(v.value.debugDescription)) = .\(outcome), expected \(expected) [\(v.source)] \(v.note ?? "")")
    }

    @Test("all vectors are checked, none vacuously")
    func coverage() throws {
        guard let all = VectorFixture.all else {
            print("ValidatorTests: \(VectorFixture.url.path) not found; published-vector tests skipped (CI has it).")
            return
        }
        // Every category is either mapped or deliberately skipped.
        let unknown = Set(all.map(\.category))
            .subtracting(VectorFixture.validatorForCategory.keys)
            .subtracting(VectorFixture.skippedCategories)
        #expect(unknown.isEmpty, "unmapped vector categories: \(unknown.sorted())")

        var passed = 0
        var failures: [String] = []
        for v in VectorFixture.checked {
            let (name, expected) = try #require(VectorFixture.expectation(for: v))
            let outcome = try #require(Validators.named(name)).validate(v.value)
            if expected.matches(outcome) {
                passed += 1
            } else {
                failures.append("\(v.category) \(v.value.debugDescription) → .\(outcome)")
            }
        }
        #expect(VectorFixture.checked.count >= VectorFixture.minimumChecked,
                "only \(VectorFixture.checked.count) vectors checked")
        #expect(passed == VectorFixture.checked.count, "failing vectors: \(failures)")

        // Every valid vector (outside the documented exceptions) is accepted, every invalid one rejected.
        for v in VectorFixture.checked where v.category != "ine_format_only"
            && !(v.category == "date" && VectorFixture.partialDates.contains(v.value))
            && VectorFixture.policyOverrides["\(v.category)|\(v.value)"] == nil {
            let (name, _) = try #require(VectorFixture.expectation(for: v))
            let outcome = try #require(Validators.named(name)).validate(v.value)
            #expect((outcome != .invalid) == v.valid, "\(v.testDescription) → .\(outcome)")
        }
        // Each mapped category has vectors.
        let categories = Set(VectorFixture.checked.map(\.category))
        #expect(categories == Set(VectorFixture.validatorForCategory.keys))
    }
}

// MARK: - Hand-written cases

struct ValidatorCase: Sendable, CustomTestStringConvertible {
    let validator: String
    let input: String
    let expected: ValidationOutcome

    init(_ validator: String, _ input: String, _ expected: ValidationOutcome) {
        self.validator = validator
        self.input = input
        self.expected = expected
    }

    var testDescription: String { "\(validator) \(input.debugDescription) → .\(expected)" }
}

private let nbsp = "\u{00A0}"
private let nnbsp = "\u{202F}"

enum HandWrittenCases {
    static let cases: [ValidatorCase] = [
        // luhn
        ValidatorCase("luhn", "7992 7398 713", .checksum),
        ValidatorCase("luhn", "79927398710", .invalid),
        ValidatorCase("luhn", "7992-7398-71A", .invalid),
        ValidatorCase("luhn", "0", .invalid),

        // payment_card
        ValidatorCase("payment_card", "4012-8888 8888-1881", .invalid), // mixed separators
        ValidatorCase("payment_card", "4012 8888 8888 1881", .weak), // published test PAN
        ValidatorCase("payment_card", "4111\(nbsp)1111\(nbsp)1111\(nbsp)1111", .weak),
        ValidatorCase("payment_card", "4242424242424242", .weak),
        ValidatorCase("payment_card", "378282246310005", .weak),
        ValidatorCase("payment_card", "5019717010103742", .checksum), // Maestro/Dankort 50
        ValidatorCase("payment_card", "2221000000000009", .checksum), // Mastercard 2-series
        ValidatorCase("payment_card", "2720123456789010", .checksum),
        ValidatorCase("payment_card", "123456789012347", .checksum), // UATP 15
        ValidatorCase("payment_card", "1234567890128", .invalid), // UATP needs 15 digits
        ValidatorCase("payment_card", "4012888888881882", .invalid), // Luhn
        ValidatorCase("payment_card", "9012888888881881", .invalid), // no brand
        ValidatorCase("payment_card", "4012 8888 8888 1881 0", .invalid), // Visa length 17

        // iban
        ValidatorCase("iban", "fr14 2004 1010 0505 0001 3m02 606", .checksum), // lower case → upper-cased
        ValidatorCase("iban", "FR14\(nbsp)2004\(nbsp)1010\(nbsp)0505\(nbsp)0001\(nbsp)3M02\(nbsp)606", .checksum),
        ValidatorCase("iban", "FR14\(nnbsp)2004\(nnbsp)1010\(nnbsp)0505\(nnbsp)0001\(nnbsp)3M02\(nnbsp)606", .checksum),
        ValidatorCase("iban", "FR8420041010050500013M02607", .invalid), // mod 97 fine, RIB key wrong
        ValidatorCase("iban", "DE89 3704 0044 0532 0130 00", .checksum),
        ValidatorCase("iban", "DE89-3704-0044-0532-0130-00", .checksum),
        ValidatorCase("iban", "GB29 NWBK 6016 1331 9268 19", .checksum),
        ValidatorCase("iban", "GB29 NWBK 6016 1331 9268 1", .invalid), // length
        ValidatorCase("iban", "NL56 3003 0A17 1643 00", .invalid), // BBAN structure
        ValidatorCase("iban", "XX89 3704 0044 0532 0130 00", .invalid), // unknown country
        ValidatorCase("iban", "DE89 3704 0044 0532 0130 00 00 00 00 00 00 00", .invalid), // too long

        // bic
        ValidatorCase("bic", "AGRIFRPP", .plausible),
        ValidatorCase("bic", "AGRI FR PP 882", .plausible),
        ValidatorCase("bic", "agrifrpp882", .plausible), // upper-cased like python-stdnum
        ValidatorCase("bic", "RBKOXKPR", .plausible), // Kosovo
        ValidatorCase("bic", "AGRIXXPP", .invalid),
        ValidatorCase("bic", "AGRIFRPP88", .invalid),
        ValidatorCase("bic", "AGR1FRPP", .invalid),

        // fr_nir
        ValidatorCase("fr_nir", "2 84 05 2A 321 025 52", .checksum),
        ValidatorCase("fr_nir", "2 84 05 2B 321 025 79", .checksum),
        ValidatorCase("fr_nir", "2 84 05 2b 321 025 79", .checksum),
        ValidatorCase("fr_nir", "2\(nbsp)84\(nbsp)05\(nbsp)88\(nbsp)321\(nbsp)025\(nbsp)32", .checksum),
        ValidatorCase("fr_nir", "2.84.05.88.321.025.32", .checksum),
        ValidatorCase("fr_nir", "2 84 05 88 321 025 33", .invalid),
        ValidatorCase("fr_nir", "2 84 13 88 321 025 32", .invalid), // month 13
        ValidatorCase("fr_nir", "2 84 05 2C 321 025 52", .invalid),
        ValidatorCase("fr_nir", "2840588321025", .invalid), // 13-character form has no key

        // us_ssn
        ValidatorCase("us_ssn", "536-90-4399", .plausible),
        ValidatorCase("us_ssn", "536 90 4399", .plausible),
        ValidatorCase("us_ssn", "536.90.4399", .plausible),
        ValidatorCase("us_ssn", "536904399", .plausible),
        ValidatorCase("us_ssn", "536-90 4399", .invalid), // mixed separators
        ValidatorCase("us_ssn", "900-12-3456", .invalid), // 9xx (ITIN)
        ValidatorCase("us_ssn", "123-45-6789", .invalid),
        ValidatorCase("us_ssn", "987-65-4321", .invalid),
        ValidatorCase("us_ssn", "111-11-1111", .invalid),
        ValidatorCase("us_ssn", "219-09-9999", .invalid),
        ValidatorCase("us_ssn", "457-55-5462", .invalid),

        // mrz
        ValidatorCase("mrz", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", .checksum),
        ValidatorCase("mrz", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n", .checksum),
        ValidatorCase("mrz", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<11", .invalid),
        ValidatorCase("mrz", "IDFRAX4RTBPFW46<<<<<<<<<<<<<<<\r\n9007138F3002119FRA<<<<<<<<<<<6\r\nMARTIN<<MAELYS<GAELLE<MARIE<<<", .checksum),
        ValidatorCase("mrz", "IDFRAX4RTBPFW46<<<<<<<<<<<<<<<\n9007138F3002119FRA<<<<<<<<<<<6", .invalid), // missing line
        ValidatorCase("mrz", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", .invalid),

        // siren / siret
        ValidatorCase("siren", "732 829 320", .checksum),
        ValidatorCase("siren", "404\(nbsp)833\(nbsp)048", .checksum),
        ValidatorCase("siren", "404.833.048", .checksum),
        ValidatorCase("siren", "404833047", .invalid),
        ValidatorCase("siren", "40483304", .invalid),
        ValidatorCase("siret", "356 000 000 09075", .checksum), // La Poste establishment: digit sum
        ValidatorCase("siret", "35600000049837", .checksum),
        ValidatorCase("siret", "35600000000048", .checksum), // La Poste head office: Luhn
        ValidatorCase("siret", "35600000049838", .invalid),
        ValidatorCase("siret", "732 829 320 00074", .checksum),
        ValidatorCase("siret", "732\(nbsp)829\(nbsp)320\(nbsp)00074", .checksum),
        ValidatorCase("siret", "73282932000079", .invalid),

        // fr_ine
        ValidatorCase("fr_ine", "0494004062M", .checksum), // BEA
        ValidatorCase("fr_ine", "0494004062m", .checksum),
        ValidatorCase("fr_ine", "0494004062N", .invalid),
        ValidatorCase("fr_ine", "1234567890Y", .invalid), // staging mock: BEA shape only
        ValidatorCase("fr_ine", "1111111111A", .invalid),
        ValidatorCase("fr_ine", "0DDG5R00015", .checksum), // base 36 (ESUP key)
        ValidatorCase("fr_ine", "0ddg5r00015", .checksum),
        ValidatorCase("fr_ine", "0DDG5R00016", .invalid),
        ValidatorCase("fr_ine", "ABCDEFGHJK5", .invalid), // all-letter body
        ValidatorCase("fr_ine", "123456789AB", .plausible), // RNIE
        ValidatorCase("fr_ine", "1234A12345B", .plausible), // SIFA
        ValidatorCase("fr_ine", "1234D12345B", .plausible), // provisional
        ValidatorCase("fr_ine", "1234567890", .invalid),

        // email
        ValidatorCase("email", "jean.dupont@gmail.com", .plausible),
        ValidatorCase("email", "Jean.Dupont+cours@univ-lille.fr", .plausible),
        ValidatorCase("email", "élève@école.fr", .plausible),
        ValidatorCase("email", "logo@2x.png", .invalid),
        ValidatorCase("email", "bundle@main.js", .invalid),
        ValidatorCase("email", "lodash@4.17.21", .invalid),
        ValidatorCase("email", "1.2.3@registry.com", .invalid),
        ValidatorCase("email", "a..b@gmail.com", .invalid),
        ValidatorCase("email", "user@-bad.com", .invalid),
        ValidatorCase("email", "user@example.com", .weak),
        ValidatorCase("email", "user@mail.example.org", .weak),
        ValidatorCase("email", "user@foo.test", .weak),
        ValidatorCase("email", "user@localhost", .invalid), // single label
        ValidatorCase("email", "user@app.localhost", .weak),

        // ip
        ValidatorCase("ip", "8.8.8.8", .plausible),
        ValidatorCase("ip", "81.2.69.142/32", .plausible),
        ValidatorCase("ip", "192.0.2.1", .weak), // documentation
        ValidatorCase("ip", "198.51.100.7", .weak),
        ValidatorCase("ip", "203.0.113.9", .weak),
        ValidatorCase("ip", "2001:db8::1", .weak),
        ValidatorCase("ip", "100.64.0.1", .weak), // CGNAT
        ValidatorCase("ip", "169.254.10.1", .weak),
        ValidatorCase("ip", "172.31.255.1", .weak),
        ValidatorCase("ip", "172.32.0.1", .plausible),
        ValidatorCase("ip", "192.168.1.0/24", .weak),
        ValidatorCase("ip", "fe80::1%eth0", .weak),
        ValidatorCase("ip", "fd12:3456::1", .weak),
        ValidatorCase("ip", "2a00:1450:4007:80c::200e", .plausible),
        ValidatorCase("ip", "::ffff:8.8.8.8", .plausible),
        ValidatorCase("ip", "127.0.0.1", DeviceValidators.nonPersonalOutcome),
        ValidatorCase("ip", "224.0.0.251", DeviceValidators.nonPersonalOutcome),
        ValidatorCase("ip", "ff02::1", DeviceValidators.nonPersonalOutcome),
        ValidatorCase("ip", "010.0.0.1", .invalid), // leading zero
        ValidatorCase("ip", "8.8.8.0/33", .invalid),
        ValidatorCase("ip", "1.2.3.4.5", .invalid),
        ValidatorCase("ip", "fe80::1%", .invalid),

        // fr_phone
        ValidatorCase("fr_phone", "06 12 34 56 78", .plausible),
        ValidatorCase("fr_phone", "06.12.34.56.78", .plausible),
        ValidatorCase("fr_phone", "06-12-34-56-78", .plausible),
        ValidatorCase("fr_phone", "06\(nbsp)12\(nbsp)34\(nbsp)56\(nbsp)78", .plausible),
        ValidatorCase("fr_phone", "0612345678", .plausible),
        ValidatorCase("fr_phone", "+33 (0)6 12 34 56 78", .plausible),
        ValidatorCase("fr_phone", "+33 (0) 1 42 68 53 00", .plausible),
        ValidatorCase("fr_phone", "(+33) 6 12 34 56 78", .plausible),
        ValidatorCase("fr_phone", "0033 6 12 34 56 78", .plausible),
        ValidatorCase("fr_phone", "07 56 12 34 56", .plausible),
        ValidatorCase("fr_phone", "+262 692 12 34 56", .plausible),
        ValidatorCase("fr_phone", "+590 692 12 34 56", .invalid), // Réunion block under the Guadeloupe code
        ValidatorCase("fr_phone", "+33 692 12 34 56", .invalid), // 69[589] only in metropolitan France
        ValidatorCase("fr_phone", "07 12 34 56 78", .invalid), // 71x unassigned
        ValidatorCase("fr_phone", "06 66 66 66 66", .invalid), // all-identical digits
        ValidatorCase("fr_phone", "00 00 00 00 00", .invalid),
        ValidatorCase("fr_phone", "6 12 34 56 78", .invalid),
        // The trunk 0 kept after +33 is how many real exports write French numbers (Chinook).
        ValidatorCase("fr_phone", "+33 06 12 34 56 78", .plausible),
        ValidatorCase("fr_phone", "+33 00 12 34 56 78", .invalid),
        ValidatorCase("fr_phone", "06 12 34 56 7", .invalid),

        // intl_phone
        ValidatorCase("intl_phone", "+44 20 7946 0958", .plausible),
        ValidatorCase("intl_phone", "0044 20 7946 0958", .plausible),
        ValidatorCase("intl_phone", "+1 (555) 010-9999", .plausible),
        ValidatorCase("intl_phone", "+49 (0)30 123456", .plausible),
        ValidatorCase("intl_phone", "+0 123 456 789", .invalid),
        ValidatorCase("intl_phone", "+44 1234", .invalid),
        ValidatorCase("intl_phone", "+1234567890123456", .invalid), // 16 digits
        ValidatorCase("intl_phone", "020 7946 0958", .invalid),

        // date_of_birth
        ValidatorCase("date_of_birth", "12 mars 1998", .plausible),
        ValidatorCase("date_of_birth", "1er janvier 2001", .plausible),
        ValidatorCase("date_of_birth", "12 janv. 1998", .plausible),
        ValidatorCase("date_of_birth", "3 février 1985", .plausible),
        ValidatorCase("date_of_birth", "3 fevrier 1985", .plausible),
        ValidatorCase("date_of_birth", "15 AOÛT 1990", .plausible),
        ValidatorCase("date_of_birth", "15 août 1990", .plausible),
        ValidatorCase("date_of_birth", "25 déc. 1979", .plausible),
        ValidatorCase("date_of_birth", "May 5, 2021", .plausible),
        ValidatorCase("date_of_birth", "5-May-2021", .plausible),
        ValidatorCase("date_of_birth", "29/02/2000", .plausible),
        ValidatorCase("date_of_birth", "29/02/2001", .invalid),
        ValidatorCase("date_of_birth", "31/04/1990", .invalid),
        ValidatorCase("date_of_birth", "32/01/1990", .invalid),
        ValidatorCase("date_of_birth", "15/05/1990", .plausible),
        ValidatorCase("date_of_birth", "15.05.1990", .plausible),
        ValidatorCase("date_of_birth", "15-05-90", .plausible),
        ValidatorCase("date_of_birth", "15/05-1990", .invalid), // mixed separators
        ValidatorCase("date_of_birth", "5/20/2021", .plausible), // US fallback
        ValidatorCase("date_of_birth", "19900515", .plausible),
        ValidatorCase("date_of_birth", "15051990", .plausible),
        ValidatorCase("date_of_birth", "1990-05-15", .plausible),
        ValidatorCase("date_of_birth", "1990-05-15T10:00:00Z", .plausible),
        ValidatorCase("date_of_birth", "1990-13-01", .invalid),
        ValidatorCase("date_of_birth", "01/01/1899", .invalid),
        ValidatorCase("date_of_birth", "01/01/2099", .invalid), // future
        ValidatorCase("date_of_birth", "31 février 1990", .invalid),
        ValidatorCase("date_of_birth", "12 brumaire 1998", .invalid),
        ValidatorCase("date_of_birth", "mars 1998", .invalid),

        // imei
        ValidatorCase("imei", "35-209900-176148-1", .checksum),
        ValidatorCase("imei", "35 209900 176148 1", .checksum),
        ValidatorCase("imei", "354178036859789", .checksum),
        ValidatorCase("imei", "354178036859788", .invalid),
        ValidatorCase("imei", "49-015420-323751", .plausible), // check digit omitted
        ValidatorCase("imei", "35-209900-176148-23", .plausible), // IMEISV
        ValidatorCase("imei", "000000000000000", .invalid),
        ValidatorCase("imei", "3520990017614", .invalid),

        // mac
        ValidatorCase("mac", "00:1A:2B:3C:4D:5E", .plausible),
        ValidatorCase("mac", "00-1a-2b-3c-4d-5e", .plausible),
        ValidatorCase("mac", "0012.3456.789A", .plausible),
        ValidatorCase("mac", "ff:ff:ff:ff:ff:ff", .invalid),
        ValidatorCase("mac", "00-00-00-00-00-00", .invalid),
        ValidatorCase("mac", "00:1A:2B-3C:4D:5E", .invalid),
        ValidatorCase("mac", "001A2B3C4D5E", .invalid),
        ValidatorCase("mac", "00:1A:2B:3C:4D:5G", .invalid),
    ]
}

@Suite("Validators")
struct ValidatorTests {
    @Test("hand-written case", arguments: HandWrittenCases.cases)
    func handWritten(_ c: ValidatorCase) throws {
        let validator = try #require(Validators.named(c.validator))
        #expect(validator.validate(c.input) == c.expected)
    }

    @Test("registry lists every validator under its own name")
    func registry() {
        let expected: Set<String> = [
            "luhn", "payment_card", "iban", "bic", "fr_nir", "us_ssn", "mrz", "siren", "siret", "fr_ine",
            "email", "ip", "fr_phone", "intl_phone", "date_of_birth", "imei", "mac",
        ]
        #expect(Set(Validators.all.keys) == expected)
        for (name, validator) in Validators.all {
            #expect(validator.name == name)
            #expect(!validator.summary.isEmpty)
        }
        #expect(Validators.named("nope") == nil)
    }

    @Test("byte-buffer entry point sees exactly the matched bytes")
    func rawBytes() {
        let text = Array("IBAN: FR14 2004 1010 0505 0001 3M02 606;".utf8)
        let iban = Validators.named("iban")
        text.withUnsafeBufferPointer { all in
            let match = UnsafeBufferPointer(rebasing: all[6..<39])
            #expect(iban?.validate(match) == .checksum)
            let tooLong = UnsafeBufferPointer(rebasing: all[6..<40])
            #expect(iban?.validate(tooLong) == .invalid)
        }
    }

    @Test("IBAN registry lengths match the SWIFT registry table (spec §7a)")
    func ibanLengths() {
        let table = """
            AD 24, AE 23, AL 28, AT 20, AZ 28, BA 20, BE 16, BG 22, BH 22, BI 27, BR 29, BY 28, CH 21, CR 22, \
            CY 28, CZ 24, DE 22, DJ 27, DK 18, DO 28, EE 20, EG 29, ES 24, FI 18, FK 18, FO 18, FR 27, GB 22, \
            GE 22, GI 23, GL 18, GR 27, GT 28, HN 28, HR 21, HU 28, IE 22, IL 23, IQ 23, IS 26, IT 27, JO 30, \
            KW 30, KZ 20, LB 28, LC 32, LI 21, LT 20, LU 20, LV 21, LY 25, MC 27, MD 24, ME 22, MK 19, MN 20, \
            MR 27, MT 31, MU 30, NI 28, NL 18, NO 15, OM 23, PK 24, PL 28, PS 29, PT 25, QA 29, RO 24, RS 22, \
            RU 33, SA 24, SC 31, SD 18, SE 24, SI 19, SK 24, SM 27, SO 23, ST 25, SV 28, TL 23, TN 24, TR 26, \
            UA 29, VA 22, VG 24, XK 20, YE 30
            """
        var countries = 0
        for entry in table.split(separator: ",") {
            let parts = entry.split(separator: " ")
            guard parts.count == 2, let length = Int(parts[1]) else {
                Issue.record("bad table entry \(entry)")
                continue
            }
            #expect(BankingValidators.ibanLength(String(parts[0])) == length, "\(parts[0])")
            countries += 1
        }
        #expect(countries == 89)
        var registered = 0
        for slot in BankingValidators.ibanFormats where slot != nil { registered += 1 }
        #expect(registered == countries)
    }

    @Test("BIC country table holds the 249 ISO 3166-1 codes plus XK")
    func bicCountries() {
        #expect(BankingValidators.isoCountries.filter { $0 }.count == 250)
    }

    @Test("calendar helpers")
    func calendar() {
        #expect(DateValidators.dayNumber(year: 1970, month: 1, day: 1) == 0)
        #expect(DateValidators.dayNumber(year: 2000, month: 3, day: 1) == 11_017)
        #expect(DateValidators.year(ofDay: 11_016) == 2000)
        #expect(DateValidators.year(ofDay: -1) == 1969)
        let today = DateValidators.today()
        #expect(DateValidators.isAcceptable(year: DateValidators.year(ofDay: today), month: 1, day: 1, today: today))
        // Two-digit years pivot on the current year.
        let yy = DateValidators.year(ofDay: today) % 100
        #expect(DateValidators.expandYear(yy, digits: 2, today: today) == 2000 + yy)
        #expect(DateValidators.expandYear((yy + 1) % 100, digits: 2, today: today) == ((yy + 1) % 100 <= yy ? 2000 : 1900) + (yy + 1) % 100)
    }
}
