import Foundation
import Testing
@testable import TrawlCore
import CTrawlKernels

@Suite("Prefilters")
struct PrefilterTests {
    static func lines(_ text: String) -> [LineIndex.Line] {
        var index = LineIndex()
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0) }
        return index.lines
    }

    @Test func eachLineIsMeasured() {
        let text = "tél. 06 12 34 56 78\nIBAN FR7630006000011234567890189\nmail: a@b.fr 10.0.0.1\nprix 45 000 €\n12AB34567 x"
        let lines = Self.lines(text)
        var index = LineIndex()
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0) }
        let bounds = index.bounds
        #expect(lines.count == 5)
        #expect(lines[0].digits == 10 && lines[0].run == 10, "separators inside a run: \(lines[0])")
        #expect(lines[1].run == 25 && lines[1].alnumLengths & LineIndex.lengthBit(27) != 0)
        let m = PrefilterDefinition.Mark.self
        #expect(lines[2].marks & m.at.bit != 0 && lines[2].marks & m.dotDigit.bit != 0 && lines[2].marks & m.colon.bit != 0)
        #expect(lines[2].marks & m.plus.bit == 0)
        #expect(lines[3].marks & m.currency.bit != 0 && lines[3].run == 5)
        #expect(lines[4].alnumLengths == LineIndex.lengthBit(9), "a word without a digit does not count: \(lines[4].alnumLengths)")
        #expect(bounds.count == 5 && bounds.start(0) == 0 && bounds.end(0) == "tél. 06 12 34 56 78".utf8.count)
        #expect(bounds.start(4) == bounds.end(3) + 1 && bounds.end(4) == bounds.start(4) + 11 && bounds.end(4) == text.utf8.count)
        // A last empty line (after a final newline) is not a line.
        var trailing = LineIndex()
        Array("a\nb\n".utf8).withUnsafeBufferPointer { trailing.measure($0) }
        #expect(trailing.bounds.ends == [1, 3] && trailing.lines.count == 2)
        // Four separator bytes break a run; a letter breaks it too.
        #expect(Self.lines("12 -  34")[0].run == 2 && Self.lines("12a34")[0].run == 2)
        #expect(Self.lines("Prix 12 EUR")[0].marks & m.currency.bit != 0 && Self.lines("12 euros")[0].marks & m.currency.bit != 0)
    }

    /// `plus` marks an international prefix, not a time zone; `corsica` a `2A` / `2B` ending six
    /// digits or more (the NIR's Corsican form); `postcode` five digits before a capitalised word.
    @Test func plusCorsicaAndPostcodeMarks() {
        let m = PrefilterDefinition.Mark.self
        // A line's marks are 16 bits (the admission table has an entry per combination).
        #expect(m.allCases.count <= 16)
        let plus = Self.lines("+33 6 12\n(+44) 20\ntel + 1 555\n1+2\n[06/Jun/2024:18:19:40 +0100]\n10:26:58.847+01:00\n1+0\n+ 0\n+")
        #expect(plus.map { $0.marks & m.plus.bit != 0 } == [true, true, true, true, false, false, false, false, false])
        let corsica = Self.lines("1 85 05 2A 123 456 78\n185052b12345678\n2 85 05 2\u{00A0}2B 123\n8505 2A\n1 85 05 3A\n185052 A\nx2a9f")
        #expect(corsica.map { $0.marks & m.corsica.bit != 0 } == [true, true, true, false, false, false, false])
        let postcode = Self.lines("75008 PARIS\n69001 \t Lyon\n97400 Île\n20000 \u{00C9}\n200 55331 \"-\"\n498 rows\n750080 PARIS\n7500 PARIS\n"
                                  + "75008PARIS\n75008 paris\n75008 \nx 12345 B")
        #expect(postcode.map { $0.marks & m.postcode.bit != 0 } == [true, true, true, true, false, false, false, false, false, false, false, true])
    }

    @Test func runsCountsAndAlternatives() throws {
        let lines = Self.lines("2024-05-06 12:34:56\n123 456 789\n123456789012\nfe80::1 10.0.0.1\n1 2-3")
        #expect(lines[0].run == 14 && lines[0].plainRun == 4 && lines[0].spacedRun == 4 && lines[0].colons == 2)
        #expect(lines[1].spacedRun == 9 && lines[1].plainRun == 3)
        #expect(lines[2].plainRun == 12)
        let m = PrefilterDefinition.Mark.self
        #expect(lines[3].marks & m.doubleColon.bit != 0 && lines[3].dotDigits == 3 && lines[3].colons == 2)
        #expect(lines[4].spacedRun == 2 && lines[4].run == 3)
        // Maximal runs: "123 456 789  12" is a separated run of 9 then one of 2; NBSP separates.
        let runs = Self.lines("123 456 789  12\n123456789012345\n732\u{00A0}829\u{00A0}320 x\n12 .3\n9")
        let bit = LineIndex.lengthBit
        #expect(runs[0].spacedLengths == bit(9) | bit(2) && runs[0].plainLengths == bit(3) | bit(2))
        #expect(runs[1].plainLengths == bit(15) && runs[1].spacedLengths == bit(15))
        #expect(runs[2].spacedLengths == bit(9) && runs[2].plainLengths == bit(3))
        #expect(runs[3].spacedLengths == bit(2) | bit(1) && runs[4].plainLengths == bit(1) && runs[4].spacedLengths == bit(1))
        let caps = PrefilterDefinition.Mark.capsDigits.bit
        #expect(Self.lines("IBAN FR76 3000\nGB 29 NWBK\nFr76\nAB1\nx12 34")[0...4].map { $0.marks & caps != 0 } == [true, true, false, false, false])
        // `any_of`: the base conditions apply to every alternative.
        let ip = PrefilterDefinition(digits: 1, anyOf: [PrefilterDefinition(dotDigits: 3), PrefilterDefinition(any: [.doubleColon])])
        let conditions = ip.conditions(wordBit: 0)
        #expect(conditions.count == 2)
        #expect(lines.map { l in conditions.contains { $0.admits(l, words: 0) } } == [false, false, false, true, false])
        let card = PrefilterDefinition(anyOf: [PrefilterDefinition(plainRun: 12), PrefilterDefinition(run: 13)]).conditions(wordBit: 0)
        #expect(lines.map { l in card.contains { $0.admits(l, words: 0) } } == [true, false, true, false, false])
    }

    /// The block measurement (`BlockMeasure`, 64 bytes at a time) gives every line the same
    /// measures as the byte-by-byte one, on random runs of every byte class.
    @Test func blockMeasurementEqualsByteByByte() {
        var random = SeededRandom(0x9E37_79B9_7F4A_7C15)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let tokens = ["0", "7", "a", "Z", "e", "E", "eur", "EURO", "ur", " ", ".", "-", ":", "::", "/", "@", "+", ",", "(", ")", "\t",
                      "\n", "\u{00A0}", "\u{202F}", "€", "é", "FR", "GB ", "x",
                      // Long stretches without digits (across the 64-byte blocks), words that a
                      // digit then joins, and `eur` across block edges.
                      "Remboursement partiel effectué, ", "abcdefghijklmnopq", "prix en euros ", "ticket-", " réf. ",
                      // Corsican NIRs and time zones.
                      "2", "2A", "2b", "B", "+0", "+ 3",
                      // Postcodes before a town, and five digits before other words.
                      "75008 PARIS", "12345\t\u{00C9}vry", "55331 \"", "12345 rows"]
        for round in 0..<1000 {
            var text = ""
            let length = round % 40 == 0 ? 4000 : next(200)
            while text.utf8.count < length {
                let token = tokens[next(tokens.count)]
                text += String(repeating: token, count: token.count == 1 && next(3) == 0 ? 1 + next(30) : 1)
            }
            let bytes = Array(text.utf8)
            var wide = LineIndex(), baseline = LineIndex(), narrow = LineIndex()
            bytes.withUnsafeBufferPointer { wide.measure($0) }
            bytes.withUnsafeBufferPointer { baseline.measure($0, baseline: true) }
            bytes.withUnsafeBufferPointer { narrow.measure($0, wide: false) }
            #expect(wide.lines == narrow.lines && wide.bounds.ends == narrow.bounds.ends, "\(text.debugDescription)")
            #expect(baseline.lines == narrow.lines && baseline.bounds.ends == narrow.bounds.ends, "\(text.debugDescription)")
        }
    }

    /// The classifications the block measurement uses (SSE2's and, on a CPU with it, AVX2's on
    /// x86-64, byte by byte elsewhere) give every byte value, at every position of a block, the
    /// classes of the Swift reference.
    @Test func blockClassificationEqualsTheSwiftOne() {
        var random = SeededRandom(0x1234_5678_9ABC_DEF1)
        func next(_ bound: Int) -> Int { random.next(bound) }
        var blocks: [[UInt8]] = (0..<4).map { k in (0..<64).map { UInt8(64 * k + $0) } }  // every byte value
        let common: [UInt8] = Array("0123456789 aZuU@+.-:,()/*\t\n".utf8) + [0xC2, 0xA0, 0xE2, 0x80, 0xAF, 0xFF]
        for _ in 0..<2000 {
            blocks.append((0..<64).map { _ in next(4) == 0 ? UInt8(next(256)) : common[next(common.count)] })
        }
        // On a CPU with AVX2 the AVX2 classification must be there (the measurement's dispatch asks
        // the same question): a failed detection would pass every other test, only slower.
        let cpuHasAVX2 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx2") ?? false
        blocks[0].withUnsafeBytes { p in #expect(!cpuHasAVX2 || BlockMeasure.classifyWide(p.baseAddress!) != nil) }
        for block in blocks {
            block.withUnsafeBytes { p in
                let reference = BlockMeasure.classifyInSwift(p.baseAddress!)
                #expect(BlockMeasure.classify(p.baseAddress!) == reference, "\(block)")
                #expect(BlockMeasure.classify(p.baseAddress!, bytes: true) == reference, "\(block)")
                if let wide = BlockMeasure.classifyWide(p.baseAddress!) { #expect(wide == reference, "\(block)") }
            }
        }
    }

    /// The line count the block measurement makes room with (`trawl_count_byte`, 16 bytes a step
    /// and 255 steps per sum) counts every newline, at every length and offset.
    @Test func newlineCountEqualsAPlainCount() {
        var random = SeededRandom(0x0F0F_1234_ABCD_0001)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let all = (0..<9000).map { _ in [0x0A, 0x61, 0x0A, 0x30, 0x8A, 0xFF][next(6)] as UInt8 }
        all.withUnsafeBufferPointer { p in
            for length in Array(0...70) + [4079, 4080, 4081, 4096, 8191, 8999] {
                let offset = next(1 + 9000 - length - (length == 8999 ? 0 : 1))
                let slice = UnsafeBufferPointer(rebasing: p[offset..<(offset + length)])
                #expect(trawl_count_byte(slice.baseAddress!, length, 0x0A) == slice.filter { $0 == 0x0A }.count, "\(length) at \(offset)")
            }
        }
        #expect(trawl_count_byte([UInt8](repeating: 0x0A, count: 5000), 5000, 0x0A) == 5000)
    }

    /// The same at the edges of the 64-byte blocks: every run, word, joining separator
    /// (`-`, NBSP, NNBSP, up to three run separators) and mark placed across each edge, in
    /// batches that end inside, right after or right before one (a batch of whole blocks ends
    /// with a run still open).
    @Test func blockMeasurementEqualsByteByByteAcrossBlockEdges() {
        let pieces = ["123456789012", "06 12 34 56 78", "1\u{00A0}2", "1\u{202F}234", "12-34", "1 .2", "1(-)2", "1 (-)2", "12::34", "9.9.9.9",
                      "FR76 3000", "AB12", "ab 12", "1 85 05 2A 123", "+33 6", "+ 3", "+0100", "eur", "EURO", "x€", "@b",
                      "a245f09e", "abcdefgh1", "A1B2C3", "0012", "\n", "\n\n", "é1", "2b", " "]
        var random = SeededRandom(0x2545_F491_4F6C_DD1D)
        func next(_ bound: Int) -> Int { random.next(bound) }
        var checked = 0
        for piece in pieces {
            let bytes = Array(piece.utf8)
            for edge in [64, 128] {
                // The piece across the edge at every offset, after filler of every kind.
                for offset in 0...bytes.count {
                    for filler: UInt8 in [0x61, 0x31, 0x20, 0x0A, 0x2D] {
                        var text = [UInt8](repeating: filler, count: edge - offset) + bytes
                        for cut in [text.count, text.count + 1 + next(70)] {
                            while text.count < cut { text.append([0x31, 0x61, 0x20, 0x2E, 0x0A][next(5)]) }
                            let batch = Array(text.prefix(cut))
                            var wide = LineIndex(), baseline = LineIndex(), narrow = LineIndex()
                            batch.withUnsafeBufferPointer { wide.measure($0) }
                            batch.withUnsafeBufferPointer { baseline.measure($0, baseline: true) }
                            batch.withUnsafeBufferPointer { narrow.measure($0, wide: false) }
                            #expect(wide.lines == narrow.lines && wide.bounds.ends == narrow.bounds.ends,
                                    "\(String(decoding: batch, as: UTF8.self).debugDescription)")
                            #expect(baseline.lines == narrow.lines && baseline.bounds.ends == narrow.bounds.ends,
                                    "\(String(decoding: batch, as: UTF8.self).debugDescription)")
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 3000)
    }

    /// The admission tables give every line exactly the threshold sets that testing each set
    /// gives: the built-in catalog's sets (with anchor-word bits), on random lines of every byte
    /// class and on lines with random measures, values past the tables' cap included.
    @Test func admissionTablesAgreeWithTestingEachSet() throws {
        let catalog = try DetectorCatalog.builtin()
        let sets = catalog.detectors.enumerated().flatMap { k, d in
            d.definition.prefilter?.conditions(wordBit: 1 << UInt64(k % 64)) ?? []
        }
        #expect(sets.count > 20)
        let table = try #require(AdmissionTable(sets))
        var random = SeededRandom(0x2545_F491_4F6C_DD1D)
        func next(_ bound: Int) -> Int { random.next(bound) }
        func bits() -> UInt64 { (0..<next(4)).reduce(0) { acc, _ in acc | 1 << UInt64(next(64)) } }
        var lines: [(line: LineIndex.Line, words: UInt64)] = []
        let tokens = ["0", "7", "12345", "06 12 34 56 78", "a", "eur", " ", ".", "-", ":", "::", "@", "+", "€", "FR76", "rue", "asile", "\n"]
        let text = random.text(from: tokens, length: 20_000)
        let matcher = try #require(AnchorMatcher(words: [["rue"], ["asile"]]))
        var index = LineIndex()
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        lines += zip(index.lines, index.words).map { ($0, $1) }
        for _ in 0..<5000 {
            var line = LineIndex.Line()
            line.digits = UInt32(next(3) == 0 ? next(400) : next(30))
            line.run = UInt32(next(Int(line.digits) + 1))
            line.plainRun = UInt32(next(Int(line.run) + 1))
            line.spacedRun = UInt32(next(Int(line.run) + 1))
            line.dashedRun = UInt32(next(Int(line.run) + 1))
            line.plainLengths = bits()
            line.spacedLengths = bits()
            line.dashedLengths = bits()
            line.zeroDashedRun = UInt32(next(Int(line.dashedRun) + 1))
            line.alnumLengths = bits()
            line.marks = UInt16(next(1 << PrefilterDefinition.Mark.allCases.count))
            line.dotDigits = UInt8(next(256))
            line.colons = UInt8(next(256))
            lines.append((line, bits()))
        }
        table.withTables { counted, bitSets, marks in
            for (line, words) in lines {
                let expected = sets.enumerated().reduce(UInt64(0)) { $0 | ($1.element.admits(line, words: words) ? 1 << UInt64($1.offset) : 0) }
                #expect(table.mask(line, words: words, counted: counted, bitSets: bitSets, marks: marks) == expected, "\(line) \(words)")
            }
        }
        let bare = LineIndex.Line()
        #expect(table.bareMask == sets.enumerated().reduce(UInt64(0)) { $0 | ($1.element.admits(bare, words: 0) ? 1 << UInt64($1.offset) : 0) })
    }

    /// Dashed runs join digits over one space, `.` or `-` (SSNs, grouped card numbers), not over
    /// the `:` and `+` of times, nor over two separators.
    @Test func dashedRunsJoinDigitsOverOneSpaceDotOrHyphen() {
        let lines = Self.lines("SSN 123-45-6789.\n2024-02-13T10:26:58.847+01:00\n4970 1012-3456.7890 12\n12--34 5\u{00A0}6")
        let bit = LineIndex.lengthBit
        #expect(lines[0].dashedRun == 9 && lines[0].dashedLengths == bit(9))
        #expect(lines[1].dashedRun == 8 && lines[1].dashedLengths == bit(8) | bit(2) | bit(5) && lines[1].run == 13)
        #expect(lines[2].dashedRun == 18 && lines[2].dashedLengths == bit(18))
        #expect(lines[3].dashedLengths == bit(2) | bit(3) | bit(1) && lines[3].dashedRun == 3)
        let ssn = PrefilterDefinition(dashedLengths: [9]).conditions(wordBit: 0)[0]
        #expect(lines.map { ssn.admits($0, words: 0) } == [true, false, false, false])
    }

    /// A word may start with a space: every horizontal space of PCRE2's `\h` counts as one.
    @Test func anchorWordsSeeEveryHorizontalSpaceAsASpace() throws {
        let matcher = try #require(AnchorMatcher(words: [[" ch"]]))
        var index = LineIndex()
        let spaces = ["12 ch. des Vignes", "12\tCHEMIN", "12\u{00A0}ch", "12\u{202F}ch", "12\u{2009}ch", "12\u{3000}ch", "12\u{1680}ch",
                      "cache warm", "12ch", "12\u{2010}ch"]
        Array(spaces.joined(separator: "\n").utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        #expect(index.words == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
    }

    /// `zero_dashed_run`: the dashed runs led by a 0 (national phones, `00` prefixes), not dates;
    /// `fr-phone` admits the lines with a phone number in every form, and not an access log's.
    @Test func zeroLedDashedRunsAreThoseStartingWithZero() throws {
        let text = "2024-01-01 20:34:00\n06 12 34 56 78\n+33 6 12 34 56 78\n0033 (0)6 12 34 56 78\nréf 1 06 12\n0612345678\n"
            + "(0033)6 12 34 56 78\n00 33 6 12 34 56 78\n"
            + "10.6.180.2 - - [06/Jun/2024:18:19:40 +0100] \"GET /a HTTP/1.1\" 200 557331 \"-\""
        let phone = try #require(DetectorCatalog.builtin().detectors.first { $0.id == "fr-phone" }?.definition.prefilter)
        let matcher = try #require(AnchorMatcher(words: [phone.allWords]))
        var index = LineIndex()
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        let lines = index.lines
        #expect(lines.map(\.zeroDashedRun) == [2, 10, 0, 4, 0, 10, 4, 13, 4])
        #expect(lines.map(\.dashedRun) == [10, 10, 11, 9, 5, 10, 9, 13, 9])
        let sets = phone.conditions(wordBit: 1)
        #expect(lines.indices.map { l in sets.contains { $0.admits(lines[l], words: index.words[l]) } }
                == [false, true, true, true, false, true, true, true, false])
    }

    @Test func anchorWordsAreFoundOnTheirLinesInAnyCaseEvenWhenTheyOverlap() throws {
        let matcher = try #require(AnchorMatcher(words: [["asile", "dublin"], ["sile"], ["he", "she", "hers"]]))
        var index = LineIndex()
        let text = "Demandeur d'ASILE\nrien\nUSHERS\nprocédure Dublin\n\nasil\nshe"
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        #expect(index.words == [0b011, 0, 0b100, 0b001, 0, 0, 0b100])
    }

    /// The four interleaved walks over parts of a batch mark every line as one walk does, and as
    /// a plain search does: each line folded (`AnchorMatcher.fold`) and every word looked for in
    /// it. The built-in catalog's anchors, on random lines of words, fragments of words, folded
    /// characters, stray lead bytes, numbers and newlines (a part may start or end on an empty
    /// line), in batches under and over the size that splits the walk.
    @Test func interleavedAnchorWalksEqualOneWalkAndAPlainSearch() throws {
        let catalog = try DetectorCatalog.builtin()
        let engine = DetectionEngine(catalog: catalog)
        let matcher = try #require(engine.anchors)
        // The words of each slot, as the engine gives them to the matcher, folded.
        func cString(_ word: String) -> [CChar] { AnchorMatcher.fold(Array(word.utf8)).map { CChar(bitPattern: $0) } + [0] }
        var slots: [[[CChar]]] = []
        for d in catalog.detectors {
            if let list = d.definition.prefilter?.allWords, !list.isEmpty, d.pattern != nil { slots.append(list.map(cString)) }
        }
        for d in catalog.detectors {
            if d.contextAnywhere != nil, let fragments = d.context?.anchorFragments() { slots.append(fragments.map(cString)) }
        }
        var random = SeededRandom(0x2545_F491_4F6C_DD1D)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let tokens = ["asile", "ASI", "le", " rue", " ch", "RQTH", "handicap", "réfugié", "ſécurité", "\u{212A}", " ", "\u{00A0}", "\u{202F}",
                      "12", "-", "\n", "\n\n", "x", "é", "Ã", "casier judiciaire", "domicile", "adresse", "né à", "Né le",
                      "\n2024-01-01 20:34:00\n", "\n0612345678\n", "\n12.5;7\n"]
        var marked = 0
        for round in 0..<100 {
            let text = random.text(from: tokens, length: round % 20 == 0 ? 20_000 : next(6000))
            var bytes = Array(text.utf8)
            // Stray bytes of folded characters (a lead byte without its continuation).
            for _ in 0..<next(4) where !bytes.isEmpty { bytes[next(bytes.count)] = [0xC2, 0xC3, 0xE2, 0xC5][next(4)] }
            var index = LineIndex()
            bytes.withUnsafeBufferPointer { index.measure($0) }
            var one = [UInt64](repeating: 0, count: index.lines.count), four = one
            bytes.withUnsafeBufferPointer { buffer in
                matcher.mark(buffer, words: &one, bounds: index.bounds, walks: 1)
                matcher.mark(buffer, words: &four, bounds: index.bounds, walks: 4)
            }
            #expect(one == four, "\(text.debugDescription)")
            let plain: [UInt64] = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
                // C strings (no text or word holds a NUL): `strstr` keeps the debug build's test short.
                let folded = AnchorMatcher.fold(Array(line)).map { CChar(bitPattern: $0) } + [0]
                var found: UInt64 = 0
                for (slot, words) in slots.enumerated() where words.contains(where: { strstr(folded, $0) != nil }) {
                    found |= 1 << UInt64(slot)
                }
                return found
            }
            // A batch ending with a newline has no line after it.
            #expect(four == Array(plain.prefix(four.count)), "\(text.debugDescription)")
            marked += four.filter { $0 != 0 }.count
        }
        #expect(marked > 1000)
    }

    /// A word holding a newline is never on a line (words stop at newlines, where the walk goes
    /// back to its root): it is left out, and the other words are still found.
    @Test func aWordHoldingANewlineIsLeftOut() throws {
        let matcher = try #require(AnchorMatcher(words: [["rue\nde"], ["rue"]]))
        var index = LineIndex()
        Array("12 rue\nde la Paix".utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        #expect(index.words == [0b10, 0])
    }

    /// A word without a letter (a custom context phrase such as `115`) is found on a line of
    /// digits too.
    @Test func aWordWithoutALetterIsFoundOnALineWithoutOne() throws {
        let matcher = try #require(AnchorMatcher(words: [["rue"], ["115"]]))
        var index = LineIndex()
        let text = "appeler le 115\n115\n12 rue\n2024"
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        #expect(index.words == [0b10, 0b10, 0b01, 0])
    }

    /// `block`: the MRZ detector runs only on the three lines from a line ending with a code word
    /// of 30, 36 or 44 characters, and finds exactly what it finds everywhere: zones at the start
    /// of a batch, after text, with CRLF, back to back, in a CSV cell, and words of other lengths.
    @Test func blockPrefilterChangesNoMRZFinding() throws {
        let catalog = try DetectorCatalog.builtin()
        let mrz = try #require(catalog.detectors.first { $0.id == "icao-mrz" })
        let block = try #require(mrz.block)
        #expect(block.lines == 3)
        let zones = mrz.definition.examples.match.map { $0.unmarked.text } + mrz.definition.examples.noMatch.map(\.value)
        var text = zones[0] + "\n"
        for (k, zone) in zones.enumerated() {
            text += ["OCR recto :\n", "x ", "", "MRZ:", "ZLA", "\r\n", "\n\n", "«"][k % 8] + zone + (k % 3 == 0 ? "\r\n" : "\n")
            text += zone.replacingOccurrences(of: "\n", with: "\r\n") + "\n" + zone + zone + "\n"
        }
        for format in [InputFormat.text, .csv] {
            let input = format == .csv ? "id,mrz\n" + zones.enumerated().map { "\($0),\"\($1)\"" }.joined(separator: "\n") : text
            let on = try TestDetectors.scan(input, format: format, detectors: [mrz])
            let off = try TestDetectors.scan(input, format: format, detectors: [mrz],
                                             options: DetectionOptions(minConfidence: .low, showValues: true, prefilter: false))
            #expect(on.count >= mrz.definition.examples.match.count)
            #expect(on.map { "\($0.line):\($0.column):\($0.value ?? "")" } == off.map { "\($0.line):\($0.column):\($0.value ?? "")" }, "\(format)")
        }
        let lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "x P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r", "AP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                     "é" + String(repeating: "<", count: 30), String(repeating: "A", count: 36) + "a", ""]
        let tails = lines.map { line in
            Array(line.utf8).withUnsafeBufferPointer { BlockPrefilter.codeTail($0, start: 0, end: $0.count, limit: 45) }
        }
        #expect(tails == [44, 44, 45, 30, 0, 0])
        let starts = lines.map { line in Array(line.utf8).withUnsafeBufferPointer { block.startsBlock($0, start: 0, end: $0.count) } }
        #expect(starts == [true, true, false, true, false, false])
    }

    @Test func anchorWordsAreFoundWithoutAccentsAndInEveryCaselessForm() throws {
        let matcher = try #require(AnchorMatcher(words: [["securite"], ["kbis"], ["yves"], ["n°"]]))
        var index = LineIndex()
        let text = "SÉCURITÉ\nſécurité\n\u{212A}BIS\nŸVES\nN° 12\nsecurit\u{00E6}\nN\u{00BA}"
        Array(text.utf8).withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
        #expect(index.words == [0b0001, 0b0001, 0b0010, 0b0100, 0b1000, 0, 0])
    }

    /// Context words are found by the anchor matcher (`withContext`): its anchors must be on every
    /// line where the context check can find a phrase, whatever its case and accents.
    @Test func contextAnchorsAreOnEveryLineWhereAContextPhraseIs() throws {
        let catalog = try DetectorCatalog.load(extraDirectories: [])
        let engine = DetectionEngine(catalog: catalog)
        let matcher = try #require(engine.anchors)
        let scratch = MatchScratch()
        var checked = 0
        for (d, detector) in catalog.detectors.enumerated() {
            guard let context = detector.context, detector.contextAnywhere != nil else { continue }
            let slot = engine.contextSlots[d]
            try #require(slot >= 0, "\(detector.id) has no context anchors")
            for phrase in context.phrases {
                for variant in Self.variants(of: phrase) {
                    let bytes = Array("x 12 \(variant) 34".utf8)
                    guard bytes.withUnsafeBufferPointer({ context.firstPhrase(in: $0, scratch: scratch) }) != nil else { continue }
                    var index = LineIndex()
                    bytes.withUnsafeBufferPointer { index.measure($0, anchors: matcher) }
                    #expect(index.words[0] & (1 << UInt64(slot)) != 0, "\(detector.id): '\(variant)'")
                    checked += 1
                }
            }
        }
        #expect(checked > 500)
    }

    /// A phrase in other forms its keyword regex accepts: cases, accents added or removed, other
    /// spaces and apostrophes, and the non-ASCII characters a caseless `s`, `k` or `y` matches.
    static func variants(of phrase: String) -> [String] {
        let accented: [Character: Character] = ["a": "à", "e": "é", "i": "î", "o": "ô", "u": "ù", "c": "ç", "y": "ÿ", "n": "ñ"]
        let plain = String(phrase.lowercased().map { KeywordSet.baseLetter[$0] ?? $0 })
        let accents = String(plain.map { accented[$0] ?? $0 })
        var out = [phrase, phrase.uppercased(), phrase.lowercased(), plain, plain.uppercased(), accents, accents.uppercased()]
        // Every whitespace the phrase's regex takes between words (`[\s\x{00A0}]+`, without UCP).
        out += ["\t", "\u{0B}", "\u{0C}", "\r", "\u{00A0}", " \t "].map { phrase.replacingOccurrences(of: " ", with: $0) }
        out += [phrase.replacingOccurrences(of: " ", with: "\u{00A0}  "), phrase.replacingOccurrences(of: "'", with: "’"),
                phrase.replacingOccurrences(of: "-", with: " "), phrase.replacingOccurrences(of: "-", with: "")]
        out += [("s", "ſ"), ("S", "ſ"), ("k", "\u{212A}"), ("K", "\u{212A}"), ("y", "Ÿ")].map { phrase.replacingOccurrences(of: $0.0, with: $0.1) }
        return out
    }

    @Test func aPatternThatCanMatchANewlineCannotHaveAPrefilter() throws {
        let yaml = { (pattern: String) in """
            id: test-multiline
            name: Test
            category: user.test
            description: test
            pattern: '\(pattern)'
            prefilter: { digits: 2 }
            examples: { match: ["12"], no_match: ["ab"] }
            """ }
        for pattern in ["[0-9]\\s[0-9]", "[0-9][^a][0-9]", "(?s)[0-9].[0-9]", "[0-9]\\D[0-9]", "(?is)x"] {
            #expect(throws: CatalogError.self, "\(pattern)") { try TestDetectors.make(yaml(pattern)) }
        }
        _ = try TestDetectors.make(yaml("[0-9]\\h[0-9]"))
    }

    /// The byte searches of the catalog's checks find what the regular expressions they replace
    /// found (Foundation's, here the oracle).
    @Test func catalogChecksAgreeWithTheirRegularExpressions() {
        func regex(_ pattern: String, _ text: String) -> String? { text.range(of: pattern, options: .regularExpression).map { String(text[$0]) } }
        for id in ["email", "fr-nir", "a", "a-b-c", "9-x", "", "-a", "a-", "a--b", "Email", "fr_nir", "é", "ip address", "a-1"] {
            #expect(Detector.isKebabCase(id) == (regex("^[a-z0-9]+(?:-[a-z0-9]+)*$", id) != nil), "\(id)")
        }
        for key in ["user.contact.email", "user", "user.", ".user", "user..x", "user.x9", "us9er.x", "user_x.y_z", "User.x", "user.x-y", "a.b.c.d"] {
            #expect(Detector.isDottedKey(key) == (regex("^[a-z_]+(?:\\.[a-z0-9_]+)+$", key) != nil), "\(key)")
        }
        for pattern in ["(?s)x", "(?^s)x", "(?is)x", "(?x-s:y)", "(?i)x", "(?<n>s)", "(?=s)", "a(?s", "(?sis)", "((?s))", "(?iss", "(?^)", "(?"] {
            let dotAll = regex(#"\(\?\^?[a-zA-Z]*s"#, pattern)
            #expect(Detector.multilineToken(in: pattern) == dotAll, "\(pattern)")
        }
        for phrase in ["né le", " né le ", "\tNIR\u{00A0}", "\u{202F}", "", "  ", "a b", "\n x \n", "é\u{301} ", " \u{301}abc", "x \u{301}"] {
            #expect(KeywordSet.trimmed(phrase) == phrase.trimmingCharacters(in: .whitespaces), "\(phrase.debugDescription)")
        }
        // Deliberately stricter than the regular expressions, whose `$` also matched before a
        // final line break: an id or a category ending in one (a YAML block scalar) is refused.
        for id in ["email\n", "a-b\r\n"] { #expect(!Detector.isKebabCase(id)) }
        #expect(!Detector.isDottedKey("user.contact.email\n"))
        // Characters past the Basic Multilingual Plane keep their whole code point.
        #expect(KeywordSet.pattern(for: "a\u{1F600}").contains("\\x{1F600}"))
        #expect(KeywordSet.pattern(for: "a\u{00B0}").contains("\\x{00B0}"))
    }

    /// `lean_pattern` needs a prefilter, an `unless` without words and a pattern that stays on its
    /// line; `ip-address` runs its IPv4 branch alone on lines without `::` or six colons, with the
    /// same matches as the whole pattern.
    @Test func leanPatternsAreCheckedAndFindWhatTheWholePatternFinds() throws {
        let yaml = { (prefilter: String, unless: String, lean: String) in """
            id: test-lean
            name: Test
            category: user.test
            description: test
            pattern: '[0-9]{3}|[0-9]{2}:[0-9]{2}'
            \(prefilter)
            lean_pattern: { unless: \(unless), pattern: '\(lean)' }
            examples: { match: ["123"], no_match: ["ab"] }
            """ }
        _ = try TestDetectors.make(yaml("prefilter: { digits: 2 }", "{ any: [colon] }", "[0-9]{3}"))
        #expect(throws: CatalogError.self) { try TestDetectors.make(yaml("", "{ any: [colon] }", "[0-9]{3}")) }
        #expect(throws: CatalogError.self) { try TestDetectors.make(yaml("prefilter: { digits: 2 }", "{ words: [ab] }", "[0-9]{3}")) }
        #expect(throws: CatalogError.self) { try TestDetectors.make(yaml("prefilter: { digits: 2 }", "{ any: [colon] }", "[0-9]\\s")) }
        // `starts` is checked on the examples: `123` starts with no dotted quad.
        let shaped = { (lean: String, example: String) in """
            id: test-starts
            name: Test
            category: user.test
            description: test
            pattern: '[0-9.]{3,}'
            prefilter: { digits: 2 }
            lean_pattern: { unless: { any: [colon] }, pattern: '\(lean)', starts: dotted-quad }
            examples: { match: ["\(example)"], no_match: ["ab"] }
            """ }
        _ = try TestDetectors.make(shaped("(?<![0-9])[0-9]{1,3}(?:[.][0-9]{1,3}){3}", "at 10.1.2.3 ok"))
        #expect(throws: CatalogError.self) { try TestDetectors.make(shaped("[0-9]{3}", "123")) }

        let catalog = try DetectorCatalog.builtin()
        let ip = try #require(catalog.detectors.first { $0.id == "ip-address" })
        let lean = try #require(ip.leanPattern), whole = try #require(ip.pattern)
        let lines = ["from 10.1.2.3 and 192.168.0.1:8080", "2001:db8::1 then 10.0.0.1", "::ffff:192.0.2.1", "1.2.3.4.5 v1.2.3.4",
                     "fe80:0:0:0:0:0:0:1 x", "a/10.2.3.4 Chrome/120.0.0.1 ok 8.8.8.8", "256.1.1.1 1.1.1.256 0.0.0.0"]
        let scratch = MatchScratch()
        for line in lines {
            var index = LineIndex()
            let bytes = Array(line.utf8)
            bytes.withUnsafeBufferPointer { index.measure($0) }
            let usesLean = !ip.leanUnless.contains { $0.admits(index.lines[0], words: 0) }
            func matches(_ regex: PCRE2Regex) -> [Range<Int>] {
                var found: [Range<Int>] = []
                bytes.withUnsafeBufferPointer { regex.forEachMatch(in: $0, scratch: scratch) { found.append($0) } }
                return found
            }
            if usesLean { #expect(matches(lean) == matches(whole), "\(line)") }
            #expect(usesLean == !(line.contains("::") || line.filter { $0 == ":" }.count >= 6), "\(line)")
        }
    }

    /// The prefilters and the context marking change nothing: every detector, on text, CSV, JSON
    /// and SQL built from every detector's own examples (with decoys around them).
    @Test func findingsAreTheSameWithAndWithoutPrefilters() throws {
        let catalog = try DetectorCatalog.load(extraDirectories: [])
        var text = ""
        var csv = "id,note,nir,telephone,email,date_naissance\n"
        for (i, d) in catalog.detectors.enumerated() {
            for example in d.definition.examples.match + d.definition.examples.noMatch {
                let value = example.unmarked.text
                // A 14-digit reference: a line's own value must admit it for the NIR (15 digits).
                text += "ligne \(i) 2024-05-06 12:34:56 ref 12345678901234 \(value)\n"
                let quoted = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                csv += "\(i),\(quoted),\(quoted),\(quoted),\(quoted),\(quoted)\n"
            }
        }
        for (input, format) in [(text, InputFormat.text), (csv, .csv)] {
            let on = try TestDetectors.scan(input, format: format, catalog: catalog, options: DetectionOptions(minConfidence: .low, showValues: true))
            let off = try TestDetectors.scan(input, format: format, catalog: catalog, options: DetectionOptions(minConfidence: .low, showValues: true, prefilter: false))
            #expect(on.count > 100)
            #expect(on == off, "\(format): \(Set(off).subtracting(on).prefix(3)) missing, \(Set(on).subtracting(off).prefix(3)) extra")
        }
    }

    /// The dotted-quad shape found by the C loop is the first place a plain reading of its
    /// definition finds, and the IPv4 pattern run anchored at those places finds exactly what it
    /// finds unanchored (the `starts` promise of `ip-address`'s lean pattern).
    @Test func dottedQuadStartsGiveTheUnanchoredMatches() throws {
        let detector = try #require(try DetectorCatalog.builtin().detectors.first { $0.id == "ip-address" })
        let lean = try #require(detector.leanPattern)
        let starts = try #require(detector.leanStarts)
        #expect(starts.shape == .dottedQuad)
        // Compiled anchored: a search from before the address finds nothing.
        let padded = Array(" 1.2.3.4".utf8)
        let fromBefore = padded.withUnsafeBufferPointer { starts.anchored.firstMatch(in: $0, from: 0, scratch: MatchScratch()) }
        if case .noMatch = fromBefore {} else { Issue.record("the anchored pattern matched past its start: \(fromBefore)") }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        /// `[0-9]{1,3}` then `.` from `i`: the dot's index.
        func octet(_ p: [UInt8], _ i: Int) -> Int? {
            var k = i
            while k < p.count, isDigit(p[k]) { k += 1 }
            return (1...3).contains(k - i) && k < p.count && p[k] == 0x2E ? k : nil
        }
        func reference(_ p: [UInt8], from: Int, to: Int) -> Int? {
            (from..<to).first { r in
                guard r == 0 || !isDigit(p[r - 1]), let a = octet(p, r), let b = octet(p, a + 1), let c = octet(p, b + 1) else { return false }
                return c + 1 < p.count && isDigit(p[c + 1])
            }
        }
        var random = SeededRandom(0x9E37_79B9_7F4A_7C15)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let tokens = ["1", "25", "255", "256", "1234", ".", "..", "a", "/", " ", ":", "\n", "10.0.0.1", "192.168.1.254", "1.2.3", "v1.2.3.4",
                      "::ffff:", "-", "999.1.1.1"]
        let scratch = MatchScratch()
        var found = 0
        for round in 0..<400 {
            let text = random.text(from: tokens, length: round % 50 == 0 ? 4000 : next(200))
            let bytes = Array(text.utf8)
            let from = bytes.isEmpty ? 0 : next(bytes.count), to = from + (bytes.count == from ? 0 : next(bytes.count - from + 1))
            let shape = bytes.withUnsafeBufferPointer { MatchStart.dottedQuad.next(in: $0, from: from, to: to) }
            #expect(shape == reference(bytes, from: from, to: to), "\(text.debugDescription) \(from)..<\(to)")
            // In windows of one or more whole lines, as the engine runs it: both ways find the
            // same matches.
            var bounds = [0]
            for (i, b) in bytes.enumerated() where b == 0x0A { bounds.append(i + 1) }
            bounds.append(bytes.count + 1)
            var first = 0
            while first + 1 < bounds.count {
                let last = min(bounds.count - 1, first + 1 + next(3))
                let start = bounds[first], end = bounds[last] - 1
                var plain: [Range<Int>] = [], anchored: [Range<Int>] = []
                bytes.withUnsafeBufferPointer { buffer in
                    lean.forEachMatch(in: buffer, from: start, upTo: end, scratch: scratch) { plain.append($0) }
                    starts.anchored.forEachMatch(in: buffer, from: start, upTo: end, startingWith: starts.shape, scratch: scratch) { anchored.append($0) }
                }
                #expect(plain == anchored, "\(String(decoding: bytes[start..<end], as: UTF8.self).debugDescription)")
                found += plain.count
                first = last
            }
        }
        #expect(found > 200)
    }
}
