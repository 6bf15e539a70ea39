// Shared byte-level helpers for the validators: separator handling, Luhn, ISO 7064 mod 97-10,
// ICAO 9303 7-3-1 check digits. Everything works on the raw UTF-8 bytes of a match; nothing here
// converts to `String` or allocates on the heap (scratch space comes from
// `withUnsafeTemporaryAllocation`, which stays on the stack for the small sizes used here).

/// ASCII byte constants and classification.
enum ByteClass {
    static let space: UInt8 = 0x20
    static let dot: UInt8 = 0x2E
    static let dash: UInt8 = 0x2D
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let plus: UInt8 = 0x2B
    static let at: UInt8 = 0x40
    static let percent: UInt8 = 0x25
    static let lessThan: UInt8 = 0x3C
    static let comma: UInt8 = 0x2C
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let upperA: UInt8 = 0x41
    static let upperZ: UInt8 = 0x5A
    static let lowerA: UInt8 = 0x61
    static let lowerZ: UInt8 = 0x7A

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- upperA < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- lowerA < 26 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- lowerA < 6
    }
    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { isLower(b) ? b &- 0x20 : b }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b &+ 0x20 : b }
    @inline(__always) static func digitValue(_ b: UInt8) -> Int { Int(b &- zero) }
    @inline(__always) static func hexValue(_ b: UInt8) -> Int {
        if isDigit(b) { return Int(b &- zero) }
        return Int((b | 0x20) &- lowerA) + 10
    }
    /// Base-36 value of an upper-case alphanumeric (`0`–`9` → 0–9, `A`–`Z` → 10–35), or -1.
    @inline(__always) static func base36(_ b: UInt8) -> Int {
        if isDigit(b) { return Int(b &- zero) }
        if isUpper(b) { return Int(b &- upperA) + 10 }
        return -1
    }
}

/// The separator kinds a detector pattern may let through inside a value.
struct SeparatorKinds: OptionSet, Sendable {
    let rawValue: UInt16

    static let space = SeparatorKinds(rawValue: 1 << 0)
    static let dot = SeparatorKinds(rawValue: 1 << 1)
    static let dash = SeparatorKinds(rawValue: 1 << 2)
    static let slash = SeparatorKinds(rawValue: 1 << 3)
    /// U+00A0 NO-BREAK SPACE (`C2 A0`).
    static let nbsp = SeparatorKinds(rawValue: 1 << 4)
    /// U+202F NARROW NO-BREAK SPACE (`E2 80 AF`).
    static let narrowNbsp = SeparatorKinds(rawValue: 1 << 5)
    static let colon = SeparatorKinds(rawValue: 1 << 6)
    static let parentheses = SeparatorKinds(rawValue: 1 << 7)

    /// Space and its no-break variants.
    static let spaces: SeparatorKinds = [.space, .nbsp, .narrowNbsp]
    /// The default grouping separators of spec §0: `[ .\-/]`, NBSP, narrow NBSP.
    static let grouping: SeparatorKinds = [.space, .dot, .dash, .slash, .nbsp, .narrowNbsp]

    /// Number of distinct kinds present.
    var kindCount: Int { rawValue.nonzeroBitCount }
}

enum ByteScan {
    /// Recognises a separator starting at `i`; returns its kind and byte length.
    @inline(__always)
    static func separator(in input: UnsafeBufferPointer<UInt8>, at i: Int) -> (SeparatorKinds, Int)? {
        let b = input[i]
        switch b {
        case ByteClass.space: return (.space, 1)
        case ByteClass.dot: return (.dot, 1)
        case ByteClass.dash: return (.dash, 1)
        case ByteClass.slash: return (.slash, 1)
        case ByteClass.colon: return (.colon, 1)
        case ByteClass.openParen, ByteClass.closeParen: return (.parentheses, 1)
        case 0xC2:
            if i + 1 < input.count, input[i + 1] == 0xA0 { return (.nbsp, 2) }
            return nil
        case 0xE2:
            if i + 2 < input.count, input[i + 1] == 0x80, input[i + 2] == 0xAF { return (.narrowNbsp, 3) }
            return nil
        default:
            return nil
        }
    }

