import CTrawlKernels

/// The line measurement of `LineIndex` over 64-byte blocks (`trawl_measure`, in C: Swift kept
/// much of this loop's state on the stack). Each block's bytes are classified
/// with 16-byte vector compares into one 64-bit mask per class (digits, letters, newlines,
/// separators...); the measures are then read off the masks, one step per run of digits: the
/// separators that may join two runs (a single space, `.` or `-` for dashed runs; a space, `.`,
/// NBSP or NNBSP for spaced runs; up to three run separators for `run`) are masks too, so a run
/// ending at a joining separator only adds to its joined runs, and one ending elsewhere closes
/// them.
///
/// On x86-64 the classification is SSE2's, or AVX2's on a CPU that has it (`CTrawlKernels`: Swift
/// has no vector movemask), byte by byte elsewhere; the Swift one (`classifyInSwift`) is the
/// reference the tests compare them with.
///
/// The byte-by-byte measurement (`LineIndex.measure(_:wide: false)`) says what each measure
/// means; the tests compare the two on random text.
enum BlockMeasure {
    typealias Line = LineIndex.Line
    typealias Vector = SIMD16<UInt8>

    /// One block's classes (`trawl_masks`, whose header says what each is).
    typealias Masks = trawl_masks

    /// The high bit of each 0x00/0xFF lane, as 16 bits.
    @inline(__always)
    static func bits(_ m: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        let q = unsafeBitCast(m, to: SIMD2<UInt64>.self)
        @inline(__always) func pack(_ x: UInt64) -> UInt64 { ((x & 0x8080_8080_8080_8080) &* 0x0002_0408_1020_4081) >> 56 }
        return pack(q[0]) | pack(q[1]) << 8
    }

    /// The classes of the 64 bytes at `p` as `trawl_measure` classifies them without AVX2 (SSE2's
    /// on x86-64), or with `bytes`, byte by byte (`trawl_classify64_bytes`, the classification
    /// elsewhere).
    static func classify(_ p: UnsafeRawPointer, bytes: Bool = false) -> Masks {
        var m = Masks()
        let q = p.assumingMemoryBound(to: UInt8.self)
        if bytes || trawl_classify64_vector(q, &m, 0) == 0 { trawl_classify64_bytes(q, &m) }
        return m
    }

    /// The classes as the AVX2 measurement classifies them; nil on a CPU without AVX2.
    static func classifyWide(_ p: UnsafeRawPointer) -> Masks? {
        var m = Masks()
        return trawl_classify64_vector(p.assumingMemoryBound(to: UInt8.self), &m, 1) != 0 ? m : nil
    }

    /// `classify` with Swift's vector compares: the reference the tests compare the C
    /// classifications with.
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

    /// The bit of each mark, for `trawl_measure`.
    private static let markBits: trawl_mark_bits = {
        typealias Mark = PrefilterDefinition.Mark
        return trawl_mark_bits(at: Mark.at.bit, dot_digit: Mark.dotDigit.bit, colon: Mark.colon.bit, plus: Mark.plus.bit,
                               currency: Mark.currency.bit, double_colon: Mark.doubleColon.bit, caps_digits: Mark.capsDigits.bit,
                               corsica: Mark.corsica.bit, postcode: Mark.postcode.bit)
    }()

    /// Measures every line of `p[0..<n]` into `lines` and `ends` (emptied first), as
    /// `LineIndex.measure` does byte by byte; with `baseline`, without AVX2 even where the CPU
    /// has it (the tests measure both ways).
    static func measure(_ p: UnsafePointer<UInt8>, _ n: Int, lines: inout [Line], ends: inout [Int32], baseline: Bool = false) {
        // The lines are counted first, so that the measurement writes them in place: appending
        // checked the arrays' uniqueness and capacity per line, two calls each. The arrays keep
        // the last batch's lines, overwritten: batches are much alike, so only a few lines are
        // added or removed.
        let count = n == 0 ? 0 : trawl_count_byte(p, n, 0x0A) + (p[n - 1] == 0x0A ? 0 : 1)
        lines.resize(to: count, with: Line())
        ends.resize(to: count, with: 0)
        guard count > 0 else { return }
        let written = lines.withUnsafeMutableBufferPointer { lines in
            ends.withUnsafeMutableBufferPointer { ends in trawl_measure(p, n, lines.baseAddress!, ends.baseAddress!, markBits, baseline ? 1 : 0) }
        }
        precondition(written == count, "BlockMeasure: \(written) lines measured, \(count) counted")
    }
}

extension trawl_masks: @retroactive Equatable {
    public static func == (a: trawl_masks, b: trawl_masks) -> Bool {
        a.digit == b.digit && a.letter == b.letter && a.newline == b.newline && a.space == b.space && a.dot == b.dot
            && a.dash == b.dash && a.colon == b.colon && a.gap == b.gap && a.rare == b.rare
            && a.c2 == b.c2 && a.a0 == b.a0 && a.e2 == b.e2 && a.x80 == b.x80 && a.af == b.af
    }
}
