import CTrawlKernels

/// The line measurement of `LineIndex` over 64-byte blocks. Each block's bytes are classified
/// with 16-byte vector compares into one 64-bit mask per class (digits, letters, newlines,
/// separators...); the measures are then read off the masks, one step per run of digits: the
/// separators that may join two runs (a single space, `.` or `-` for dashed runs; a space, `.`,
/// NBSP or NNBSP for spaced runs; up to three run separators for `run`) are masks too, so a run
/// ending at a joining separator only adds to its joined runs, and one ending elsewhere closes
/// them.
///
/// On x86-64 the classification is SSE2's (`CTrawlKernels`: Swift has no vector movemask); the
/// Swift one (`classifyInSwift`) serves elsewhere, and the tests compare the two.
///
/// The byte-by-byte measurement (`LineIndex.measure(_:wide: false)`) says what each measure
/// means; the tests compare the two on random text.
enum BlockMeasure {
    typealias Line = LineIndex.Line
    typealias Vector = SIMD16<UInt8>

    /// One block's classes: bit `k` for byte `k` of the block. Bytes past the batch's end are
    /// in no class.
    struct Masks: Equatable {
        var digit: UInt64 = 0, letter: UInt64 = 0, newline: UInt64 = 0
        var space: UInt64 = 0, dot: UInt64 = 0, dash: UInt64 = 0, colon: UInt64 = 0
        /// The run separators of `run` (` ./-()+,:`, tab and the bytes of the non-breaking spaces).
        var gap: UInt64 = 0
        /// Bytes checked one by one: `@`, `+`, `u` or `U` (`eur`), 0xE2 (`€`).
        var rare: UInt64 = 0
        /// The bytes of NBSP (C2 A0) and NNBSP (E2 80 AF); zero in a block of ASCII.
        var c2: UInt64 = 0, a0: UInt64 = 0, e2: UInt64 = 0, x80: UInt64 = 0, af: UInt64 = 0
    }

    /// The high bit of each 0x00/0xFF lane, as 16 bits.
    @inline(__always)
    static func bits(_ m: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        let q = unsafeBitCast(m, to: SIMD2<UInt64>.self)
        @inline(__always) func pack(_ x: UInt64) -> UInt64 { ((x & 0x8080_8080_8080_8080) &* 0x0002_0408_1020_4081) >> 56 }
        return pack(q[0]) | pack(q[1]) << 8
    }

    /// The classes of the 64 bytes at `p`.
    @inline(__always)
    static func classify(_ p: UnsafeRawPointer) -> Masks {
        #if arch(x86_64)
        var c = trawl_masks()
        trawl_classify64(p.assumingMemoryBound(to: UInt8.self), &c)
        return Masks(digit: c.digit, letter: c.letter, newline: c.newline, space: c.space, dot: c.dot, dash: c.dash,
                     colon: c.colon, gap: c.gap, rare: c.rare, c2: c.c2, a0: c.a0, e2: c.e2, x80: c.x80, af: c.af)
        #else
        return classifyInSwift(p)
        #endif
    }

    /// `classify` with Swift's vector compares: the classification where SSE2 is missing, and the
    /// reference for SSE2's.
    @inline(__always)
    static func classifyInSwift(_ p: UnsafeRawPointer) -> Masks {
        var m = Masks()
        var high = Vector(repeating: 0)
        for w in 0..<4 {
            let v = p.loadUnaligned(fromByteOffset: 16 * w, as: Vector.self)
            let shift = UInt64(16 * w)
            let digit = (v &- Vector(repeating: 0x30)) .< Vector(repeating: 10)
            let letter = ((v | Vector(repeating: 0x20)) &- Vector(repeating: 0x61)) .< Vector(repeating: 26)
            let space = v .== Vector(repeating: 0x20), dot = v .== Vector(repeating: 0x2E)
            let dash = v .== Vector(repeating: 0x2D), colon = v .== Vector(repeating: 0x3A)
            // ( ) + , - . / are 0x28...0x2F but `*`.
            let punctuation = ((v &- Vector(repeating: 0x28)) .< Vector(repeating: 8)) .& (v .!= Vector(repeating: 0x2A))
            let gap = punctuation .| space .| colon .| (v .== Vector(repeating: 0x09))
            let rare = (v .== Vector(repeating: 0x40)) .| (v .== Vector(repeating: 0x2B))
                .| ((v | Vector(repeating: 0x20)) .== Vector(repeating: 0x75)) .| (v .== Vector(repeating: 0xE2))
            m.digit |= bits(digit) << shift
            m.letter |= bits(letter) << shift
            m.newline |= bits(v .== Vector(repeating: 0x0A)) << shift
            m.space |= bits(space) << shift
            m.dot |= bits(dot) << shift
            m.dash |= bits(dash) << shift
            m.colon |= bits(colon) << shift
            m.gap |= bits(gap) << shift
            m.rare |= bits(rare) << shift
            high |= v
        }
        let h = unsafeBitCast(high, to: SIMD2<UInt64>.self)
        if (h[0] | h[1]) & 0x8080_8080_8080_8080 != 0 {
            for w in 0..<4 {
                let v = p.loadUnaligned(fromByteOffset: 16 * w, as: Vector.self)
                let shift = UInt64(16 * w)
                m.c2 |= bits(v .== Vector(repeating: 0xC2)) << shift
                m.a0 |= bits(v .== Vector(repeating: 0xA0)) << shift
                m.e2 |= bits(v .== Vector(repeating: 0xE2)) << shift
                m.x80 |= bits(v .== Vector(repeating: 0x80)) << shift
                m.af |= bits(v .== Vector(repeating: 0xAF)) << shift
            }
            m.gap |= m.c2 | m.a0 | m.e2 | m.x80 | m.af
        }
        return m
    }

