import CTrawlKernels

/// What a line must have for a detector's pattern to be able to match in it (`prefilter:` in a
/// detector file). One pass over a batch measures every line (`LineIndex`); a detector's PCRE2
/// pattern then runs only on the lines that pass, so costly patterns (led by a character class,
/// with look-arounds) skip most of the input. Every condition is a necessary one: a prefilter
/// never removes a match, it only saves running the pattern where none can be.
///
///     prefilter: { digits: 13, run: 6 }   # at least 13 digits on the line, 6 of them in one run
///     prefilter: { any: [at] }            # an '@' on the line
///     prefilter: { alnum: [9, 12] }       # a word of 9 or 12 letters and digits, with a digit
///     prefilter: { words: [asile, dublin] } # one of these (ASCII, any case) somewhere on the line
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
        /// `+` before a digit 1-9, maybe after one space: an international prefix (`+33 6`,
        /// `(+44)`, `+ 1`), not a time zone (`+01:00`, `+0100`)
        case plus
        /// `€`, `EUR` or `euro` in any case
        case currency
        /// `::`
        case doubleColon = "double-colon"
        /// two capital letters, maybe a space, two digits (`FR76`, `GB 29`: a country code and
        /// check digits)
        case capsDigits = "caps-digits"
        /// `A` or `B` (any case) right after a `2` that ends a run of at least six digits with
        /// single separators: Corsica's département codes `2A` and `2B` inside a NIR
        /// (`1 85 05 2A 123 456 78`)
        case corsica
        /// a run of exactly five digits, then spaces or tabs, then a capital or a character
        /// past ASCII: a French postcode before its town (`75008 PARIS`, `69001 Lyon`), not a
        /// response size before a quote (`200 55331 "-"`) or a count before a word (`498 rows`)
        case postcode

        var bit: UInt16 { 1 << UInt16(Self.allCases.firstIndex(of: self) ?? 0) }
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
    /// One of these ASCII fragments, in any case, on the line: each alternative of the pattern
    /// must contain one (`asile` for "demandeur d’asile", `fugi` for "réfugié").
    public var words: [String]?
    /// A run of at least this many digits with nothing between them (`plain_run`), or with at most
    /// one space, `.` or non-breaking space between two of them (`spaced_run`).
    public var plainRun: Int?
    public var spacedRun: Int?
    /// A maximal run of exactly one of these numbers of digits, with nothing between them
    /// (`plain_lengths`), or with exactly one space, `.`, NBSP or NNBSP between two of them
    /// (`spaced_lengths`): for patterns that refuse a digit, a letter or another separated digit
    /// on either side (`[0-9]{9}` bounded by `(?<![A-Za-z0-9])` and `(?![A-Za-z0-9])`).
    public var plainLengths: [Int]?
    public var spacedLengths: [Int]?
    /// The same with exactly one space, `.` or `-` between two digits (`dashed_run`,
    /// `dashed_lengths`): the separators of SSNs and grouped card numbers (`123-45-6789`), which
    /// times (`10:26:58.847`) do not join, unlike `run`.
    public var dashedRun: Int?
    /// The longest such run that starts with a `0` (`zero_dashed_run`): national phone numbers
    /// (`06 12 34 56 78`) and `00` prefixes (`0033`) start so; dates and times (`2024-01-01 20`)
    /// do not.
    public var zeroDashedRun: Int?
    public var dashedLengths: [Int]?
    /// At least this many `.` between two digits, and `:`, on the line.
    public var dotDigits: Int?
    public var colons: Int?
    /// Alternatives: the line must pass one of them as well as the conditions above
    /// (`any_of: [{ dot_digits: 3 }, { colons: 6 }]`).
    public var anyOf: [PrefilterDefinition]?

    enum CodingKeys: String, CodingKey {
        case digits, run, any, alnum, words
        case plainRun = "plain_run"
        case spacedRun = "spaced_run"
        case plainLengths = "plain_lengths"
        case spacedLengths = "spaced_lengths"
        case dashedRun = "dashed_run"
        case zeroDashedRun = "zero_dashed_run"
        case dashedLengths = "dashed_lengths"
        case dotDigits = "dot_digits"
        case colons
        case anyOf = "any_of"
    }

    public init(digits: Int? = nil, run: Int? = nil, any: [Mark]? = nil, alnum: [Int]? = nil, words: [String]? = nil,
                plainRun: Int? = nil, spacedRun: Int? = nil, dashedRun: Int? = nil, dashedLengths: [Int]? = nil,
                zeroDashedRun: Int? = nil, dotDigits: Int? = nil, colons: Int? = nil, anyOf: [PrefilterDefinition]? = nil) {
        self.plainRun = plainRun
        self.spacedRun = spacedRun
        self.dashedRun = dashedRun
        self.dashedLengths = dashedLengths
        self.zeroDashedRun = zeroDashedRun
        self.digits = digits
        self.run = run
        self.any = any
        self.alnum = alnum
        self.words = words
        self.dotDigits = dotDigits
        self.colons = colons
        self.anyOf = anyOf
    }

    /// Every word of the prefilter and its alternatives.
    var allWords: [String] { (words ?? []) + (anyOf ?? []).flatMap(\.allWords) }

    /// The conditions as sets of thresholds, one per alternative (the words of every set
    /// checked through the detector's anchor slot).
    func conditions(wordBit: UInt64) -> [LineCondition] {
        var base = LineCondition()
        base.digits = UInt32(digits ?? 0)
        base.run = UInt32(run ?? 0)
        base.plainRun = UInt32(plainRun ?? 0)
        base.spacedRun = UInt32(spacedRun ?? 0)
        base.plainLengths = (plainLengths ?? []).reduce(0) { $0 | LineIndex.lengthBit($1) }
        base.spacedLengths = (spacedLengths ?? []).reduce(0) { $0 | LineIndex.lengthBit($1) }
        base.dashedRun = UInt32(dashedRun ?? 0)
        base.zeroDashedRun = UInt32(zeroDashedRun ?? 0)
        base.dashedLengths = (dashedLengths ?? []).reduce(0) { $0 | LineIndex.lengthBit($1) }
        base.dotDigits = UInt8(clamping: dotDigits ?? 0)
        base.colons = UInt8(clamping: colons ?? 0)
        base.any = anyMask
        base.alnum = alnumMask
        base.words = words == nil ? 0 : wordBit
        guard let anyOf, !anyOf.isEmpty else { return [base] }
        return anyOf.flatMap { $0.conditions(wordBit: wordBit) }.map { alt in
            var c = alt
            c.digits = max(c.digits, base.digits)
            c.run = max(c.run, base.run)
            c.plainRun = max(c.plainRun, base.plainRun)
            c.spacedRun = max(c.spacedRun, base.spacedRun)
            c.plainLengths |= base.plainLengths
            c.spacedLengths |= base.spacedLengths
            c.dashedRun = max(c.dashedRun, base.dashedRun)
            c.zeroDashedRun = max(c.zeroDashedRun, base.zeroDashedRun)
            c.dashedLengths |= base.dashedLengths
            c.dotDigits = max(c.dotDigits, base.dotDigits)
            c.colons = max(c.colons, base.colons)
            // One mask per kind: where both set one, their union is a necessary condition (a
            // line meeting "one of A" and "one of B" meets "one of A or B"); never an intersection.
            c.any |= base.any
            c.alnum |= base.alnum
            c.words |= base.words
            return c
        }
    }

    var anyMask: UInt16 { (any ?? []).reduce(0) { $0 | $1.bit } }
    var alnumMask: UInt64 { (alnum ?? []).reduce(0) { $0 | LineIndex.lengthBit($1) } }
}

