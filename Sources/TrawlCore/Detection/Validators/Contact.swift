// Contact validators: e-mail addresses, French (incl. overseas) and international phone numbers.
// Spec references: detectors-spec.md §10 (phones), §11 (e-mail).

enum ContactValidators {

    // MARK: - E-mail

    /// File extensions that look like a TLD in asset names such as `logo@2x.png`.
    private static let fileExtensions: [StaticString] = [
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "ts", "json", "xml",
        "pdf", "zip", "gz", "txt", "csv", "html", "htm", "php",
    ]

    /// Reserved top-level domains (RFC 2606 / RFC 6761).
    private static let reservedTLDs: [StaticString] = ["example", "test", "invalid", "localhost"]

    /// Reserved second-level domains (RFC 2606), matched with their subdomains.
    private static let reservedDomains: [StaticString] = ["example.com", "example.net", "example.org"]

    @inline(__always)
    private static func isLocalChar(_ b: UInt8) -> Bool {
        if ByteClass.isAlnum(b) || b >= 0x80 { return true }
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "^"),
             UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
             UInt8(ascii: "~"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// Whether `s[range]` ends with `.suffix` or equals `suffix` (ASCII case-insensitive).
    private static func domain(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, isOrEndsWith suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        if range.count == n { return ByteScan.equalsFolded(s, range, suffix) }
        guard range.count > n else { return false }
        let start = range.upperBound - n
        return s[start - 1] == ByteClass.dot && ByteScan.equalsFolded(s, start..<range.upperBound, suffix)
    }

    /// Local part ≤ 64, domain ≤ 253 with labels ≤ 63, alphabetic TLD of ≥ 2 letters (or an
    /// `xn--` IDN label) that is not a file extension; bare-version local parts and numeric
    /// domains are rejected. Reserved domains → `.weak`.
    static func email(_ s: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        var atIndex = -1
        for i in 0..<s.count where s[i] == ByteClass.at {
            if atIndex >= 0 { return .invalid }
            atIndex = i
        }
        guard atIndex > 0 else { return .invalid }
        let local = 0..<atIndex
        let domain = (atIndex + 1)..<s.count
        guard local.count <= 64, !domain.isEmpty, domain.count <= 253 else { return .invalid }

        // Local part: allowed characters, no leading/trailing/double dot.
        var previousDot = true
        var onlyVersionChars = true // digits and dots, optional leading "v"
        var sawDot = false
        for i in local {
            let b = s[i]
            if b == ByteClass.dot {
                if previousDot { return .invalid }
                previousDot = true
                sawDot = true
                continue
            }
            guard isLocalChar(b) else { return .invalid }
            previousDot = false
            if !(ByteClass.isDigit(b) || (i == 0 && (b == UInt8(ascii: "v") || b == UInt8(ascii: "V")))) {
                onlyVersionChars = false
            }
        }
        if previousDot { return .invalid }
        if onlyVersionChars && sawDot { return .invalid } // "1.2.3@…": a version, not a mailbox

        // Domain labels.
        var labelStart = domain.lowerBound
        var labels = 0
        var allNumeric = true
        var tld = domain
        var i = domain.lowerBound
        while i <= domain.upperBound {
            if i == domain.upperBound || s[i] == ByteClass.dot {
                let label = labelStart..<i
                guard (1...63).contains(label.count),
                      s[label.lowerBound] != ByteClass.dash, s[label.upperBound - 1] != ByteClass.dash
                else { return .invalid }
                if !ByteScan.allDigits(s, label) { allNumeric = false }
                labels += 1
                tld = label
                labelStart = i + 1
            } else {
                let b = s[i]
                guard ByteClass.isAlnum(b) || b == ByteClass.dash || b >= 0x80 else { return .invalid }
            }
            i += 1
        }
        guard labels >= 2, !allNumeric else { return .invalid }

        // TLD: letters (ASCII or non-ASCII UTF-8), ≥ 2, or punycode "xn--…".
        if tld.count >= 5 && ByteScan.equalsFolded(s, tld.lowerBound..<(tld.lowerBound + 4), "xn--") {
            for j in (tld.lowerBound + 4)..<tld.upperBound where !(ByteClass.isAlnum(s[j]) || s[j] == ByteClass.dash) {
                return .invalid
            }
        } else {
            guard tld.count >= 2 else { return .invalid }
            for j in tld where !(ByteClass.isLetter(s[j]) || s[j] >= 0x80) { return .invalid }
            for ext in fileExtensions where ByteScan.equalsFolded(s, tld, ext) { return .invalid }
        }

        for reserved in reservedTLDs where ByteScan.equalsFolded(s, tld, reserved) { return .weak }
        for reserved in reservedDomains where self.domain(s, domain, isOrEndsWith: reserved) { return .weak }
        return .plausible
    }

    // MARK: - Phone numbers

    /// What `readPhone` noticed besides the digits: a leading `+`, and a parenthesised trunk
    /// prefix `(0)` after the country code (dropped from the digits).
    private struct PhoneDigits {
        var plus = false
        var trunkInParentheses = false
    }

    /// Collects the digits of a phone candidate into `d`; returns the digit count, or -1 when a
    /// byte is not a digit / allowed separator or `+` is misplaced.
    private static func readPhone(_ input: UnsafeBufferPointer<UInt8>, into d: UnsafeMutableBufferPointer<UInt8>, info: inout PhoneDigits) -> Int {
        let allowed: SeparatorKinds = [.space, .dot, .dash, .slash, .nbsp, .narrowNbsp, .parentheses]
        var count = 0
        var i = 0
        while i < input.count {
            let b = input[i]
            if ByteClass.isDigit(b) {
                guard count < d.count else { return -1 }
                d[count] = b
                count += 1
                i += 1
                continue
            }
            if b == ByteClass.plus {
                guard count == 0, !info.plus else { return -1 }
                info.plus = true
                i += 1
                continue
            }
            // "(0)" after the country code: the trunk prefix shown for national dialling.
            if b == ByteClass.openParen, count > 0, i + 2 < input.count,
               input[i + 1] == ByteClass.zero, input[i + 2] == ByteClass.closeParen {
                guard !info.trunkInParentheses else { return -1 }
                info.trunkInParentheses = true
                i += 3
                continue
            }
            if let sep = ByteScan.separator(in: input, at: i), allowed.contains(sep.0) {
                i += sep.1
                continue
            }
            return -1
        }
        return count
    }

    @inline(__always)
    private static func digit(_ n: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int { ByteClass.digitValue(n[i]) }

    /// Metropolitan France NSN (9 digits) against the libphonenumber FR type ranges of spec §10:
    /// fixed, mobile, toll-free, UAN, shared cost, premium, VoIP.
    static func isMetropolitanNSN(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
        let d0 = digit(n, 0), d1 = digit(n, 1), d2 = digit(n, 2)
        switch d0 {
        case 1, 3:
            return true // fixed (1x, 3x)
        case 2:
            if d1 == 6 { return d2 != 2 } // 26[013-9]
            return true // 2[0-57-9]
        case 4:
            return d1 >= 1 // 4[1-9]
        case 5:
            if d1 == 9 { return d2 != 0 && d2 != 4 } // 59[1-35-9]
            return true // 5[0-8]
        case 6:
            switch d1 {
            case 3: return d2 <= 8
            case 9: return d2 == 5 || d2 == 8 || d2 == 9
            default: return true // 6[0-24-8]
            }
        case 7:
            return d1 >= 3 // 7[3-9]
        case 8:
            switch d1 {
            case 0: return true // toll-free 80[0-5], UAN 80[6-9]
            case 1: return true // shared 81[01], premium 81[2-9]
            case 2: return true // shared 82[0156] + premium 82[2-47-9] = all of 82x
            case 3:
                if d2 == 6 {
                    // premium 836(?:0[0-36-9]|[1-9]\d)
                    let d3 = digit(n, 3), d4 = digit(n, 4)
                    return !(d3 == 0 && (d4 == 4 || d4 == 5))
                }
                return true // 83[0-57-9]
            case 4: return d2 == 0 || d2 == 2 || d2 == 4 // shared 84[024]
            case 5, 6, 9: return true // premium 8[569]x
            case 8: return true // shared 884, premium 88[0-35-9]
            default: return false // 87x
            }
        case 9:
            return true // VoIP 9\d{8}
        default:
            return false
        }
    }

    /// Overseas departments sharing the French 10-digit national plan (spec §10): Réunion/Mayotte
    /// (+262), Guadeloupe (+590), Guyane (+594), Martinique (+596). `cc` = 0 accepts any of them
    /// (national form). Fixed and mobile blocks per department; 8xx non-geographic; VoIP 939/947/976.
    static func isOverseasNSN(_ n: UnsafeBufferPointer<UInt8>, countryCode cc: Int) -> Bool {
        let block = ByteScan.number(n, 0..<3)
        switch block {
        case 262, 263, 269, 639, 692, 693: return cc == 0 || cc == 262
        case 590, 690, 691: return cc == 0 || cc == 590
        case 594, 694: return cc == 0 || cc == 594
        case 596, 696, 697: return cc == 0 || cc == 596
        case 939, 947, 976: return true
        default:
            let d1 = digit(n, 1)
            return digit(n, 0) == 8 && (d1 <= 2 || d1 == 4 || d1 == 8 || d1 == 9)
        }
    }

    /// Reads the digits of a phone number into a small stack buffer and hands them to `body`.
    private static func withPhoneDigits(_ input: UnsafeBufferPointer<UInt8>, capacity: Int,
                                _ body: (UnsafeBufferPointer<UInt8>, PhoneDigits) -> ValidationOutcome) -> ValidationOutcome {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { d -> ValidationOutcome in
            var info = PhoneDigits()
            let count = readPhone(input, into: d, info: &info)
            guard count > 0, let base = d.baseAddress else { return .invalid }
            return body(UnsafeBufferPointer(start: base, count: count), info)
        }
    }

    /// French numbers in national (`0X XX XX XX XX`) or international (`+33`, `0033`, `(+33)`,
    /// `+33 (0)`) form, including the overseas country codes 262/590/594/596.
    static func frPhone(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        withPhoneDigits(input, capacity: 16) { digits, info -> ValidationOutcome in
            let count = digits.count
            var start: Int
            var cc = -1
            if info.plus {
                start = 0
            } else if count >= 2 && digits[0] == ByteClass.zero && digits[1] == ByteClass.zero {
                start = 2
            } else if count == 10 && digits[0] == ByteClass.zero && !info.trunkInParentheses {
                start = 1
                cc = 0
            } else {
                return .invalid
            }
            if cc < 0 {
                // International: country code then exactly 9 NSN digits.
                let remaining = count - start
                if remaining == 11 && ByteScan.equals(digits, start..<(start + 2), "33") {
                    cc = 33
                    start += 2
                } else if remaining == 12 && ByteScan.equals(digits, start..<(start + 3), "330") {
                    // "+33 01 47 42 71 71": the trunk 0 kept after the country code, a common
                    // way of writing French numbers (like "+33 (0)1 ...").
                    cc = 33
                    start += 3
                } else if remaining == 12 {
                    let code = ByteScan.number(digits, start..<(start + 3))
                    guard code == 262 || code == 590 || code == 594 || code == 596 else { return .invalid }
                    cc = code
                    start += 3
                } else {
                    return .invalid
                }
            }
            let nsn = UnsafeBufferPointer(rebasing: digits[start..<count])
            guard nsn.count == 9, nsn[0] != ByteClass.zero, !ByteScan.allSame(nsn, 0..<9) else { return .invalid }
            let ok: Bool
            switch cc {
            case 0: ok = isMetropolitanNSN(nsn) || isOverseasNSN(nsn, countryCode: 0)
            case 33: ok = isMetropolitanNSN(nsn)
            default: ok = isOverseasNSN(nsn, countryCode: cc)
            }
            return ok ? .plausible : .invalid
        }
    }

    /// International E.164-style number: `+` or `00`, then 8–15 digits whose country code does
    /// not start with 0. Separators, parentheses and a `(0)` trunk are tolerated.
    static func intlPhone(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        withPhoneDigits(input, capacity: 20) { digits, info -> ValidationOutcome in
            let count = digits.count
            let start: Int
            if info.plus {
                start = 0
            } else if count >= 2 && digits[0] == ByteClass.zero && digits[1] == ByteClass.zero {
                start = 2
            } else {
                return .invalid
            }
            let n = count - start
            guard (8...15).contains(n), digits[start] != ByteClass.zero,
                  !ByteScan.allSame(digits, start..<count) else { return .invalid }
            return .plausible
        }
    }
}
