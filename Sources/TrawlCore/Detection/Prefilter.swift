/// What a line must have for a detector's pattern to be able to match in it (`prefilter:` in a
/// detector file). One pass over a batch measures every line (`LineIndex`); a detector's PCRE2
/// pattern then runs only on the lines that pass, so costly patterns (led by a character class,
/// with look-arounds) skip most of the input. Every condition is a necessary one: a prefilter
/// never removes a match, it only saves running the pattern where none can be.
///
///     prefilter: { digits: 13, run: 6 }   # at least 13 digits on the line, 6 of them in one run
///     prefilter: { any: [at] }            # an '@' on the line
///     prefilter: { alnum: [9, 12] }       # a word of 9 or 12 letters and digits, with a digit
///
/// A line is what lies between two newlines of a batch: a cell of a table, a line of text. A
/// pattern with a prefilter must never match across a newline (checked when it is loaded).
public struct PrefilterDefinition: Sendable, Codable, Hashable {
    public enum Mark: String, Sendable, Codable, Hashable, CaseIterable {
        /// `@`
        case at
        /// a `.` between two digits (`192.168`, `12.5`)
        case dotDigit = "dot-digit"
        /// `:`
        case colon
        /// `+`
        case plus
        /// `€`, `EUR` or `euro` in any case
        case currency

        var bit: UInt8 { 1 << UInt8(Self.allCases.firstIndex(of: self) ?? 0) }
    }

    /// At least this many digits on the line.
    public var digits: Int?
    /// A run of at least this many digits, where up to three separator bytes (space, `.`, `-`,
    /// `/`, `(`, `)`, `+`, `,`, `:`, and the bytes of non-breaking spaces) may sit between two digits.
    public var run: Int?
    /// At least one of these marks on the line.
    public var any: [Mark]?
    /// A word of letters and digits (bounded by anything else) of one of these lengths, holding
    /// at least one digit.
    public var alnum: [Int]?

    public init(digits: Int? = nil, run: Int? = nil, any: [Mark]? = nil, alnum: [Int]? = nil) {
        self.digits = digits
        self.run = run
        self.any = any
        self.alnum = alnum
    }

    var anyMask: UInt8 { (any ?? []).reduce(0) { $0 | $1.bit } }
    var alnumMask: UInt64 { (alnum ?? []).reduce(0) { $0 | LineIndex.lengthBit($1) } }
}

/// The lines of a batch and what each holds, measured in one pass over its bytes.
struct LineIndex {
    struct Line {
        var start: Int
        /// Offset of the newline ending the line (or the end of the batch).
        var end: Int
        var digits: UInt32 = 0
        var run: UInt32 = 0
        var marks: UInt8 = 0
        var alnumLengths: UInt64 = 0
    }

    private(set) var lines: [Line] = []

    static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(max(length, 1), 64) - 1) }

    /// Byte classes: 1 digit, 2 letter, 4 run separator.
    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = 1 }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = 2 }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = 2 }
        for b in " ./-()+,:\t".utf8 { table[Int(b)] |= 4 }
        for b: UInt8 in [0xC2, 0xA0, 0xE2, 0x80, 0xAF] { table[Int(b)] |= 4 }
        return table
    }()

    /// Measures every line of `buffer`.
    mutating func measure(_ buffer: UnsafeBufferPointer<UInt8>) {
        lines.removeAll(keepingCapacity: true)
        let classes = Self.classes
        let at = PrefilterDefinition.Mark.at.bit, dot = PrefilterDefinition.Mark.dotDigit.bit
        let colon = PrefilterDefinition.Mark.colon.bit, plus = PrefilterDefinition.Mark.plus.bit
        let currency = PrefilterDefinition.Mark.currency.bit
        classes.withUnsafeBufferPointer { table in
            var line = Line(start: 0, end: 0)
            var run: UInt32 = 0, gap = 0
            var word = 0, wordDigits = false
            var i = 0
            let n = buffer.count
            func endWord(_ line: inout Line) {
                if word > 0 && wordDigits { line.alnumLengths |= Self.lengthBit(word) }
                word = 0
                wordDigits = false
            }
            while i < n {
                let b = buffer[i]
                if b == 0x0A {
                    endWord(&line)
                    line.end = i
                    lines.append(line)
                    line = Line(start: i + 1, end: i + 1)
                    run = 0
                    gap = 0
                    i += 1
                    continue
                }
                let c = table[Int(b)]
                if c & 1 != 0 {
                    line.digits += 1
                    run += 1
                    gap = 0
                    if run > line.run { line.run = run }
                    word += 1
                    wordDigits = true
                } else {
                    if c & 4 != 0 {
                        gap += 1
                        if gap > 3 { run = 0 }
                    } else {
                        run = 0
                        gap = 0
                    }
                    if c & 2 != 0 {
                        word += 1
                        if b | 0x20 == UInt8(ascii: "e"), i + 2 < n, buffer[i + 1] | 0x20 == UInt8(ascii: "u"), buffer[i + 2] | 0x20 == UInt8(ascii: "r") {
                            line.marks |= currency
                        }
                    } else {
                        endWord(&line)
                        switch b {
                        case UInt8(ascii: "@"): line.marks |= at
                        case UInt8(ascii: ":"): line.marks |= colon
                        case UInt8(ascii: "+"): line.marks |= plus
                        case UInt8(ascii: "."):
                            if i > 0, i + 1 < n, table[Int(buffer[i - 1])] & 1 != 0, table[Int(buffer[i + 1])] & 1 != 0 { line.marks |= dot }
                        case 0xE2:
                            if i + 2 < n, buffer[i + 1] == 0x82, buffer[i + 2] == 0xAC { line.marks |= currency }
                        default: break
                        }
                    }
                }
                i += 1
            }
            endWord(&line)
            line.end = n
            if line.start < n { lines.append(line) }
        }
    }
}