/// Where a pattern that spans lines can match (`block:` in a detector file): in the `lines` lines
/// from a line that ends with a code word (capitals, digits and `<`, not preceded by another
/// such byte, before an optional CR) of one of the `code_tail` lengths. The first line of a
/// machine-readable zone is such a word of 30, 36 or 44 characters, and a zone has at most three
/// lines; most lines end with a lower-case word, a punctuation mark or a short number.
///
///     block: { lines: 3, code_tail: [30, 36, 44] }
public struct BlockPrefilter: Sendable, Codable, Hashable {
    public var lines: Int
    public var codeTail: [Int]

    enum CodingKeys: String, CodingKey {
        case lines
        case codeTail = "code_tail"
    }

    public init(lines: Int, codeTail: [Int]) {
        self.lines = lines
        self.codeTail = codeTail
    }

    @inline(__always)
    static func isCode(_ b: UInt8) -> Bool { (b &- 0x41 < 26) || (b &- 0x30 < 10) || b == 0x3C }

    /// The length of the code word that ends the line `start..<end` (before a CR), or `limit`
    /// when it has at least `limit` bytes.
    static func codeTail(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limit: Int) -> Int {
        var e = end
        if e > start, p[e - 1] == 0x0D { e -= 1 }
        var k = e
        while k > start, e - k < limit, isCode(p[k - 1]) { k -= 1 }
        return e - k
    }

    /// The prefilter as the engine checks it, built once per detector.
    struct Compiled: Sendable {
        let lines: Int
        /// Whether a code word of each length (up to the longest) starts a block.
        private let tails: [Bool]
        private let shortest: Int

