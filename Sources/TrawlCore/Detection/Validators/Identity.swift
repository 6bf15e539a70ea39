// Identity validators: French NIR, US SSN, ICAO MRZ, SIREN/SIRET, French INE.
// Spec references: detectors-spec.md §1 (NIR), §2 (SSN), §3 (INE), §6 (MRZ), §9 (SIREN/SIRET).

enum IdentityValidators {

    // MARK: - NIR (French social security number)

    /// 15 characters (13-char body + 2-digit key), print spacing/dots/NBSP removed, upper-cased.
    /// Corsica `2A`/`2B` become `19`/`18` for the key; `key = 97 − (body mod 97)`.
    ///
    /// Leading digit: `1`/`2` (sex) and `7` (NIA provisional numbers). The CNAM reference
    /// validator's vector with leading `8` is marked invalid in the test vectors, so `8` is
    /// rejected even when its key is arithmetically correct; `0`, `3`–`6`, `9` are rejected too.
    /// Month: `01`–`12`, or the pseudo-months `20`–`99` used for incomplete civil-status records.
    static func frNIR(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        let allowed: SeparatorKinds = [.space, .dot, .nbsp, .narrowNbsp]
        return ByteScan.withCompacted(input, maxCount: 15, allowed: allowed, uppercase: true) { s, _ in
            guard s.count == 15 else { return .invalid }
            let sex = s[0]
            guard sex == UInt8(ascii: "1") || sex == UInt8(ascii: "2") || sex == UInt8(ascii: "7") else {
                return .invalid
            }
            guard ByteScan.allDigits(s, 1..<5), ByteScan.allDigits(s, 7..<15) else { return .invalid }
            let month = ByteScan.number(s, 3..<5)
            guard (1...12).contains(month) || (20...99).contains(month) else { return .invalid }
            // Département: two digits, or 2A / 2B (Corsica) → 19 / 18 for the key computation.
            let deptForKey: Int
            if ByteScan.allDigits(s, 5..<7) {
                deptForKey = ByteScan.number(s, 5..<7)
            } else if s[5] == UInt8(ascii: "2") && s[6] == UInt8(ascii: "A") {
                deptForKey = 19
            } else if s[5] == UInt8(ascii: "2") && s[6] == UInt8(ascii: "B") {
                deptForKey = 18
            } else {
                return .invalid
            }
            let body = ByteScan.number(s, 0..<5) * 100_000_000 + deptForKey * 1_000_000 + ByteScan.number(s, 7..<13)
            let key = ByteScan.number(s, 13..<15)
            return 97 - body % 97 == key ? .checksum : .invalid
        } ?? .invalid
    }

    // MARK: - US SSN