    /// Bit `k`: `x` at `k - j`, the bits before the block from `previous`.
    @inline(__always)
    static func before(_ x: UInt64, _ previous: UInt64, _ j: UInt64) -> UInt64 { x << j | previous >> (64 - j) }
    /// Bit `k`: `x` at `k + j`, the bits past the block from `next`.
    @inline(__always)
    static func after(_ x: UInt64, _ next: UInt64, _ j: UInt64) -> UInt64 { x >> j | next << (64 - j) }
    /// Bits `0..<k` (`k` up to 64).
    @inline(__always)
    static func below(_ k: Int) -> UInt64 { (1 << UInt64(k)) &- 1 }

    /// Sets `mark` on the line of bit `bit` of a block whose newlines are `nl` and whose first
    /// line is `lines[base]` (or the open `line`, the `count`-th).
    @inline(__always)
    static func mark(_ mark: UInt8, bit: Int, _ nl: UInt64, _ base: Int, _ line: inout Line, _ lines: UnsafeMutablePointer<Line>, _ count: Int) {
        let l = base + (nl & below(bit)).nonzeroBitCount
        if l < count { lines[l].marks |= mark } else { line.marks |= mark }
    }

    /// Measures every line of `p[0..<n]` into `lines` and `ends` (emptied first), as
    /// `LineIndex.measure` does byte by byte.
    static func measure(_ p: UnsafePointer<UInt8>, _ n: Int, lines: inout [Line], ends: inout [Int32]) {
        // The lines are counted first, so that the measurement writes them in place: appending
        // checked the arrays' uniqueness and capacity per line, two calls each. The arrays keep
        // the last batch's lines, overwritten: batches are much alike, so only a few lines are
        // added or removed.
        let count = n == 0 ? 0 : trawl_count_byte(p, n, 0x0A) + (p[n - 1] == 0x0A ? 0 : 1)
        resize(&lines, to: count, with: Line())
        resize(&ends, to: count, with: 0)
        guard count > 0 else { return }
        let written = lines.withUnsafeMutableBufferPointer { lines in
            ends.withUnsafeMutableBufferPointer { ends in measure(p, n, lines: lines.baseAddress!, ends: ends.baseAddress!) }
        }
        precondition(written == count, "BlockMeasure: \(written) lines measured, \(count) counted")
    }

    @inline(__always)
    private static func resize<T>(_ array: inout [T], to count: Int, with value: T) {
        if array.count < count {
            array.append(contentsOf: repeatElement(value, count: count - array.count))
        } else if array.count > count {
            array.removeLast(array.count - count)
        }
    }

