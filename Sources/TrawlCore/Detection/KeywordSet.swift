import CPCRE2
import Foundation

/// A list of plain phrases compiled into one PCRE2 alternation that matches them
/// case-insensitively, accent-insensitively, with either apostrophe and any run of spaces.
/// Upper-case acronyms of up to four characters match case-sensitively (`NIR`, not "nir").
public struct KeywordSet: Sendable {
    public let phrases: [String]
    let regex: PCRE2Regex

    public init(_ phrases: [String]) throws {
        self.phrases = phrases
        let alternatives = phrases.enumerated().map { index, phrase in
            "\(Self.pattern(for: phrase))(*MARK:\(index))"
        }
        let body = "(?<![\\p{L}\\p{N}])(?:" + alternatives.joined(separator: "|") + ")(?![\\p{L}\\p{N}])"
        self.regex = try PCRE2Regex(body, options: [.caseless])
    }

    /// The phrases without the word boundaries: finds at least every place `regex` finds in any
    /// window of a line, for prefilters that mark the lines holding a context word.
    func boundaryFree() throws -> PCRE2Regex {
        try PCRE2Regex(phrases.map(Self.pattern(for:)).joined(separator: "|"), options: [.caseless])
    }

    /// Finds the first phrase present in `subject`, returning its index in `phrases`.
    func firstPhrase(in subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) -> Int? {
        guard case .match = regex.firstMatch(in: subject, from: 0, scratch: scratch) else { return nil }
        guard let mark = pcre2_get_mark_8(scratch.data) else { return nil }
        var value = 0
        var p = mark
        while p.pointee >= 0x30 && p.pointee <= 0x39 {
            value = value * 10 + Int(p.pointee - 0x30)
            p += 1
        }
        return value < phrases.count ? value : nil
    }

    static let accentClasses: [Character: String] = [
        "a": "aàâäáã", "c": "cç", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú", "y": "yÿ", "n": "nñ",
    ]
    static let baseLetter: [Character: Character] = {
        var map: [Character: Character] = [:]
        for (base, variants) in accentClasses {
            for v in variants { map[v] = base }
        }
        return map
    }()

    /// `phrase` without the horizontal spaces around it (what `trimmingCharacters(in:
    /// .whitespaces)` removes, without Foundation's bridging: the catalog trims every phrase at
    /// start-up).
    static func trimmed(_ phrase: String) -> String {
        // Scalar by scalar, as Foundation trims: a combining mark after a space stays.
        func isSpace(_ u: Unicode.Scalar) -> Bool { u == "\t" || u.properties.generalCategory == .spaceSeparator }
        let scalars = phrase.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    static func isAcronym(_ trimmed: String) -> Bool {
        trimmed.count <= 4 && trimmed.allSatisfy { $0.isUppercase || $0.isNumber } && trimmed.contains(where: \.isLetter)
    }

    /// For each phrase, a piece of text every match of it holds, folded as `AnchorMatcher` folds
    /// text: the longest run of characters that each match a single folded form (a letter in any
    /// case and, for the letters of `accentClasses`, with any of their accents; a digit; a
    /// character without case such as `.`, `(` or `°`), with the space before or after it when the
    /// phrase has one there. Spaces, apostrophes, hyphens and other letters (whose other cases the
    /// matcher does not fold) end a piece. The anchor matcher finds
    /// these pieces on every line at once, instead of a regex search per detector (`withContext`).
    /// Nil when a phrase has no piece.
    func anchorFragments() -> [String]? {
        var fragments: [String] = []
        for phrase in phrases {
            let trimmed = Self.trimmed(phrase)
            let isAcronym = Self.isAcronym(trimmed)
            // Each piece, and whether a space of the phrase is right before and after it: the
            // phrase's regex puts one or more whitespace characters there (`[\s\x{00A0}]+`), and
            // the matcher folds the first of them to a space, so the fragment may include it
            // ("ne " for "né à": "ne" alone is in most lines of text).
            var pieces: [(text: String, before: Bool, after: Bool)] = [("", false, false)]
            for ch in trimmed {
                let lower = Character(ch.lowercased())
                if ch == " " {
                    pieces[pieces.count - 1].after = true
                    pieces.append(("", true, false))
                } else if ch == "'" || ch == "’" || ch == "-" {
                    pieces.append(("", false, false))
                } else if ch.isASCII && (ch.isLetter || ch.isNumber) {
                    pieces[pieces.count - 1].text.append(lower)
                } else if !isAcronym, let base = Self.baseLetter[lower] {
                    pieces[pieces.count - 1].text.append(base)
                } else if ch.isLetter || ch.isNumber || ch.isWhitespace || String(lower) != String(ch) || ch.uppercased() != String(ch) {
                    pieces.append(("", false, false))
                } else {
                    pieces[pieces.count - 1].text.append(ch)
                }
            }
            let spaced = pieces.filter { !$0.text.isEmpty }.map { ($0.before ? " " : "") + $0.text + ($0.after ? " " : "") }
            guard let longest = spaced.max(by: { $0.utf8.count < $1.utf8.count }) else { return nil }
            fragments.append(longest)
        }
        return fragments
    }

    static func pattern(for phrase: String) -> String {
        let trimmed = Self.trimmed(phrase)
        let isAcronym = Self.isAcronym(trimmed)
        var out = ""
        var lastWasSpace = false
        for ch in trimmed {
            let lower = Character(ch.lowercased())
            if ch == " " {
                if !lastWasSpace { out += "[\\s\\x{00A0}]+" }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            if ch == "'" || ch == "’" {
                out += "['’]"
            } else if ch == "-" {
                out += "[-\\s]?"
            } else if !isAcronym, let base = baseLetter[lower], let cls = accentClasses[base] {
                out += "[\(cls)]"
            } else if ch.isLetter || ch.isNumber {
                out.append(ch)
            } else {
                for scalar in ch.unicodeScalars {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x{" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "}"
                }
            }
        }
        return isAcronym ? "(?-i:\(out))" : out
    }
}