    /// `AAA-GG-SSSS` with one consistent separator (`-`, `.`, space) or 9 bare digits; forbidden
    /// ranges and published numbers rejected (python-stdnum + Presidio rules, spec §2).
    static func usSSN(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 9) { d -> ValidationOutcome in
            let n = input.count
            if n == 9 {
                for i in 0..<9 {
                    guard ByteClass.isDigit(input[i]) else { return .invalid }
                    d[i] = input[i]
                }
            } else if n == 11 {
                let sep = input[3]
                guard sep == ByteClass.dash || sep == ByteClass.dot || sep == ByteClass.space, input[6] == sep else {
                    return .invalid
                }
                var j = 0
                for i in 0..<11 where i != 3 && i != 6 {
                    guard ByteClass.isDigit(input[i]) else { return .invalid }
                    d[j] = input[i]
                    j += 1
                }
            } else {
                return .invalid
            }
            guard let base = d.baseAddress else { return .invalid }
            let s = UnsafeBufferPointer(start: base, count: 9)
            let area = ByteScan.number(s, 0..<3)
            let group = ByteScan.number(s, 3..<5)
            let serial = ByteScan.number(s, 5..<9)
            guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return .invalid }
            let all = ByteScan.number(s, 0..<9)
            // python-stdnum blacklist: Woolworth wallet card and two advertised numbers.
            if all == 78_051_120 || all == 219_099_999 || all == 457_555_462 { return .invalid }
            // Presidio: all-same digit, 123456789, 98765432x.
            if ByteScan.allSame(s, 0..<9) || all == 123_456_789 || all / 10 == 98_765_432 { return .invalid }
            return .plausible
        }
    }

    // MARK: - MRZ (ICAO 9303)

    /// Machine-readable zone: 2 or 3 lines separated by `\n` / `\r\n` (spaces inside lines are
    /// OCR noise and ignored). The layouts that fit the line count and lengths are tried; the
    /// value is `.checksum` when one layout verifies all of its check digits.
    static func mrz(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * 44) { buffer -> ValidationOutcome in
            var lineStart = (0, 0, 0)
            var lineLength = (0, 0, 0)
            var lines = 0
            var count = 0
            var current = 0
            func closeLine() -> Bool {
                if current == 0 { return true } // blank line (leading/trailing newline)
                guard lines < 3 else { return false }
                switch lines {
                case 0: lineStart.0 = count - current; lineLength.0 = current
                case 1: lineStart.1 = count - current; lineLength.1 = current
                default: lineStart.2 = count - current; lineLength.2 = current
                }
                lines += 1
                current = 0
                return true
            }
            for b in input {
                switch b {
                case ByteClass.newline:
                    guard closeLine() else { return .invalid }
                case ByteClass.carriageReturn, ByteClass.space:
                    continue
                default:
                    guard count < 3 * 44, current < 44 else { return .invalid }
                    let u = ByteClass.upper(b)
                    guard u == ByteClass.lessThan || ByteClass.isDigit(u) || ByteClass.isUpper(u) else { return .invalid }
                    buffer[count] = u
                    count += 1
                    current += 1
                }
            }
            guard closeLine(), let base = buffer.baseAddress else { return .invalid }
            let all = UnsafeBufferPointer(start: base, count: count)
            let l1 = UnsafeBufferPointer(rebasing: all[lineStart.0..<(lineStart.0 + lineLength.0)])
            let l2 = UnsafeBufferPointer(rebasing: all[lineStart.1..<(lineStart.1 + lineLength.1)])
            switch (lines, lineLength.0, lineLength.1, lineLength.2) {
            case (3, 30, 30, 30):
                let l3 = UnsafeBufferPointer(rebasing: all[lineStart.2..<(lineStart.2 + lineLength.2)])
                return td1(l1, l2, l3) ? .checksum : .invalid
            case (2, 36, 36, _):
                if td2(l1, l2, composite: true) || legacyFrenchID(l1, l2) { return .checksum }
                if l1[0] == UInt8(ascii: "V") && td2(l1, l2, composite: false) { return .checksum } // MRV-B
                return .invalid
            case (2, 44, 44, _):
                if l1[0] == UInt8(ascii: "P") && td3(l2, composite: true) { return .checksum }
                if l1[0] == UInt8(ascii: "V") && td3(l2, composite: false) { return .checksum } // MRV-A
                return .invalid
            default:
                return .invalid
            }
        }
    }

    /// Verifies the document-number check digit of a TD1 line 1, following the long-number rule
    /// (L1 15 = `<`: the number continues in the optional field, its check digit being the last
    /// character before the filler).
    private static func td1DocumentNumber(_ l1: UnsafeBufferPointer<UInt8>) -> Bool {
        if l1[14] != ByteClass.lessThan { return CheckDigits.icaoField(l1, 5..<14, check: l1[14]) }
        // All-filler field with `<` check: nothing to verify.
        if l1[15] == ByteClass.lessThan { return CheckDigits.icaoField(l1, 5..<14, check: ByteClass.lessThan) }
        var end = 15
        while end < 30 && l1[end] != ByteClass.lessThan { end += 1 }
        // Optional-field part of the number is 15..<(end-1); check digit at end-1.
        var sum = 0
        var pos = 0
        guard end - 1 > 15,
              CheckDigits.icaoAccumulate(l1, 5..<14, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l1, 15..<(end - 1), sum: &sum, position: &pos)
        else { return false }
        return CheckDigits.icaoMatches(sum, l1[end - 1])
    }

    /// TD1 (3 × 30): document number, birth date, expiry and composite digits.
    static func td1(_ l1: UnsafeBufferPointer<UInt8>, _ l2: UnsafeBufferPointer<UInt8>, _ l3: UnsafeBufferPointer<UInt8>) -> Bool {
        let type = l1[0]
        guard type == UInt8(ascii: "A") || type == UInt8(ascii: "C") || type == UInt8(ascii: "I") else { return false }
        guard ByteScan.allDigits(l2, 0..<6), ByteScan.allDigits(l2, 8..<14) else { return false }
        guard td1DocumentNumber(l1),
              CheckDigits.icaoField(l2, 0..<6, check: l2[6]),
              CheckDigits.icaoField(l2, 8..<14, check: l2[14])
        else { return false }
        // Line 3 carries the name only; it must be letters and fillers.
        for b in l3 where !(ByteClass.isUpper(b) || b == ByteClass.lessThan) { return false }
        var sum = 0
        var pos = 0
        guard CheckDigits.icaoAccumulate(l1, 5..<30, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 0..<7, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 8..<15, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 18..<29, sum: &sum, position: &pos)
        else { return false }
        return CheckDigits.icaoMatches(sum, l2[29])
    }

    /// TD2 (2 × 36) line 2, or MRV-B when `composite` is false.
    static func td2(_ l1: UnsafeBufferPointer<UInt8>, _ l2: UnsafeBufferPointer<UInt8>, composite: Bool) -> Bool {
        let type = l1[0]
        if composite {
            guard type == UInt8(ascii: "A") || type == UInt8(ascii: "C") || type == UInt8(ascii: "I")
                || type == UInt8(ascii: "P") else { return false }
        }
        guard numberBirthExpiry(l2) else { return false }
        return !composite || compositeCheck(l2, tailEnd: 35)
    }

    /// Document number, birth date and expiry with their check digits: the same positions in
    /// TD2, TD3 and MRV line 2.
    static func numberBirthExpiry(_ l2: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteScan.allDigits(l2, 13..<19) && ByteScan.allDigits(l2, 21..<27)
            && CheckDigits.icaoField(l2, 0..<9, check: l2[9])
            && CheckDigits.icaoField(l2, 13..<19, check: l2[19])
            && CheckDigits.icaoField(l2, 21..<27, check: l2[27])
    }

    /// The composite check digit over 1–10, 14–20 and 22–`tailEnd`, stored at `tailEnd`.
    static func compositeCheck(_ l2: UnsafeBufferPointer<UInt8>, tailEnd: Int) -> Bool {
        var sum = 0
        var pos = 0
        guard CheckDigits.icaoAccumulate(l2, 0..<10, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 13..<20, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 21..<tailEnd, sum: &sum, position: &pos)
        else { return false }
        return CheckDigits.icaoMatches(sum, l2[tailEnd])
    }

    /// TD3 (2 × 44) line 2, or MRV-A when `composite` is false.
    static func td3(_ l2: UnsafeBufferPointer<UInt8>, composite: Bool) -> Bool {
        guard numberBirthExpiry(l2) else { return false }
        if !composite { return true }
        return CheckDigits.icaoField(l2, 28..<42, check: l2[42]) && compositeCheck(l2, tailEnd: 43)
    }

    /// Legacy French identity card (1988–2021), 2 × 36, non-ICAO layout (spec §6): card number
    /// L2 1–12 → 13; birth date L2 28–33 → 34; final digit 36 over all of L1 + L2 1–35.
    static func legacyFrenchID(_ l1: UnsafeBufferPointer<UInt8>, _ l2: UnsafeBufferPointer<UInt8>) -> Bool {
        guard ByteScan.equals(l1, 0..<5, "IDFRA"), ByteScan.allDigits(l2, 27..<33),
              CheckDigits.icaoField(l2, 0..<12, check: l2[12]),
              CheckDigits.icaoField(l2, 27..<33, check: l2[33])
        else { return false }
        var sum = 0
        var pos = 0
        guard CheckDigits.icaoAccumulate(l1, 0..<36, sum: &sum, position: &pos),
              CheckDigits.icaoAccumulate(l2, 0..<35, sum: &sum, position: &pos)
        else { return false }
        return CheckDigits.icaoMatches(sum, l2[35])
    }

    // MARK: - SIREN / SIRET

    private static let companyAllowed: SeparatorKinds = [.space, .dot, .dash, .nbsp, .narrowNbsp]

    /// 9 digits, Luhn.
    static func siren(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 9, allowed: companyAllowed, uppercase: false) { s, _ in
            guard s.count == 9, ByteScan.allDigits(s) else { return .invalid }
            return CheckDigits.luhn(s) ? .checksum : .invalid
        } ?? .invalid
    }

    /// 14 digits: Luhn on all 14 and on the SIREN prefix; La Poste (SIREN 356000000) establishments
    /// other than the head office use "digit sum multiple of 5" instead (python-stdnum).
    static func siret(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 14, allowed: companyAllowed, uppercase: false) { s, _ in
            guard s.count == 14, ByteScan.allDigits(s) else { return .invalid }
            if ByteScan.equals(s, 0..<9, "356000000") && !ByteScan.equals(s, 0..<14, "35600000000048") {
                var sum = 0
                for b in s { sum += ByteClass.digitValue(b) }
                return sum % 5 == 0 ? .checksum : .invalid
            }
            return CheckDigits.luhn(s) && CheckDigits.luhn(s, 0..<9) ? .checksum : .invalid
        } ?? .invalid
    }

    // MARK: - INE (French national student identifier)

    /// 23-letter alphabet of the INE-BEA key (no I, O, Q).
    private static let bea23: StaticString = "ABCDEFGHJKLMNPRSTUVWXYZ"

    @inline(__always)
    private static func isBEALetter(_ b: UInt8) -> Bool {
        ByteClass.isUpper(b) && b != UInt8(ascii: "I") && b != UInt8(ascii: "O") && b != UInt8(ascii: "Q")
    }

    /// INE variants of spec §3 (case-insensitive):
    /// - INE-BEA `\d{10}[A-HJ-NPR-Z]`: mod-23 key letter → `.checksum` / `.invalid`;
    /// - INE base 36 (university NNE) `[0-9A-Z]{10}\d`: ESUP key → `.checksum` / `.invalid`;
    /// - INE-RNIE `\d{9}[A-HJK]{2}`, SIFA `\d{4}A\d{5}[A-HJ-NPR-Z]`, provisional
    ///   `\d{4}D\d{5}[A-HJ-NPR-Z]`: algorithm not public → `.plausible` on format.
    static func frINE(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 11, allowed: .spaces, uppercase: true) { s, _ in
            guard s.count == 11 else { return .invalid }
            let last = s[10]
            // INE-BEA
            if ByteScan.allDigits(s, 0..<10) && isBEALetter(last) {
                if ByteScan.allSame(s, 0..<10) { return .invalid }
                let index = ByteScan.number(s, 0..<10) % 23
                return bea23.utf8Start[index] == last ? .checksum : .invalid
            }
            // INE-RNIE
            if ByteScan.allDigits(s, 0..<9) {
                let a = s[9], b = s[10]
                if (a &- ByteClass.upperA) < 11 && a != UInt8(ascii: "I") && (b &- ByteClass.upperA) < 11 && b != UInt8(ascii: "I") {
                    return .plausible
                }
            }
            // INE-SIFA / provisional
            if ByteScan.allDigits(s, 0..<4), s[4] == UInt8(ascii: "A") || s[4] == UInt8(ascii: "D"),
               ByteScan.allDigits(s, 5..<10), isBEALetter(last) {
                return .plausible
            }
            // INE base 36 (NNE)
            if ByteClass.isDigit(last) {
                var sum = 0
                var letters = 0
                for i in 0..<10 {
                    let v = ByteClass.base36(s[i])
                    guard v >= 0 else { return .invalid }
                    if v >= 10 { letters += 1 }
                    sum += i < 9 ? 6 * v : v
                }
                if letters == 10 || (letters == 0 && ByteScan.allSame(s, 0..<10)) { return .invalid }
                return sum % 10 == ByteClass.digitValue(last) ? .checksum : .invalid
            }
            return .invalid
        } ?? .invalid
    }
}