    /// The measurement proper, into room for every line; returns the number of lines.
    private static func measure(_ p: UnsafePointer<UInt8>, _ n: Int, lines: UnsafeMutablePointer<Line>, ends: UnsafeMutablePointer<Int32>) -> Int {
        typealias Mark = PrefilterDefinition.Mark
        let at = Mark.at.bit, dotMark = Mark.dotDigit.bit, colonMark = Mark.colon.bit, plus = Mark.plus.bit
        let currency = Mark.currency.bit, doubleColon = Mark.doubleColon.bit, capsDigits = Mark.capsDigits.bit
        let corsica = Mark.corsica.bit
        var count = 0
        var line = Line()
        // The digits of the open spaced, dashed and separated runs (`run`), and whether the
        // dashed one starts with a `0`.
        var spaced: UInt32 = 0, dashed: UInt32 = 0, gapped: UInt32 = 0
        var zeroLed = false
        // Where the run of digits, and the word of letters and digits, that reach the next block's
        // first byte start (the next block's start when none does).
        var digitStart = 0, wordStart = 0
        // A word holding a digit that goes on past the block (its start), and where the last
        // counted word ends.
        var openWord = -1, wordEnd = 0
        // One block of zeros after a batch of whole blocks closes what reaches its end.
        let limit = n % 64 == 0 ? n + 64 : n
        // The last, partial block is classified from a copy padded with zeros. (No closure around
        // the loop: the state it captured lived in memory, not in registers.)
        let tail = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { tail.deallocate() }
        @inline(__always) func masks(at o: Int) -> Masks {
            if o >= n { return Masks() }
            if o + 64 <= n { return classify(UnsafeRawPointer(p + o)) }
            tail.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
            tail.copyMemory(from: p + o, byteCount: n - o)
            return classify(UnsafeRawPointer(tail))
        }
        var previous = Masks()
        var current = masks(at: 0)
        var o = 0
        while o < limit {
            let next = masks(at: o + 64)
            let d = current.digit
            let digitBefore = before(d, previous.digit, 1), digitAfter = after(d, next.digit, 1)
            let between = digitBefore & digitAfter
            // Where a run of digits ends (the byte after it), and whether the separator there
            // joins it to the next run, for each kind of run.
            let runEnds = ~d & digitBefore
            var spacedLinks = (current.space | current.dot) & between
            if current.c2 | current.e2 != 0 {
                spacedLinks |= current.c2 & after(current.a0, next.a0, 1) & digitBefore & after(d, next.digit, 2)
                spacedLinks |= current.e2 & after(current.x80, next.x80, 1) & after(current.af, next.af, 2) & digitBefore & after(d, next.digit, 3)
            }
            let dashedLinks = (current.space | current.dot | current.dash) & between
            let g = current.gap, gapAfter = after(g, next.gap, 1)
            let gappedLinks = (g & between) | (g & gapAfter & digitBefore & after(d, next.digit, 2))
                | (g & gapAfter & after(g, next.gap, 2) & digitBefore & after(d, next.digit, 3))
            let words = d | current.letter
            let nonWords = ~words
            if openWord >= 0, nonWords != 0 {
                // The word ends in this block, before any newline.
                wordEnd = o + nonWords.trailingZeroBitCount
                line.alnumLengths |= LineIndex.lengthBit(wordEnd &- openWord)
                openWord = -1
            }
            let nl = current.newline
            let base = count
            let dotDigits = current.dot & between
            let colons = current.colon
            var from = 0, rest = nl
            while true {
                let to = rest == 0 ? 64 : rest.trailingZeroBitCount
                // Runs of digits ending in the segment (at its newline at the latest).
                var endsHere = runEnds & ~below(from) & (to == 64 ? ~0 : below(to + 1))
                while endsHere != 0 {
                    let e = endsHere.trailingZeroBitCount
                    endsHere &= endsHere - 1
                    let nonDigits = ~d & below(e)
                    let start = nonDigits == 0 ? digitStart : o &+ 64 &- nonDigits.leadingZeroBitCount
                    let length = UInt32(truncatingIfNeeded: o &+ e &- start)
                    line.digits &+= length
                    line.plainLengths |= LineIndex.lengthBit(Int(length))
                    line.plainRun = max(line.plainRun, length)
                    let bit = UInt64(1) &<< UInt64(e)
                    // Without branches: whether the separator after the run joins it to
                    // the next one depends on the data, and a mispredicted branch costs
                    // more than the few operations done either way.
                    spaced &+= length
                    let closesSpaced = spacedLinks & bit == 0
                    line.spacedLengths |= closesSpaced ? LineIndex.lengthBit(Int(spaced)) : 0
                    line.spacedRun = max(line.spacedRun, closesSpaced ? spaced : 0)
                    if closesSpaced, current.letter & bit != 0, spaced >= 6, (p[o + e] | 0x20) &- 0x61 < 2, p[o + e - 1] == UInt8(ascii: "2") {
                        line.marks |= corsica
                    }
                    spaced = closesSpaced ? 0 : spaced
                    zeroLed = dashed == 0 ? p[start] == UInt8(ascii: "0") : zeroLed
                    dashed &+= length
                    let closesDashed = dashedLinks & bit == 0
                    line.dashedLengths |= closesDashed ? LineIndex.lengthBit(Int(dashed)) : 0
                    line.dashedRun = max(line.dashedRun, closesDashed ? dashed : 0)
                    line.zeroDashedRun = max(line.zeroDashedRun, closesDashed && zeroLed ? dashed : 0)
                    dashed = closesDashed ? 0 : dashed
                    gapped &+= length
                    let closesGapped = gappedLinks & bit == 0
                    line.run = max(line.run, closesGapped ? gapped : 0)
                    gapped = closesGapped ? 0 : gapped
                    if start >= wordEnd && openWord < 0 {
                        // The word of letters and digits around the run: most often the run
                        // itself (a number between separators).
                        let s = start &- o
                        var first = start
                        if s <= 0 {
                            first = wordStart
                        } else if words & (1 &<< UInt64(s &- 1)) != 0 {
                            let outside = nonWords & below(s)
                            first = outside == 0 ? wordStart : o &+ 64 &- outside.leadingZeroBitCount
                        }
                        if nonWords & bit != 0 {
                            wordEnd = o &+ e
                            line.alnumLengths |= LineIndex.lengthBit(wordEnd &- first)
                        } else {
                            let beyond = nonWords & ~below(e)
                            if beyond == 0 {
                                openWord = first
                            } else {
                                wordEnd = o &+ beyond.trailingZeroBitCount
                                line.alnumLengths |= LineIndex.lengthBit(wordEnd &- first)
                            }
                        }
                    }
                }
                let segment = (to == 64 ? ~0 : below(to)) & ~below(from)
                if (colons | dotDigits) & segment != 0 {
                    if colons & segment != 0 {
                        line.marks |= colonMark
                        line.colons = UInt8(min(255, Int(line.colons) + (colons & segment).nonzeroBitCount))
                        if colons & after(colons, next.colon, 1) & segment != 0 { line.marks |= doubleColon }
                    }
                    if dotDigits & segment != 0 {
                        line.marks |= dotMark
                        line.dotDigits = UInt8(min(255, Int(line.dotDigits) + (dotDigits & segment).nonzeroBitCount))
                    }
                }
                if rest == 0 { break }
                ends[count] = Int32(o + to)
                lines[count] = line
                count += 1
                line = Line()
                rest &= rest - 1
                from = to + 1
            }
            // Marks checked byte by byte, set on the line of their byte.
            var rare = current.rare
            while rare != 0 {
                let k = rare.trailingZeroBitCount
                rare &= rare - 1
                let i = o + k
                switch p[i] {
                case UInt8(ascii: "@"):
                    Self.mark(at, bit: k, nl, base, &line, lines, count)
                case UInt8(ascii: "+"):
                    if LineIndex.isInternationalPrefix(p, n, at: i) { Self.mark(plus, bit: k, nl, base, &line, lines, count) }
                case 0xE2:
                    if LineIndex.isEuroSign(p, n, at: i) { Self.mark(currency, bit: k, nl, base, &line, lines, count) }
                default:  // `u` or `U`
                    if i >= 1, i + 1 < n, p[i - 1] | 0x20 == UInt8(ascii: "e"), p[i + 1] | 0x20 == UInt8(ascii: "r") { Self.mark(currency, bit: k, nl, base, &line, lines, count) }
                }
            }
            // Two capitals (maybe then a space) before two digits: `FR76`, `GB 29`.
            var caps = d & digitAfter & (before(current.letter, previous.letter, 1) | before(current.space, previous.space, 1))
            while caps != 0 {
                let k = caps.trailingZeroBitCount
                caps &= caps - 1
                if LineIndex.followsTwoCapitals(p, at: o + k) { Self.mark(capsDigits, bit: k, nl, base, &line, lines, count) }
            }
            // What reaches the next block.
            if d >> 63 != 0 {
                if ~d != 0 { digitStart = o + 64 - (~d).leadingZeroBitCount }
            } else {
                digitStart = o + 64
            }
            if words >> 63 != 0 {
                if nonWords != 0 { wordStart = o + 64 - nonWords.leadingZeroBitCount }
            } else {
                wordStart = o + 64
            }
            previous = current
            current = next
            o += 64
        }
        if p[n - 1] != 0x0A {
            ends[count] = Int32(n)
            lines[count] = line
            count += 1
        }
        return count
    }
}