        init(_ block: BlockPrefilter) {
            var tails = [Bool](repeating: false, count: (block.codeTail.max() ?? 0) + 1)
            for length in block.codeTail { tails[length] = true }
            self.tails = tails
            self.lines = block.lines
            self.shortest = tails.firstIndex(of: true) ?? 1
        }

        /// True when the line `start..<end` ends with a code word of one of the lengths. Most
        /// lines are shorter than the shortest, or have a byte outside the code at their end or
        /// `shortest` bytes before it (a CR aside): two loads decide them.
        func startsBlock(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Bool {
            guard end - start >= shortest else { return false }
            let final = p[end - 1] == 0x0D ? end - 2 : end - 1
            guard final + 1 - shortest >= start, isCode(p[final]), isCode(p[final + 1 - shortest]) else { return false }
            let length = codeTail(p, start: start, end: end, limit: tails.count)
            return length < tails.count && tails[length]
        }
    }
}

/// One set of thresholds a line must meet (a prefilter or one of its alternatives).
struct LineCondition: Sendable {
    var digits: UInt32 = 0
    var run: UInt32 = 0
    var plainRun: UInt32 = 0
    var spacedRun: UInt32 = 0
    var plainLengths: UInt64 = 0
    var spacedLengths: UInt64 = 0
    var dashedRun: UInt32 = 0
    var dashedLengths: UInt64 = 0
    var zeroDashedRun: UInt32 = 0
    var dotDigits: UInt8 = 0
    var colons: UInt8 = 0
    var any: UInt16 = 0
    var alnum: UInt64 = 0
    var words: UInt64 = 0

    /// True when a line without digits, marks and anchor words cannot meet it.
    var needsSomething: Bool {
        digits > 0 || run > 0 || plainRun > 0 || spacedRun > 0 || plainLengths != 0 || spacedLengths != 0 || dashedRun > 0 || dashedLengths != 0 || zeroDashedRun > 0 || dotDigits > 0 || colons > 0 || any != 0 || alnum != 0 || words != 0
    }

    /// Whether a line with these measures and anchor words (`LineIndex.words`) meets the set.
    @inline(__always)
    func admits(_ line: LineIndex.Line, words lineWords: UInt64) -> Bool {
        // The conditions that fail most lines first (anchor words, marks, word lengths): a
        // keyword detector's check then stops at its first test on a line without its words.
        (words == 0 || lineWords & words != 0) && (any == 0 || line.marks & any != 0) && (alnum == 0 || line.alnumLengths & alnum != 0)
            && line.digits >= digits && line.run >= run && line.plainRun >= plainRun && line.spacedRun >= spacedRun
            && (plainLengths == 0 || line.plainLengths & plainLengths != 0) && (spacedLengths == 0 || line.spacedLengths & spacedLengths != 0)
            && line.dashedRun >= dashedRun && (dashedLengths == 0 || line.dashedLengths & dashedLengths != 0) && line.zeroDashedRun >= zeroDashedRun
            && line.dotDigits >= dotDigits && line.colons >= colons
    }
}

/// Every filtered detector's threshold sets, compiled into tables so that a line's admission is a
/// few loads and ANDs instead of testing each set in turn (a CSV quarter of the benchmark has
/// about 3 million lines, a cell each, and 34 sets): bit `c` of a line's mask is set when the line
/// meets set `c`. For each counted feature, `atLeast[f][v]` holds the sets whose threshold is at
/// most `v`; for each bit-set feature, the sets that ask nothing of it plus, per bit, the sets
/// that name it. Nil when there are more than 64 sets or a threshold is past the tables' range:
/// the engine then tests the sets one by one (`LineCondition.admits`).
struct AdmissionTable: Sendable {
    /// Counted values are clamped to this before the lookup; thresholds must not exceed it.
    static let cap = 127
    /// Entries per bit-set feature in `bitSets`.
    static let perFeature = 66
    /// digits, run, plainRun, spacedRun, dashedRun, dotDigits, colons, zeroDashedRun: `(cap + 1)`
    /// masks each.
    private let counted: [UInt64]
    /// plainLengths, spacedLengths, dashedLengths, alnum, words: `perFeature` masks each (the
    /// sets that ask nothing of the feature, one per bit, then the bits some set asks for: a
    /// line's other bits, such as the lengths of a date's runs, are not looked up one by one).
    private let bitSets: [UInt64]
    /// The sets a line meets by its marks (every combination).
    private let marks: [UInt64]
    /// The sets a line with no digit, mark or word meets.
    let bareMask: UInt64

