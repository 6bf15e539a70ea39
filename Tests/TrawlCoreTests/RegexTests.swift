import Foundation
import Testing
@testable import TrawlCore

@Suite("PCRE2 patterns")
struct RegexTests {
    /// A pattern is compiled over bytes only when nothing in it can match past ASCII.
    @Test func onlyPatternsThatMatchASCIIAloneReadBytes() throws {
        let bytes = [#"[0-9]{3}[ .-]?\b"#, #"(?<![A-Za-z0-9])\+[1-9]"#, #"([ .\-])[0-9]{2}\1"#, #"\x41\x{7F}[\]a]"#,
                     #"(?-i:abc)"#, #"(?<name>x)\k<name>"#, #"[[:digit:]]\s\d\w"#, #"[].]"#]
        let characters = [#"a.b"#, #"[^0-9]"#, #"[[:^digit:]]"#, #"(?i)ssn"#, #"(?xi)ssn"#, #"(?i:k)"#, #"x\D"#, #"\h"#,
                          #"\p{Lu}"#, #"[ \x{00A0}]"#, #"\xA0"#, #"é"#, #"\Q.\E"#, #"\c["#, #"[\1]"#, #"\200"#, #"(*UTF)x"#,
                          #"(?x) a . b"#, #"[]a]."#, #"(?#[)a.b"#, #"(?C"[")a.b"#, #"(*ANY)^x"#, #"\R"#, #"\N"#, #"\X"#,
                          #"\C"#, #"\0"#, #"\o{101}"#, #"[a"#]
        for pattern in bytes { #expect(PCRE2Regex.readsOnlyASCII(pattern), "\(pattern)") }
        for pattern in characters { #expect(!PCRE2Regex.readsOnlyASCII(pattern), "\(pattern)") }
        #expect(try !PCRE2Regex("ssn", options: [.caseless, .multiline]).readsBytes)
        // Options too: only those that mean the same over bytes.
        #expect(try PCRE2Regex("[0-9]+", options: [.multiline]).readsBytes)
        #expect(try !PCRE2Regex("ssn", options: [.caseless]).readsBytes)
    }

    /// Every built-in pattern compiled over bytes finds what it finds over UTF-8 characters, on
    /// random text of its own examples, accented letters, no-break spaces, the Kelvin sign and
    /// invalid bytes.
    @Test func bytePatternsFindWhatCharacterPatternsFind() throws {
        let catalog = try DetectorCatalog.builtin()
        let scratch = MatchScratch()
        var random = SeededRandom(0x51_7CC1_B727_220A)
        func next(_ bound: Int) -> Int { random.next(bound) }
        var tokens = ["é", "É", "\u{00A0}", "\u{202F}", "\u{212A}", "ſ", "€", " ", ".", "-", "+", "\n", "0", "7", "A", "k", "s", "@"]
        let patterns = catalog.detectors.flatMap { [$0.pattern, $0.leanPattern].compactMap { $0 } }.filter(\.readsBytes)
        #expect(patterns.count >= 12, "\(patterns.count) built-in patterns read bytes")
        #expect(catalog.detectors.first { $0.id == "payment-card" }?.pattern?.readsBytes == true)
        #expect(catalog.detectors.first { $0.id == "fr-nir" }?.pattern?.readsBytes == false)
        for detector in catalog.detectors where detector.pattern?.readsBytes == true {
            tokens += detector.definition.examples.match.map(\.unmarked.text) + detector.definition.examples.noMatch.map(\.unmarked.text)
        }
        var compared = 0
        for regex in patterns {
            let characters = try PCRE2Regex(regex.pattern, options: [.multiline], utf: true)
            #expect(!characters.readsBytes)
            for _ in 0..<400 {
                var bytes: [UInt8] = []
                let separators = [" ", " ", "\n", "", "é ", "\u{00A0}", ": "]
                while bytes.count < 300 { bytes += Array((tokens[next(tokens.count)] + separators[next(separators.count)]).utf8) }
                // Stray bytes: a lead byte without its continuation, a lone continuation, 0xFF.
                for _ in 0..<next(3) { bytes.insert([0xC3, 0xA0, 0xFF, 0xE2][next(4)], at: next(bytes.count)) }
                var a: [Range<Int>] = [], b: [Range<Int>] = []
                bytes.withUnsafeBufferPointer { buffer in
                    regex.forEachMatch(in: buffer, scratch: scratch) { a.append($0) }
                    characters.forEachMatch(in: buffer, scratch: scratch) { b.append($0) }
                }
                #expect(a == b, "\(regex.pattern) on \(bytes)")
                compared += a.count
            }
        }
        #expect(compared > 1000)
    }
}
