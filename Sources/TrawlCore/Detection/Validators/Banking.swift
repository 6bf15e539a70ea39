// Banking validators: generic Luhn, payment cards (PAN), IBAN (+ French RIB key), BIC.
// Spec references: detectors-spec.md §7 (IBAN, RIB, BIC) and §8 (payment cards).

enum BankingValidators {

    // MARK: - Luhn

    /// Digits only after separator removal (spaces, dots, dashes, slashes, NBSP), Luhn mod 10.
    static func luhn(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 64, allowed: .grouping, uppercase: false) { s, _ in
            guard s.count >= 2, ByteScan.allDigits(s) else { return .invalid }
            return CheckDigits.luhn(s) ? .checksum : .invalid
        } ?? .invalid
    }

    // MARK: - Payment cards

    /// Published test PANs (datatrans / freeformatter / Stripe lists used by Presidio): still
    /// reported, at low confidence ("test card").
    private static let testPANs: [StaticString] = [
        "4111111111111111", "4012888888881881", "5555555555554444", "371449635398431",
        "6011000400000000", "3528000700000000", "378282246310005", "4242424242424242",
        "5105105105105100", "6011111111111117", "30569309025904", "38520000023237",
        "4000056655665556", "5200828282828210",
    ]

    /// Luhn + IIN/length table of spec §8. A single separator kind may be used (space, dash,
    /// dot or a no-break space); mixed separators are rejected.
    static func paymentCard(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        let allowed: SeparatorKinds = [.space, .dash, .dot, .nbsp, .narrowNbsp]
        return ByteScan.withCompacted(input, maxCount: 19, allowed: allowed, uppercase: false) { s, seps in
            guard seps.kindCount <= 1, s.count >= 12, ByteScan.allDigits(s) else { return .invalid }
            guard CheckDigits.luhn(s), iinMatches(s) else { return .invalid }
            for pan in testPANs where ByteScan.equals(s, 0..<s.count, pan) { return .weak }
            return .checksum
        } ?? .invalid
    }

    /// Whether the PAN's prefix and length belong to one of the brands of spec §8.
    static func iinMatches(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        @inline(__always) func prefix(_ k: Int) -> Int { ByteScan.number(s, 0..<k) }
        let p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6)
        // Visa
        if p1 == 4 && (n == 13 || n == 16 || n == 19) { return true }
        // Mastercard
        if ((51...55).contains(p2) || (2221...2720).contains(p4)) && n == 16 { return true }
        // American Express
        if (p2 == 34 || p2 == 37) && n == 15 { return true }
        // Discover
        if (p4 == 6011 || (644...649).contains(p3) || p2 == 65 || (622126...622925).contains(p6))
            && (16...19).contains(n) { return true }
        // JCB
        if (3528...3589).contains(p4) && (16...19).contains(n) { return true }
        // Diners Club
        if ((300...305).contains(p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
            && (14...19).contains(n) { return true }
        // Maestro
        if (p2 == 50 || (56...69).contains(p2)) && (12...19).contains(n) { return true }
        // UnionPay
        if p2 == 62 && (16...19).contains(n) { return true }
        // UATP
        if p1 == 1 && n == 15 { return true }
        return false
    }

    // MARK: - IBAN

    struct BBANSegment: Sendable {
        /// Number of characters.
        let count: Int
        /// `n` digits, `a` upper-case letters, `c` upper-case alphanumerics.
        let kind: UInt8
    }

    struct IBANFormat: Sendable {
        let length: Int
        let segments: [BBANSegment]
    }

    /// BBAN structures of the SWIFT IBAN registry, as shipped in python-stdnum `stdnum/iban.dat`
    /// (registry release matching spec §7a; total lengths = 4 + BBAN length, checked in tests).
    private static let registry: [(String, String)] = [
        ("AD", "4!n4!n12!c"), ("AE", "3!n16!n"), ("AL", "8!n16!c"), ("AT", "5!n11!n"),
        ("AZ", "4!a20!c"), ("BA", "3!n3!n8!n2!n"), ("BE", "3!n7!n2!n"), ("BG", "4!a4!n2!n8!c"),
        ("BH", "4!a14!c"), ("BI", "5!n5!n11!n2!n"), ("BR", "8!n5!n10!n1!a1!c"), ("BY", "4!c4!n16!c"),
        ("CH", "5!n12!c"), ("CR", "4!n14!n"), ("CY", "3!n5!n16!c"), ("CZ", "4!n6!n10!n"),
        ("DE", "8!n10!n"), ("DJ", "5!n5!n11!n2!n"), ("DK", "4!n9!n1!n"), ("DO", "4!c20!n"),
        ("EE", "2!n14!n"), ("EG", "4!n4!n17!n"), ("ES", "4!n4!n1!n1!n10!n"), ("FI", "3!n11!n"),
        ("FK", "2!a12!n"), ("FO", "4!n9!n1!n"), ("FR", "5!n5!n11!c2!n"), ("GB", "4!a6!n8!n"),
        ("GE", "2!a16!n"), ("GI", "4!a15!c"), ("GL", "4!n9!n1!n"), ("GR", "3!n4!n16!c"),
        ("GT", "4!c20!c"), ("HN", "4!a20!n"), ("HR", "7!n10!n"), ("HU", "3!n4!n1!n15!n1!n"),
        ("IE", "4!a6!n8!n"), ("IL", "3!n3!n13!n"), ("IQ", "4!a3!n12!n"), ("IS", "4!n2!n6!n10!n"),
        ("IT", "1!a5!n5!n12!c"), ("JO", "4!a4!n18!c"), ("KW", "4!a22!c"), ("KZ", "3!n13!c"),
        ("LB", "4!n20!c"), ("LC", "4!a24!c"), ("LI", "5!n12!c"), ("LT", "5!n11!n"),
        ("LU", "3!n13!c"), ("LV", "4!a13!c"), ("LY", "3!n3!n15!n"), ("MC", "5!n5!n11!c2!n"),
        ("MD", "2!c18!c"), ("ME", "3!n13!n2!n"), ("MK", "3!n10!c2!n"), ("MN", "4!n12!n"),
        ("MR", "5!n5!n11!n2!n"), ("MT", "4!a5!n18!c"), ("MU", "4!a2!n2!n12!n3!n3!a"), ("NI", "4!a20!n"),
        ("NL", "4!a10!n"), ("NO", "4!n6!n1!n"), ("OM", "3!n16!c"), ("PK", "4!a16!c"),
        ("PL", "8!n16!n"), ("PS", "4!a21!c"), ("PT", "4!n4!n11!n2!n"), ("QA", "4!a21!c"),
        ("RO", "4!a16!c"), ("RS", "3!n13!n2!n"), ("RU", "9!n5!n15!c"), ("SA", "2!n18!c"),
        ("SC", "4!a2!n2!n16!n3!a"), ("SD", "2!n12!n"), ("SE", "3!n16!n1!n"), ("SI", "5!n8!n2!n"),
        ("SK", "4!n6!n10!n"), ("SM", "1!a5!n5!n12!c"), ("SO", "4!n3!n12!n"), ("ST", "8!n11!n2!n"),
        ("SV", "4!a20!n"), ("TL", "3!n14!n2!n"), ("TN", "2!n3!n13!n2!n"), ("TR", "5!n1!n16!c"),
        ("UA", "6!n19!c"), ("VA", "3!n15!n"), ("VG", "4!a16!n"), ("XK", "4!n10!n2!n"),
        ("YE", "4!a4!n18!c"),
    ]

    @inline(__always)
    static func countryKey(_ a: UInt8, _ b: UInt8) -> Int {
        Int(a &- ByteClass.upperA) * 26 + Int(b &- ByteClass.upperA)
    }

    /// Formats indexed by `countryKey` (26 × 26 slots); built once.
    static let ibanFormats: [IBANFormat?] = {
        var table = [IBANFormat?](repeating: nil, count: 26 * 26)
        for (cc, structure) in registry {
            let code = Array(cc.utf8)
            var segments: [BBANSegment] = []
            var number = 0
            for b in structure.utf8 {
                if ByteClass.isDigit(b) {
                    number = number * 10 + ByteClass.digitValue(b)
                } else if b == UInt8(ascii: "n") || b == UInt8(ascii: "a") || b == UInt8(ascii: "c") {
                    segments.append(BBANSegment(count: number, kind: b))
                    number = 0
                }
            }
            let length = 4 + segments.reduce(0) { $0 + $1.count }
            table[countryKey(code[0], code[1])] = IBANFormat(length: length, segments: segments)
        }
        return table
    }()

    /// Registry length of an IBAN country code (nil when the code is not in the registry).
    static func ibanLength(_ country: String) -> Int? {
        let code = Array(country.utf8)
        guard code.count == 2, ByteClass.isUpper(code[0]), ByteClass.isUpper(code[1]) else { return nil }
        return ibanFormats[countryKey(code[0], code[1])]?.length
    }

    /// IBAN (ISO 13616): registry country + length, BBAN structure, ISO 7064 mod 97-10, and the
    /// French RIB key for FR/MC.
    ///
    /// Case policy: the value is upper-cased before validation, as python-stdnum does (IBANs are
    /// case-insensitive on paper and users type them in lower case). Presidio instead rejects
    /// lower-case letters; its vector `LV80 bANK 0000 4351 9500 1` is therefore valid here.
    static func iban(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        let allowed: SeparatorKinds = [.space, .dot, .dash, .nbsp, .narrowNbsp]
        return ByteScan.withCompacted(input, maxCount: 34, allowed: allowed, uppercase: true) { s, _ in
            guard s.count >= 5,
                  ByteClass.isUpper(s[0]), ByteClass.isUpper(s[1]),
                  ByteClass.isDigit(s[2]), ByteClass.isDigit(s[3]),
                  let format = ibanFormats[countryKey(s[0], s[1])],
                  s.count == format.length
            else { return .invalid }
            var pos = 4
            for segment in format.segments {
                for i in pos..<(pos + segment.count) {
                    let b = s[i]
                    let ok: Bool
                    switch segment.kind {
                    case UInt8(ascii: "n"): ok = ByteClass.isDigit(b)
                    case UInt8(ascii: "a"): ok = ByteClass.isUpper(b)
                    default: ok = ByteClass.isDigit(b) || ByteClass.isUpper(b)
                    }
                    if !ok { return .invalid }
                }
                pos += segment.count
            }
            // ISO 7064 mod 97-10 on BBAN + country + check digits, computed incrementally.
            let r = CheckDigits.mod97(s, 0..<4, initial: CheckDigits.mod97(s, 4..<s.count))
            guard r == 1 else { return .invalid }
            if (s[0] == UInt8(ascii: "F") && s[1] == UInt8(ascii: "R"))
                || (s[0] == UInt8(ascii: "M") && s[1] == UInt8(ascii: "C")) {
                guard ribKeyValid(s, offset: 4) else { return .invalid }
            }
            return .checksum
        } ?? .invalid
    }

    /// French RIB key over the 23-character BBAN starting at `offset` (bank 5 n, branch 5 n,
    /// account 11 c, key 2 n): letters of the account are transcoded (A,J→1 … I,R,Z→9), then
    /// `key = 97 − ((89·bank + 15·branch + 3·account) mod 97)`. Spec §7b.
    static func ribKeyValid(_ s: UnsafeBufferPointer<UInt8>, offset o: Int) -> Bool {
        guard s.count >= o + 23,
              ByteScan.allDigits(s, o..<(o + 10)),
              ByteScan.allDigits(s, (o + 21)..<(o + 23))
        else { return false }
        let bank = ByteScan.number(s, o..<(o + 5))
        let branch = ByteScan.number(s, (o + 5)..<(o + 10))
        var account = 0
        for i in (o + 10)..<(o + 21) {
            let b = s[i]
            let d: Int
            if ByteClass.isDigit(b) {
                d = ByteClass.digitValue(b)
            } else if ByteClass.isUpper(b) {
                // A–I → 1–9, J–R → 1–9, S–Z → 2–9.
                let v = Int(b &- ByteClass.upperA)
                if v < 9 { d = v + 1 } else if v < 18 { d = v - 8 } else { d = v - 16 }
            } else {
                return false
            }
            account = account * 10 + d
        }
        let key = ByteScan.number(s, (o + 21)..<(o + 23))
        return 97 - ((89 * bank + 15 * branch + 3 * account) % 97) == key
    }

    // MARK: - BIC

    /// ISO 3166-1 alpha-2 officially assigned codes (249) plus the user-assigned `XK` (Kosovo),
    /// which SWIFT uses.
    private static let countryList: StaticString = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
        BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM \
        DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS \
        GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
        KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
        MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM \
        PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV \
        SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI \
        VN VU WF WS YE YT ZA ZM ZW XK
        """

    /// Membership table indexed by `countryKey`.
    static let isoCountries: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        let p = countryList.utf8Start
        var i = 0
        let n = countryList.utf8CodeUnitCount
        while i + 1 < n {
            if ByteClass.isUpper(p[i]) && ByteClass.isUpper(p[i + 1]) {
                table[countryKey(p[i], p[i + 1])] = true
                i += 2
            } else {
                i += 1
            }
        }
        return table
    }()

    @inline(__always)
    static func isCountry(_ a: UInt8, _ b: UInt8) -> Bool {
        ByteClass.isUpper(a) && ByteClass.isUpper(b) && isoCountries[countryKey(a, b)]
    }

    /// BIC / SWIFT (ISO 9362): 4 letters + ISO country + 2 alnum location + optional 3 alnum
    /// branch, spaces ignored, upper-cased first (python-stdnum policy). No check digit.
    static func bic(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 11, allowed: .spaces, uppercase: true) { s, _ in
            guard s.count == 8 || s.count == 11 else { return .invalid }
            for i in 0..<4 where !ByteClass.isUpper(s[i]) { return .invalid }
            guard isCountry(s[4], s[5]) else { return .invalid }
            for i in 6..<s.count where !(ByteClass.isDigit(s[i]) || ByteClass.isUpper(s[i])) { return .invalid }
            return .plausible
        } ?? .invalid
    }
}