    init?(_ conditions: [LineCondition]) {
        guard conditions.count <= 64 else { return nil }
        let thresholds: [(LineCondition) -> Int] = [
            { Int($0.digits) }, { Int($0.run) }, { Int($0.plainRun) }, { Int($0.spacedRun) },
            { Int($0.dashedRun) }, { Int($0.dotDigits) }, { Int($0.colons) }, { Int($0.zeroDashedRun) },
        ]
        var counted = [UInt64](repeating: 0, count: thresholds.count * (Self.cap + 1))
        for (f, threshold) in thresholds.enumerated() {
            for (c, condition) in conditions.enumerated() {
                let t = threshold(condition)
                guard t <= Self.cap else { return nil }
                for v in t...Self.cap { counted[f * (Self.cap + 1) + v] |= 1 << UInt64(c) }
            }
        }
        let sets: [(LineCondition) -> UInt64] = [\.plainLengths, \.spacedLengths, \.dashedLengths, \.alnum, \.words]
        var bitSets = [UInt64](repeating: 0, count: sets.count * Self.perFeature)
        for (f, set) in sets.enumerated() {
            for (c, condition) in conditions.enumerated() {
                let bits = set(condition)
                if bits == 0 { bitSets[f * Self.perFeature] |= 1 << UInt64(c) }
                for b in 0..<64 where bits & (1 << UInt64(b)) != 0 { bitSets[f * Self.perFeature + 1 + b] |= 1 << UInt64(c) }
                bitSets[f * Self.perFeature + 65] |= bits
            }
        }
        var marks = [UInt64](repeating: 0, count: 1 << PrefilterDefinition.Mark.allCases.count)
        for m in marks.indices {
            for (c, condition) in conditions.enumerated() where condition.any == 0 || Int(condition.any) & m != 0 {
                marks[m] |= 1 << UInt64(c)
            }
        }
        self.counted = counted
        self.bitSets = bitSets
        self.marks = marks
        let bare = LineIndex.Line()
        var mask: UInt64 = 0
        for (c, condition) in conditions.enumerated() where condition.admits(bare, words: 0) { mask |= 1 << UInt64(c) }
        bareMask = mask
    }

    /// The sets `line` meets, as a mask (the same as testing `admits` on each).
    @inline(__always)
    func mask(_ line: LineIndex.Line, words: UInt64, counted: UnsafeBufferPointer<UInt64>, bitSets: UnsafeBufferPointer<UInt64>, marks: UnsafeBufferPointer<UInt64>) -> UInt64 {
        let stride = Self.cap + 1
        @inline(__always) func at(_ f: Int, _ v: UInt32) -> UInt64 { counted[f * stride + Int(min(v, UInt32(Self.cap)))] }
        @inline(__always) func any(_ f: Int, _ bits: UInt64) -> UInt64 {
            var m = bitSets[f * Self.perFeature]
            var rest = bits & bitSets[f * Self.perFeature + 65]
            while rest != 0 {
                m |= bitSets[f * Self.perFeature + 1 + rest.trailingZeroBitCount]
                rest &= rest - 1
            }
            return m
        }
        var m = marks[Int(line.marks)] & at(0, line.digits)
        if m == 0 { return 0 }
        m &= any(4, words)
        if m == 0 { return 0 }
        m &= at(1, line.run) & at(2, line.plainRun) & at(3, line.spacedRun) & at(4, line.dashedRun)
            & at(5, UInt32(line.dotDigits)) & at(6, UInt32(line.colons)) & at(7, line.zeroDashedRun)
        if m == 0 { return 0 }
        return m & any(0, line.plainLengths) & any(1, line.spacedLengths) & any(2, line.dashedLengths) & any(3, line.alnumLengths)
    }

    /// Calls `body` with the tables (pointers: no bounds or exclusivity checks in the line loop).
    func withTables<R>(_ body: (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<UInt64>) -> R) -> R {
        counted.withUnsafeBufferPointer { c in bitSets.withUnsafeBufferPointer { b in marks.withUnsafeBufferPointer { m in body(c, b, m) } } }
    }
}

/// The lines of a batch and what each holds, measured in one pass over its bytes.
struct LineIndex {
    /// What a line holds (where it is: `Bounds`; its anchor words: `words`): `trawl_line`, which
    /// `trawl_measure` fills. Widest fields first, so that a line takes 64 bytes (60 and padding):
    /// admission reads every line's measures.
    ///
    /// - `plainLengths`, `spacedLengths`: lengths (bit n-1 for n digits, 64 and more on bit 63)
    ///   of the maximal runs of digits with nothing between them, and with exactly one space,
    ///   `.`, NBSP or NNBSP between two; `dashedLengths` the same with exactly one space, `.` or
    ///   `-` between two digits.
    /// - `plainRun`, `spacedRun`, `dashedRun`: the longest of each; `zeroDashedRun` the longest
    ///   dashed run that starts with a `0`; `run` the longest `run` (`PrefilterDefinition`).
    /// - `dotDigits`, `colons`: `.` between two digits, and `:`, counted up to 255.
    typealias Line = trawl_line