    /// Copies `input` without the `allowed` separators (upper-casing ASCII letters if asked) into
    /// a stack buffer of at most `maxCount` bytes, then calls `body` with the compacted bytes and
    /// the set of separator kinds that were removed.
    ///
    /// Returns `nil` when the compacted value would exceed `maxCount` bytes. Separators that are
    /// not in `allowed` are kept as ordinary bytes (so the structural check that follows fails).
    @inline(__always)
    static func withCompacted<R>(
        _ input: UnsafeBufferPointer<UInt8>,
        maxCount: Int,
        allowed: SeparatorKinds,
        uppercase: Bool,
        _ body: (UnsafeBufferPointer<UInt8>, SeparatorKinds) -> R
    ) -> R? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxCount) { buffer -> R? in
            var count = 0
            var seen: SeparatorKinds = []
            var i = 0
            while i < input.count {
                if let sep = separator(in: input, at: i), allowed.contains(sep.0) {
                    seen.insert(sep.0)
                    i += sep.1
                    continue
                }
                if count == maxCount { return nil }
                buffer[count] = uppercase ? ByteClass.upper(input[i]) : input[i]
                count += 1
                i += 1
            }
            guard let base = buffer.baseAddress else { return nil }
            return body(UnsafeBufferPointer(start: base, count: count), seen)
        }
    }

    @inline(__always)
    static func allDigits(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in s where !ByteClass.isDigit(b) { return false }
        return true
    }

    @inline(__always)
    static func allDigits(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for i in range where !ByteClass.isDigit(s[i]) { return false }
        return true
    }

    @inline(__always)
    static func allSame(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard let first = range.first else { return true }
        let b = s[first]
        for i in range where s[i] != b { return false }
        return true
    }

    /// Decimal value of the digits in `range` (caller guarantees digits and ≤ 18 of them).
    @inline(__always)
    static func number(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var n = 0
        for i in range { n = n &* 10 &+ ByteClass.digitValue(s[i]) }
        return n
    }

    /// Case-sensitive comparison of `s[range]` with an ASCII literal.
    @inline(__always)
    static func equals(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        compare(s, range, literal) { $0 }
    }

    /// ASCII case-insensitive comparison of `s[range]` with a lower-case ASCII literal.
    @inline(__always)
    static func equalsFolded(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        compare(s, range, literal, ByteClass.lower)
    }

    @inline(__always)
    private static func compare(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString, _ transform: (UInt8) -> UInt8) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        var j = 0
        for i in range {
            if transform(s[i]) != lit[j] { return false }
            j += 1
        }
        return true
    }

    @inline(__always)
    static func hasPrefix(_ s: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        return s.count >= n && equals(s, 0..<n, literal)
    }
}

enum CheckDigits {
    /// Luhn mod 10 over ASCII digits (caller guarantees digits).
    @inline(__always)
    static func luhn(_ digits: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var sum = 0
        var double = false
        var i = range.upperBound
        while i > range.lowerBound {
            i -= 1
            var d = ByteClass.digitValue(digits[i])
            if double {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
            double.toggle()
        }
        return sum % 10 == 0
    }

    @inline(__always)
    static func luhn(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        luhn(digits, 0..<digits.count)
    }

    /// Incremental mod 97 over upper-case alphanumerics; a letter contributes its two digits
    /// (`A` = 10 … `Z` = 35). Returns -1 if a byte is not alphanumeric.
    @inline(__always)
    static func mod97(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, initial: Int = 0) -> Int {
        var r = initial
        for i in range {
            let b = s[i]
            if ByteClass.isDigit(b) {
                r = (r * 10 + Int(b &- ByteClass.zero)) % 97
            } else if ByteClass.isUpper(b) {
                r = (r * 100 + Int(b &- ByteClass.upperA) + 10) % 97
            } else {
                return -1
            }
        }
        return r
    }

    /// ICAO 9303 character value: `0`–`9` → 0–9, `A`–`Z` → 10–35, `<` → 0; -1 otherwise.
    @inline(__always)
    static func icaoValue(_ b: UInt8) -> Int {
        if b == ByteClass.lessThan { return 0 }
        return ByteClass.base36(b)
    }

    /// Feeds `s[range]` into a running ICAO 7-3-1 sum. `position` counts characters already fed
    /// (so the weights continue across concatenated fields). Returns false on an illegal byte.
    @inline(__always)
    static func icaoAccumulate(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, sum: inout Int, position: inout Int) -> Bool {
        for i in range {
            let v = icaoValue(s[i])
            if v < 0 { return false }
            let weight: Int
            switch position % 3 {
            case 0: weight = 7
            case 1: weight = 3
            default: weight = 1
            }
            sum += v * weight
            position += 1
        }
        return true
    }

    /// True when the check character `check` (a digit, or `<` read as 0) matches `sum mod 10`.
    @inline(__always)
    static func icaoMatches(_ sum: Int, _ check: UInt8) -> Bool {
        let expected = sum % 10
        if check == ByteClass.lessThan { return expected == 0 }
        return ByteClass.isDigit(check) && ByteClass.digitValue(check) == expected
    }

    /// Check digit of a single field.
    @inline(__always)
    static func icaoField(_ s: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, check: UInt8) -> Bool {
        var sum = 0
        var pos = 0
        guard icaoAccumulate(s, range, sum: &sum, position: &pos) else { return false }
        return icaoMatches(sum, check)
    }
}
