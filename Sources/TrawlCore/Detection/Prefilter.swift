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
    /// One of these ASCII fragments, in any case, on the line: each alternative of the pattern
    /// must contain one (`asile` for "demandeur d’asile", `fugi` for "réfugié").
    public var words: [String]?

    public init(digits: Int? = nil, run: Int? = nil, any: [Mark]? = nil, alnum: [Int]? = nil, words: [String]? = nil) {
        self.digits = digits
        self.run = run
        self.any = any
        self.alnum = alnum
        self.words = words
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
        /// Bit `k` set when a word of the detector in anchor slot `k` is on the line.
        var words: UInt64 = 0
    }

    private(set) var lines: [Line] = []
    /// The field of the cell each line belongs to (-1 none, `severalFields` when it spans cells).
    private(set) var fields: [Int32] = []
    static let severalFields: Int32 = -2

    /// Fills `fields` from the batch's segments (sorted by offset, separated by newlines).
    mutating func assignFields(_ segments: [TextBatch.Segment]) {
        fields.removeAll(keepingCapacity: true)
        var s = 0
        for line in lines {
            while s < segments.count, segments[s].end < line.start { s += 1 }
            var field: Int32 = -1
            var t = s
            var count = 0
            while t < segments.count, segments[t].start <= line.end {
                field = segments[t].field
                count += 1
                t += 1
            }
            fields.append(count > 1 ? Self.severalFields : field)
        }
    }

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

    /// Measures every line of `buffer`, and finds the anchor words on each.
    mutating func measure(_ buffer: UnsafeBufferPointer<UInt8>, anchors: AnchorMatcher? = nil) {
        measureBytes(buffer)
        if let anchors, !lines.isEmpty { anchors.mark(buffer, lines: &lines) }
    }

    private mutating func measureBytes(_ buffer: UnsafeBufferPointer<UInt8>) {
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

/// The anchor words of every detector with `words`, as one Aho–Corasick automaton over
/// ASCII-case-folded bytes: one pass over a batch tells, for each line, which detectors have a
/// word on it (a word may overlap another: every occurrence is seen).
public struct AnchorMatcher: Sendable {
    /// Bytes folded to classes: 0 for a byte in no word, else 1 + index among the word bytes.
    private let classOf: [UInt8]
    private let classCount: Int
    /// `next[state * classCount + class]`, failure links folded in (a DFA).
    private let next: [UInt16]
    /// Detector slots whose word ends in each state (through failure links too).
    private let output: [UInt64]

    /// `words[k]`: the words of the detector in slot `k` (at most 64 slots).
    init?(words: [[String]]) {
        guard !words.isEmpty, words.count <= 64 else { return nil }
        func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        let patterns: [(bytes: [UInt8], slot: Int)] = words.enumerated().flatMap { slot, list in
            list.map { (Array($0.utf8).map(fold), slot) }.filter { !$0.bytes.isEmpty }
        }
        var classOf = [UInt8](repeating: 0, count: 256)
        var count = 1
        for (bytes, _) in patterns {
            for b in bytes where classOf[Int(b)] == 0 {
                classOf[Int(b)] = UInt8(count)
                count += 1
            }
        }
        for b in UInt8(0x41)...UInt8(0x5A) { classOf[Int(b)] = classOf[Int(b | 0x20)] }
        guard count < 256 else { return nil }
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
        guard goto.count < Int(UInt16.max) else { return nil }
        // Breadth-first: failure links, folded into a full transition table.
        var fail = [Int](repeating: 0, count: goto.count)
        var table = [UInt16](repeating: 0, count: goto.count * count)
        var queue: [Int] = []
        for c in 0..<count {
            let t = goto[0][c]
            if t > 0 { fail[t] = 0; queue.append(t); table[c] = UInt16(t) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            output[state] |= output[fail[state]]
            for c in 0..<count {
                let t = goto[state][c]
                if t > 0 {
                    fail[t] = Int(table[fail[state] * count + c])
                    queue.append(t)
                    table[state * count + c] = UInt16(t)
                } else {
                    table[state * count + c] = table[fail[state] * count + c]
                }
            }
        }
        self.classOf = classOf
        self.classCount = count
        self.next = table
        self.output = output
    }

    /// Sets `words` on every line holding a word (lines in order, as `LineIndex` measured them).
    func mark(_ buffer: UnsafeBufferPointer<UInt8>, lines: inout [LineIndex.Line]) {
        classOf.withUnsafeBufferPointer { classOf in
            next.withUnsafeBufferPointer { next in
                output.withUnsafeBufferPointer { output in
                    var state = 0
                    var line = 0
                    var lineEnd = lines[0].end
                    var mask: UInt64 = 0
                    for i in 0..<buffer.count {
                        if i >= lineEnd {
                            // A newline (words hold none): the line is done.
                            lines[line].words = mask
                            mask = 0
                            state = 0
                            line += 1
                            if line == lines.count { return }
                            lineEnd = lines[line].end
                            continue
                        }
                        state = Int(next[state * classCount + Int(classOf[Int(buffer[i])])])
                        mask |= output[state]
                    }
                    if line < lines.count { lines[line].words = mask }
                }
            }
        }
    }
}