    /// Where each line ends: the offset of its newline, or the batch's end (batches are far
    /// smaller than 2 GiB); a line starts after the one before it. Kept apart from the measures,
    /// so that what only needs where lines are (a detector's windows over its admitted lines,
    /// fields, anchor words) reads 4 bytes a line, not a whole `Line` (sparse reads of lines were
    /// cache misses, 4 % of a scan).
    struct Bounds {
        fileprivate(set) var ends: [Int32] = []
        var count: Int { ends.count }
        @inline(__always) func start(_ line: Int) -> Int { line == 0 ? 0 : Int(ends[line - 1]) + 1 }
        @inline(__always) func end(_ line: Int) -> Int { Int(ends[line]) }
    }

    private(set) var lines: [Line] = []
    private(set) var bounds = Bounds()
    /// For each line, bit `k` set when a word of the detector in anchor slot `k` is on it. Apart
    /// from the measures: the anchor walk sets a few of them, long after the measurement wrote
    /// the lines (a miss per word found when they were in the lines), and admission reads them
    /// with the measures.
    private(set) var words: [UInt64] = []
    /// The field of the cell each line belongs to (-1 none, `severalFields` when it spans cells).
    private(set) var fields: [Int32] = []
    /// The first segment that reaches each line (`segments.count` when none does).
    private(set) var firstSegments: [Int32] = []
    static let severalFields: Int32 = -2

