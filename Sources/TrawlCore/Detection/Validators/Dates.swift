// Date-of-birth validator: parses the date shapes of spec §13 and checks that they name a real,
// past calendar day from 1900 on. Whether a date is a *birth* date is decided by context
// elsewhere; this only rejects impossible or partial dates.

import Foundation

enum DateValidators {

    /// Today as a day number (days since 1970-01-01, UTC), from `Date()`.
    static func today() -> Int { Day.today().number }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int { Day.number(year: year, month: month, day: day) }

    /// Year of a day number.
    static func year(ofDay z: Int) -> Int { Day(number: z).civil.year }

    static func isLeap(_ y: Int) -> Bool { Day.isLeap(y) }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int { Day.daysIn(year: y, month: m) }

    /// A real calendar date, year ≥ 1900, not after today (one day of slack for time zones
    /// ahead of UTC).
    static func isAcceptable(year: Int, month: Int, day: Int, today: Int) -> Bool {
        guard year >= 1900, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return false }
        return dayNumber(year: year, month: month, day: day) <= today + 1
    }

    /// Expands a 2-digit year: ≤ current yy → 20yy, else 19yy.
    static func expandYear(_ value: Int, digits: Int, today: Int) -> Int {
        guard digits == 2 else { return value }
        let current = year(ofDay: today)
        return value <= current % 100 ? 2000 + value : 1900 + value
    }

    // MARK: - Tokens

    private enum Kind { case number, word }

    private struct Token {
        var kind: Kind = .number
        var start = 0 // in the folded buffer
        var end = 0
        var value = 0 // numbers
        /// Separator bytes seen before this token (bit set of SeparatorKinds raw values + comma).
        var separatorBefore: UInt16 = 0
        var ordinal = false
    }

    private static let commaBit: UInt16 = 1 << 15

    /// Month names (French and English, full and abbreviated), accent-folded and lower-case.
    private static let months: [(StaticString, Int)] = [
        ("janvier", 1), ("janv", 1), ("january", 1), ("jan", 1),
        ("fevrier", 2), ("fevr", 2), ("fev", 2), ("february", 2), ("feb", 2),
        ("mars", 3), ("march", 3), ("mar", 3),
        ("avril", 4), ("avr", 4), ("april", 4), ("apr", 4),
        ("mai", 5), ("may", 5),
        ("juin", 6), ("june", 6), ("jun", 6),
        ("juillet", 7), ("juil", 7), ("july", 7), ("jul", 7),
        ("aout", 8), ("august", 8), ("aug", 8),
        ("septembre", 9), ("september", 9), ("sept", 9), ("sep", 9),
        ("octobre", 10), ("october", 10), ("oct", 10),
        ("novembre", 11), ("november", 11), ("nov", 11),
        ("decembre", 12), ("december", 12), ("dec", 12),
    ]

    private static let ordinalSuffixes: [StaticString] = ["er", "st", "nd", "rd", "th"]

    private static func month(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        for (name, number) in months where ByteScan.equals(s, range, name) { return number }
        return nil
    }

    // MARK: - Validator

    static func dateOfBirth(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        guard !input.isEmpty, input.count <= 64 else { return .invalid }
        let today = today()
        if let iso = isoDateTime(input, today: today) { return iso ? .plausible : .invalid }
        // An unpadded date with a time ("1962-2-18 00:00:00"): the date decides, the time must be one.
        if input.count > 8, let space = input.lastIndex(of: ByteClass.space), space >= 6, input[space - 1] != ByteClass.space,
           ByteClass.isDigit(input[space - 1]), isTime(input, from: space + 1) {
            return dateOfBirth(UnsafeBufferPointer(rebasing: input[0..<space]))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { folded -> ValidationOutcome in
            withUnsafeTemporaryAllocation(of: Token.self, capacity: 4) { tokens -> ValidationOutcome in
                guard let count = tokenize(input, folded: folded, tokens: tokens),
                      let base = folded.baseAddress
                else { return .invalid }
                let f = UnsafeBufferPointer(start: base, count: 64)
                return interpret(f, tokens, count, today: today) ? .plausible : .invalid
            }
        }
    }

    /// `yyyy-mm-dd`, optionally followed by `T` or a space and a time `hh:mm[:ss[.fff]][Z|±hh[:mm]]`.
    /// Returns nil when the input does not start like an ISO date.
    private static func isoDateTime(_ s: UnsafeBufferPointer<UInt8>, today: Int) -> Bool? {
        guard s.count >= 10, ByteScan.allDigits(s, 0..<4), s[4] == ByteClass.dash,
              ByteScan.allDigits(s, 5..<7), s[7] == ByteClass.dash, ByteScan.allDigits(s, 8..<10)
        else { return nil }
        let ok = isAcceptable(year: ByteScan.number(s, 0..<4), month: ByteScan.number(s, 5..<7),
                              day: ByteScan.number(s, 8..<10), today: today)
        guard ok else { return false }
        if s.count == 10 { return true }
        guard s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == ByteClass.space else { return false }
        return isTime(s, from: 11)
    }

    private static func isTime(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var i = start
        func twoDigits(max: Int) -> Bool {
            guard i + 2 <= s.count, ByteScan.allDigits(s, i..<(i + 2)), ByteScan.number(s, i..<(i + 2)) <= max else { return false }
            i += 2
            return true
        }
        guard twoDigits(max: 23), i < s.count, s[i] == ByteClass.colon else { return false }
        i += 1
        guard twoDigits(max: 59) else { return false }
        if i < s.count && s[i] == ByteClass.colon {
            i += 1
            guard twoDigits(max: 60) else { return false }
            if i < s.count && (s[i] == ByteClass.dot || s[i] == ByteClass.comma) {
                i += 1
                let fractionStart = i
                while i < s.count && ByteClass.isDigit(s[i]) { i += 1 }
                guard i > fractionStart, i - fractionStart <= 9 else { return false }
            }
        }
        if i == s.count { return true }
        let b = s[i]
        if b == UInt8(ascii: "Z") || b == UInt8(ascii: "z") { return i + 1 == s.count }
        guard b == ByteClass.plus || b == ByteClass.dash else { return false }
        i += 1
        guard twoDigits(max: 14) else { return false }
        if i == s.count { return true }
        if s[i] == ByteClass.colon { i += 1 }
        guard twoDigits(max: 59) else { return false }
        return i == s.count
    }

    /// Splits the input into at most 3 tokens (numbers and accent-folded lower-case words); an
    /// ordinal suffix (`1er`, `5th`) is merged into its number. Returns nil on anything else.
    private static func tokenize(
        _ s: UnsafeBufferPointer<UInt8>,
        folded: UnsafeMutableBufferPointer<UInt8>,
        tokens: UnsafeMutableBufferPointer<Token>
    ) -> Int? {
        let allowed: SeparatorKinds = [.space, .dot, .dash, .slash, .nbsp, .narrowNbsp]
        var count = 0
        var out = 0
        var pendingSeparators: UInt16 = 0
        var current: Token?
        func finish() -> Bool {
            guard var token = current else { return true }
            current = nil
            token.end = out
            // Ordinal suffix directly after a number: "1er", "5th".
            if token.kind == .word, count > 0, tokens[count - 1].kind == .number,
               token.separatorBefore == 0, !tokens[count - 1].ordinal {
                let range = token.start..<token.end
                let foldedBuffer = UnsafeBufferPointer(folded)
                for suffix in ordinalSuffixes where ByteScan.equals(foldedBuffer, range, suffix) {
                    tokens[count - 1].ordinal = true
                    return true
                }
                return false
            }
            guard count < 3 else { return false }
            tokens[count] = token
            count += 1
            return true
        }
        var i = 0
        while i < s.count {
            let b = s[i]
            var letter: UInt8 = 0
            var width = 1
            if ByteClass.isLetter(b) {
                letter = ByteClass.lower(b)
            } else if b == 0xC3, i + 1 < s.count {
                // Latin-1 supplement accents used in French month names.
                switch s[i + 1] {
                case 0xA8, 0xA9, 0xAA, 0xAB, 0x88, 0x89, 0x8A, 0x8B: letter = UInt8(ascii: "e")
                case 0xB9, 0xBB, 0xBC, 0x99, 0x9B, 0x9C: letter = UInt8(ascii: "u")
                default: return nil
                }
                width = 2
            }
            if letter != 0 || ByteClass.isDigit(b) {
                let kind: Kind = letter != 0 ? .word : .number
                if let c = current, c.kind != kind {
                    guard finish() else { return nil }
                }
                if current == nil {
                    current = Token(kind: kind, start: out, end: out, value: 0, separatorBefore: pendingSeparators)
                    pendingSeparators = 0
                }
                guard out < folded.count else { return nil }
                if kind == .number {
                    guard let c = current, c.value < 100_000_000 else { return nil }
                    current?.value = c.value * 10 + ByteClass.digitValue(b)
                    folded[out] = b
                } else {
                    folded[out] = letter
                }
                out += 1
                i += width
                continue
            }
            guard finish() else { return nil }
            if b == ByteClass.comma {
                pendingSeparators |= commaBit
                i += 1
                continue
            }
            guard let sep = ByteScan.separator(in: s, at: i), allowed.contains(sep.0) else { return nil }
            // NBSP variants count as a space for consistency checks.
            pendingSeparators |= SeparatorKinds.spaces.contains(sep.0) ? SeparatorKinds.space.rawValue : sep.0.rawValue
            i += sep.1
        }
        guard finish() else { return nil }
        return count
    }

    private static func interpret(_ f: UnsafeBufferPointer<UInt8>, _ t: UnsafeMutableBufferPointer<Token>, _ count: Int, today: Int) -> Bool {
        @inline(__always) func digits(_ k: Int) -> Int { t[k].end - t[k].start }
        if count == 1 {
            // Compact yyyymmdd, then ddmmyyyy.
            guard t[0].kind == .number, digits(0) == 8, !t[0].ordinal else { return false }
            let v = t[0].value
            if isAcceptable(year: v / 10_000, month: v / 100 % 100, day: v % 100, today: today) { return true }
            return isAcceptable(year: v % 10_000, month: v / 10_000 % 100, day: v / 1_000_000, today: today)
        }
        guard count == 3 else { return false }
        let kinds = (t[0].kind, t[1].kind, t[2].kind)
        switch kinds {
        case (.number, .number, .number):
            // Same single separator between the three numbers; no ordinals.
            let s1 = t[1].separatorBefore, s2 = t[2].separatorBefore
            guard s1 == s2, s1.nonzeroBitCount == 1, s1 != commaBit,
                  !t[0].ordinal, !t[1].ordinal, !t[2].ordinal else { return false }
            if digits(0) == 4 {
                // y/m/d with / . or -
                guard (1...2).contains(digits(1)), (1...2).contains(digits(2)) else { return false }
                return isAcceptable(year: t[0].value, month: t[1].value, day: t[2].value, today: today)
            }
            guard (1...2).contains(digits(0)), (1...2).contains(digits(1)),
                  digits(2) == 2 || digits(2) == 4 else { return false }
            let y = expandYear(t[2].value, digits: digits(2), today: today)
            // French order first; US m/d/y only when day-first is impossible.
            if isAcceptable(year: y, month: t[1].value, day: t[0].value, today: today) { return true }
            return t[1].value > 12 && isAcceptable(year: y, month: t[0].value, day: t[1].value, today: today)
        case (.number, .word, .number):
            // "12 mars 1998", "1er janvier 2001", "5-May-2021"
            guard let m = month(f, t[1].start..<t[1].end), !t[2].ordinal,
                  (1...2).contains(digits(0)), digits(2) == 2 || digits(2) == 4 else { return false }
            let y = expandYear(t[2].value, digits: digits(2), today: today)
            return isAcceptable(year: y, month: m, day: t[0].value, today: today)
        case (.word, .number, .number):
            // "May 5, 2021"
            guard let m = month(f, t[0].start..<t[0].end), !t[2].ordinal,
                  (1...2).contains(digits(1)), digits(2) == 4 else { return false }
            return isAcceptable(year: t[2].value, month: m, day: t[1].value, today: today)
        default:
            return false
        }
    }
}