    /// Fills `fields` from the batch's segments (sorted by offset, separated by newlines).
    mutating func assignFields(_ segments: [TextBatch.Segment]) {
        // Written in place through pointers, a line a cell in a table's batch: appending checked
        // the arrays' uniqueness and capacity per line.
        fields.resize(to: bounds.count, with: -1)
        firstSegments.resize(to: bounds.count, with: 0)
        segments.withUnsafeBufferPointer { segments in
            bounds.ends.withUnsafeBufferPointer { ends in
                fields.withUnsafeMutableBufferPointer { fields in
                    firstSegments.withUnsafeMutableBufferPointer { firstSegments in
                        var s = 0
                        var start = 0
                        for l in ends.indices {
                            let end = Int(ends[l])
                            while s < segments.count, segments[s].end < start { s += 1 }
                            firstSegments[l] = Int32(s)
                            var field: Int32 = -1
                            var t = s
                            var count = 0
                            while t < segments.count, segments[t].start <= end {
                                field = segments[t].field
                                count += 1
                                t += 1
                            }
                            fields[l] = count > 1 ? Self.severalFields : field
                            start = end + 1
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func lengthBit(_ length: Int) -> UInt64 { trawl_length_bit(Int64(length)) }

    /// Byte classes: 1 digit, 2 letter, 4 run separator, 8 a byte with its own meaning (newline,
    /// `@ : + .`, the first byte of `€`), 16 `e` or `E` (`EUR`, `euro`).
    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = 1 }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = 2 }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = 2 }
        for b in " ./-()+,:\t".utf8 { table[Int(b)] |= 4 }
        for b: UInt8 in [0xC2, 0xA0, 0xE2, 0x80, 0xAF] { table[Int(b)] |= 4 }
        for b in "\n@:+.".utf8 { table[Int(b)] |= 8 }
        table[0xE2] |= 8
        table[Int(UInt8(ascii: "e"))] |= 16
        table[Int(UInt8(ascii: "E"))] |= 16
        return table
    }()

    /// Ends a digit run of `count` digits (if any): records its length and keeps the longest.
    @inline(__always)
    static func end(_ count: inout UInt32, lengths: inout UInt64, longest: inout UInt32) {
        guard count > 0 else { return }
        lengths |= lengthBit(Int(count))
        if count > longest { longest = count }
        count = 0
    }

    /// Ends a dashed run: `end`, and the longest run led by a `0`.
    @inline(__always)
    static func endDashed(_ count: inout UInt32, zeroLed: Bool, line: inout Line) {
        if zeroLed && count > line.zeroDashedRun { line.zeroDashedRun = count }
        end(&count, lengths: &line.dashedLengths, longest: &line.dashedRun)
    }

    /// Measures every line of `buffer` (a 64-byte block at a time, `BlockMeasure`), and finds the
    /// anchor words on each. `wide: false` measures byte by byte: the reference the tests compare
    /// the blocks with, and the definition of each measure; `baseline` measures blocks without
    /// AVX2 (`BlockMeasure.measure`).
    mutating func measure(_ buffer: UnsafeBufferPointer<UInt8>, anchors: AnchorMatcher? = nil, wide: Bool = true, baseline: Bool = false) {
        precondition(buffer.count < Int(Int32.max), "a batch of \(buffer.count) bytes")
        if wide, let p = buffer.baseAddress {
            BlockMeasure.measure(p, buffer.count, lines: &lines, ends: &bounds.ends, baseline: baseline)
        } else {
            measureBytes(buffer)
        }
        words.clear()
        words.resize(to: lines.count, with: 0)
        if let anchors, !lines.isEmpty { anchors.mark(buffer, words: &words, bounds: bounds) }
    }

    /// The measurement byte by byte: a state machine over each byte's class.
    private mutating func measureBytes(_ buffer: UnsafeBufferPointer<UInt8>) {
        lines.removeAll(keepingCapacity: true)
        bounds.ends.removeAll(keepingCapacity: true)
        typealias Mark = PrefilterDefinition.Mark
        let at = Mark.at.bit, dot = Mark.dotDigit.bit, colon = Mark.colon.bit, plus = Mark.plus.bit
        let currency = Mark.currency.bit, doubleColon = Mark.doubleColon.bit, capsDigits = Mark.capsDigits.bit
        let corsica = Mark.corsica.bit, postcode = Mark.postcode.bit
        let n = buffer.count
        guard let p = buffer.baseAddress, n > 0 else { return }
        Self.classes.withUnsafeBufferPointer { table in
            var line = Line()
            var lineStart = 0
            var run: UInt32 = 0, gap = 0
            var plain: UInt32 = 0
            // Maximal runs with single separators: 0 none, 1 after a digit, 2 after a separator,
            // 3 and 4-5 inside a NBSP (C2 A0) or NNBSP (E2 80 AF) after a digit.
            var exact: UInt32 = 0, exactState: UInt8 = 0
            // Maximal runs with one space, `.` or `-` between digits: 0 none, 1 after a digit, 2
            // after a separator after a digit.
            var dashed: UInt32 = 0, dashedState: UInt8 = 0
            var zeroLed = false
            var word = 0, wordDigits = false
            var i = 0
            while i < n {
                let b = p[i]
                let c = table[Int(b)]
                if c & 3 != 0 {
                    word += 1
                    if c & 1 != 0 {
                        if run == 0, i + 1 < n, table[Int(p[i + 1])] & 1 != 0, trawl_follows_two_capitals(p, Int64(i)) != 0 { line.marks |= capsDigits }
                        line.digits += 1
                        run += 1
                        gap = 0
                        if run > line.run { line.run = run }
                        plain += 1
                        if exactState != 1 && exactState != 2 { Self.end(&exact, lengths: &line.spacedLengths, longest: &line.spacedRun) }
                        exact += 1
                        exactState = 1
                        if dashedState == 0 { Self.endDashed(&dashed, zeroLed: zeroLed, line: &line) }
                        if dashed == 0 { zeroLed = b == UInt8(ascii: "0") }
                        dashed += 1
                        dashedState = 1
                        wordDigits = true
                    } else {
                        run = 0
                        gap = 0
                        if exact >= 6, (b | 0x20) &- 0x61 < 2, exactState == 1, p[i - 1] == UInt8(ascii: "2") { line.marks |= corsica }
                        Self.end(&plain, lengths: &line.plainLengths, longest: &line.plainRun)
                        Self.end(&exact, lengths: &line.spacedLengths, longest: &line.spacedRun)
                        exactState = 0
                        Self.endDashed(&dashed, zeroLed: zeroLed, line: &line)
                        dashedState = 0
                        if c & 16 != 0, i + 2 < n, p[i + 1] | 0x20 == UInt8(ascii: "u"), p[i + 2] | 0x20 == UInt8(ascii: "r") {
                            line.marks |= currency
                        }
                    }
                    i += 1
                    continue
                }
                if word > 0 {
                    if wordDigits { line.alnumLengths |= Self.lengthBit(word) }
                    word = 0
                    wordDigits = false
                }
                if plain == 5, trawl_is_postcode_tail(p, Int64(n), Int64(i)) != 0 { line.marks |= postcode }
                Self.end(&plain, lengths: &line.plainLengths, longest: &line.plainRun)
                switch (b, exactState) {
                case (0x20, 1), (0x2E, 1), (0xA0, 3), (0xAF, 5): exactState = 2
                case (0xC2, 1): exactState = 3
                case (0xE2, 1): exactState = 4
                case (0x80, 4): exactState = 5
                default:
                    Self.end(&exact, lengths: &line.spacedLengths, longest: &line.spacedRun)
                    exactState = 0
                }
                if dashedState == 1 && (b == 0x20 || b == 0x2E || b == 0x2D) {
                    dashedState = 2
                } else {
                    Self.endDashed(&dashed, zeroLed: zeroLed, line: &line)
                    dashedState = 0
                }
                if c & 4 != 0 {
                    gap += 1
                    if gap > 3 { run = 0 }
                } else {
                    run = 0
                    gap = 0
                }
                if c & 8 != 0 {
                    switch b {
                    case 0x0A:
                        bounds.ends.append(Int32(i))
                        lines.append(line)
                        line = Line()
                        lineStart = i + 1
                        run = 0
                        gap = 0
                    case UInt8(ascii: "@"): line.marks |= at
                    case UInt8(ascii: ":"):
                        line.marks |= colon
                        if line.colons < 255 { line.colons += 1 }
                        if i + 1 < n, p[i + 1] == UInt8(ascii: ":") { line.marks |= doubleColon }
                    case UInt8(ascii: "+"):
                        if trawl_is_international_prefix(p, Int64(n), Int64(i)) != 0 { line.marks |= plus }
                    case UInt8(ascii: "."):
                        if i > 0, i + 1 < n, table[Int(p[i - 1])] & 1 != 0, table[Int(p[i + 1])] & 1 != 0 {
                            line.marks |= dot
                            if line.dotDigits < 255 { line.dotDigits += 1 }
                        }
                    default:  // 0xE2: `€` is E2 82 AC
                        if trawl_is_euro_sign(p, Int64(n), Int64(i)) != 0 { line.marks |= currency }
                    }
                }
                i += 1
            }
            if word > 0 && wordDigits { line.alnumLengths |= Self.lengthBit(word) }
            Self.end(&plain, lengths: &line.plainLengths, longest: &line.plainRun)
            Self.end(&exact, lengths: &line.spacedLengths, longest: &line.spacedRun)
            Self.endDashed(&dashed, zeroLed: zeroLed, line: &line)
            if lineStart < n {
                bounds.ends.append(Int32(n))
                lines.append(line)
            }
        }
    }
}

/// The anchor words of every detector with `words`, and the context anchors of the detectors
/// that require context (`KeywordSet.anchorFragments`), as one Aho–Corasick automaton over folded
/// text: one pass over a batch tells, for each line, which slots have a word on it (a word may
/// overlap another: every occurrence is seen).
///
/// The text is folded as PCRE2 compares it without case, and as the context phrases compare
/// letters without accents: ASCII letters to lower case, the accented Latin-1 letters (`é`, `Ç`,
/// `ÿ`...) to their base letter, and the three other characters a caseless ASCII letter matches
/// (`Ÿ` for `ÿ`, long `ſ` for `s`, the Kelvin sign for `k`) to it; every horizontal space that
/// PCRE2's `\h` matches (tab, no-break spaces, the Unicode spaces) and the ASCII whitespace of `\s`
/// but the newline (vertical tab, form feed, CR) to a space, so that a word may start or end with
/// one (`" ch"` for a street type after its number, `"ne "` for "né à"); every other byte is itself.
/// Words are folded the same way, so a word is found wherever a caseless, accent-blind match of
/// it is.
public struct AnchorMatcher: Sendable {
    /// Bytes folded to classes: 0 for a byte in no word, else 1 + index among the word bytes.
    private let classOf: [UInt8]
    private let classCount: Int
    /// The DFA (failure links folded in), by rows: entry `row + class` is the next state's row
    /// (`state * classCount`, so that a step is one add and one load), with `outputFlag` set when
    /// a word ends in that state.
    private let next: [UInt32]
    private static let outputFlag = UInt32(TRAWL_ANCHOR_OUTPUT)
    /// Detector slots whose word ends in each state (through failure links too), by state.
    private let output: [UInt64]

    /// Tab, vertical tab, form feed, CR and space: the ASCII bytes folded to a space.
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D && b != 0x0A) }

    /// `bytes` as the matcher folds text (see the type's comment).
    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let (folded, width) = fold(buffer, at: i)
                if let folded { out.append(folded) } else { out.append(contentsOf: buffer[i..<i + width]) }
                i += width
            }
        }
        return out
    }

    /// The folded form of the character at `i` and its width in bytes; nil for a character that
    /// is not folded (its bytes stand for themselves). Past ASCII, `trawl_fold` folds (the walk's
    /// own folding).
    @inline(__always)
    static func fold(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt8?, Int) {
        let b = p[i]
        if b < 0x80 { return (b >= 0x41 && b <= 0x5A ? b | 0x20 : isSpace(b) ? 0x20 : b, 1) }
        var width: Int32 = 1
        let folded = trawl_fold(p.baseAddress!, p.count, i, &width)
        return folded < 0 ? (nil, 1) : (UInt8(folded), Int(width))
    }

    /// `words[k]`: the words of slot `k` (at most 64 slots).
    init?(words: [[String]]) {
        guard !words.isEmpty, words.count <= 64 else { return nil }
        // A newline must stay in no class: it takes the walk back to the root (`trawl_anchor_walk`).
        // A word holding one is never on a line (and a pattern with a prefilter never matches
        // across one): it is left out.
        let patterns: [(bytes: [UInt8], slot: Int)] = words.enumerated().flatMap { slot, list in
            list.map { (Self.fold(Array($0.utf8)), slot) }.filter { !$0.bytes.isEmpty && !$0.bytes.contains(0x0A) }
        }
        var classOf = [UInt8](repeating: 0, count: 256)
        var count = 1
        for (bytes, _) in patterns {
            for b in bytes where classOf[Int(b)] == 0 {
                classOf[Int(b)] = UInt8(count)
                count += 1
            }
        }
        guard count < 256 else { return nil }
        for b in UInt8(0x41)...UInt8(0x5A) { classOf[Int(b)] = classOf[Int(b | 0x20)] }
        for b in UInt8(0)..<0x80 where Self.isSpace(b) { classOf[Int(b)] = classOf[0x20] }
        // The trie.
        var goto: [[Int]] = [[Int](repeating: -1, count: count)]
        var output: [UInt64] = [0]
        for (bytes, slot) in patterns {
            var state = 0
            for b in bytes {
                let c = Int(classOf[Int(b)])
                if goto[state][c] < 0 {
                    goto[state][c] = goto.count
                    goto.append([Int](repeating: -1, count: count))
                    output.append(0)
                }
                state = goto[state][c]
            }
            output[state] |= 1 << UInt64(slot)
        }
        guard goto.count * count < Int(Self.outputFlag) else { return nil }
        // Breadth-first: failure links, folded into a full transition table.
        var fail = [Int](repeating: 0, count: goto.count)
        var table = [Int](repeating: 0, count: goto.count * count)
        var queue: [Int] = []
        for c in 0..<count {
            let t = goto[0][c]
            if t > 0 { fail[t] = 0; queue.append(t); table[c] = t }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            output[state] |= output[fail[state]]
            for c in 0..<count {
                let t = goto[state][c]
                if t > 0 {
                    fail[t] = table[fail[state] * count + c]
                    queue.append(t)
                    table[state * count + c] = t
                } else {
                    table[state * count + c] = table[fail[state] * count + c]
                }
            }
        }
        self.classOf = classOf
        self.classCount = count
        self.next = table.map { UInt32($0 * count) | (output[$0] != 0 ? Self.outputFlag : 0) }
        self.output = output
    }

    /// ORs into `words[l]` the slots of the words on line `l` (lines as `LineIndex` measured them),
    /// with `trawl_anchor_walk`: `walks` interleaved walks over parts of the batch (1 or 4; the
    /// tests compare the two).
    func mark(_ buffer: UnsafeBufferPointer<UInt8>, words: inout [UInt64], bounds: LineIndex.Bounds, walks: Int = 4) {
        guard !words.isEmpty, let p = buffer.baseAddress else { return }
        precondition(bounds.count == words.count && Int(bounds.ends.last ?? 0) <= buffer.count,
                     "AnchorMatcher.mark: \(bounds.count) line ends for \(words.count) lines of \(buffer.count) bytes")
        classOf.withUnsafeBufferPointer { classOf in
            next.withUnsafeBufferPointer { next in
                output.withUnsafeBufferPointer { output in
                    var automaton = trawl_automaton(class_of: classOf.baseAddress, next: next.baseAddress, output: output.baseAddress,
                                                    class_count: UInt32(classCount))
                    words.withUnsafeMutableBufferPointer { words in
                        bounds.ends.withUnsafeBufferPointer { ends in
                            trawl_anchor_walk(&automaton, p, buffer.count, ends.baseAddress, ends.count, words.baseAddress, Int32(walks))
                        }
                    }
                }
            }
        }
    }
}

extension trawl_line: @retroactive Equatable {
    public static func == (a: trawl_line, b: trawl_line) -> Bool {
        a.plainLengths == b.plainLengths && a.spacedLengths == b.spacedLengths && a.dashedLengths == b.dashedLengths
            && a.alnumLengths == b.alnumLengths && a.digits == b.digits && a.run == b.run
            && a.plainRun == b.plainRun && a.spacedRun == b.spacedRun && a.dashedRun == b.dashedRun
            && a.zeroDashedRun == b.zeroDashedRun && a.marks == b.marks && a.dotDigits == b.dotDigits && a.colons == b.colons
    }
}
