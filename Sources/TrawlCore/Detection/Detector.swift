/// A detector compiled from its definition: PCRE2 patterns JIT-compiled once, validator resolved.
public final class Detector: Sendable {
    public let definition: DetectorDefinition
    /// Where the definition was loaded from (for messages).
    public let source: String
    let pattern: PCRE2Regex?
    let context: KeywordSet?
    /// The context words without boundaries, compiled only for detectors that require context
    /// and have a prefilter (their lines are marked with it).
    let contextAnywhere: PCRE2Regex?
    let excludeContext: KeywordSet?
    let fields: PCRE2Regex?
    let fieldValue: PCRE2Regex?
    let validator: Validator?
    /// `lean_pattern`: the cheaper pattern and the conditions under which it may not be used.
    let leanPattern: PCRE2Regex?
    let leanUnless: [LineCondition]
    /// `lean_pattern` → `starts`: the lean pattern compiled anchored, to try where its shape starts.
    let leanStarts: (shape: MatchStart, anchored: PCRE2Regex)?
    /// `block`, ready to check.
    let block: BlockPrefilter.Compiled?

    public var id: String { definition.id }
    public var category: String { definition.category }
    public var baseConfidence: Confidence { definition.confidence ?? .low }
    public var validatedConfidence: Confidence { definition.validatedConfidence ?? .high }
    public var requiresContext: Bool { definition.requires == .context }
    public var isFieldOnly: Bool { pattern == nil }

    public init(_ definition: DetectorDefinition, source: String) throws(CatalogError) {
        self.definition = definition
        self.source = source
        func fail(_ message: String) -> CatalogError { CatalogError(file: source, message: message) }
        guard Self.isKebabCase(definition.id) else {
            throw fail("id '\(definition.id)' must be kebab-case (a-z, 0-9, -)")
        }
        guard Self.isDottedKey(definition.category) else {
            throw fail("category '\(definition.category)' must be a dotted key such as user.contact.email")
        }
        func compile(_ key: String, _ text: String?, _ options: PCRE2Regex.Options = []) throws(CatalogError) -> PCRE2Regex? {
            guard let text else { return nil }
            do { return try PCRE2Regex(text, options: options) } catch let error {
                throw fail("\(key): \(error)")
            }
        }
        self.pattern = try compile("pattern", definition.pattern, [.multiline])
        self.fields = try compile("fields", definition.fields, [.caseless])
        self.fieldValue = try compile("field_value", definition.fieldValue.map { "(?:\($0))" }, [.anchored, .endAnchored])
        if pattern == nil && (fields == nil || fieldValue == nil) {
            throw fail("a detector needs a pattern, or both fields and field_value")
        }
        if fieldValue != nil && fields == nil {
            throw fail("field_value needs fields")
        }
        do {
            self.context = try definition.context.flatMap { $0.isEmpty ? nil : try KeywordSet($0) }
            self.excludeContext = try definition.excludeContext.flatMap { $0.isEmpty ? nil : try KeywordSet($0) }
            let marksContext = definition.requires == .context && definition.prefilter != nil
            self.contextAnywhere = marksContext ? try context?.boundaryFree() : nil
        } catch {
            throw fail("context: \(error)")
        }
        if definition.requires == .context && context == nil && fields == nil {
            throw fail("requires: context needs context words or fields")
        }
        if definition.prefilter != nil, let pattern = definition.pattern, let token = Self.multilineToken(in: pattern) {
            throw fail("prefilter: the pattern can match a newline (\(token)), and prefilters work line by line: remove the prefilter or the token")
        }
        if let lean = definition.leanPattern {
            guard definition.prefilter != nil, definition.pattern != nil else { throw fail("lean_pattern needs a pattern and a prefilter") }
            guard lean.unless.allWords.isEmpty else { throw fail("lean_pattern: unless cannot use words") }
            if let token = Self.multilineToken(in: lean.pattern) {
                throw fail("lean_pattern: the pattern can match a newline (\(token)), and it runs line by line")
            }
            self.leanPattern = try compile("lean_pattern", lean.pattern, [.multiline])
            self.leanUnless = lean.unless.conditions(wordBit: 0)
            if let shape = lean.starts, let anchored = try compile("lean_pattern", lean.pattern, [.multiline, .anchored]),
               let unanchored = leanPattern {
                // The promise of `starts` (every match begins with the shape) is checked on the
                // examples: a pattern that breaks it would lose matches silently.
                let scratch = MatchScratch()
                for example in definition.examples.match + definition.examples.noMatch {
                    var plain: [Range<Int>] = [], shaped: [Range<Int>] = []
                    Array(example.unmarked.text.utf8).withUnsafeBufferPointer { text in
                        unanchored.forEachMatch(in: text, from: 0, upTo: text.count, scratch: scratch) { plain.append($0) }
                        anchored.forEachMatch(in: text, from: 0, upTo: text.count, startingWith: shape, scratch: scratch) { shaped.append($0) }
                    }
                    if plain != shaped {
                        throw fail("lean_pattern: starts: \(shape.rawValue) misses a match of the lean pattern in the example \(example.value.debugDescription): its matches must all start with that shape")
                    }
                }
                self.leanStarts = (shape, anchored)
            } else {
                self.leanStarts = nil
            }
        } else {
            self.leanPattern = nil
            self.leanUnless = []
            self.leanStarts = nil
        }
        if let block = definition.block {
            guard definition.pattern != nil, definition.prefilter == nil else {
                throw fail("block needs a pattern and no prefilter (a prefilter admits single lines, a block several)")
            }
            guard (1...16).contains(block.lines), !block.codeTail.isEmpty, block.codeTail.allSatisfy({ (1...255).contains($0) }) else {
                throw fail("block: lines must be 1 to 16 and code_tail one or more lengths from 1 to 255")
            }
            self.block = BlockPrefilter.Compiled(block)
        } else {
            self.block = nil
        }
        if let name = definition.validator {
            guard let validator = Validators.named(name) else {
                throw fail("unknown validator '\(name)' (known: \(Validators.all.keys.sorted().joined(separator: ", ")))")
            }
            self.validator = validator
        } else {
            self.validator = nil
        }
        if definition.examples.match.isEmpty || definition.examples.noMatch.isEmpty {
            throw fail("examples.match and examples.no_match must each hold at least one example")
        }
    }
}

extension Detector {
    /// Tokens through which a pattern could match a newline (or reach past one).
    static let multilineTokens = ["\\n", "\\s", "\\R", "\\v", "\\D", "\\W", "\\H", "\\P", "\\X", "\\C", "[^", "\\x0a", "\\x0A",
                                  "\\x{0a}", "\\x{0A}", "\\x{000a}", "\\x{000A}", "\\012", "\\p{Z", "\\p{C", "\\p{Any", "\\p{Xsp", "\\p{Xps"]

    static func multilineToken(in pattern: String) -> String? {
        // Byte searches: Foundation's `contains` and regular expressions took a fifth of the
        // start-up time over the built-in catalog.
        let bytes = Array(pattern.utf8)
        /// Where `token` first occurs in `bytes` from `from` on.
        func find(_ token: String, from: Int = 0) -> Int? {
            let t = Array(token.utf8)
            var k = from
            while k + t.count <= bytes.count {
                if bytes[k] == t[0] && bytes[k..<(k + t.count)].elementsEqual(t) { return k }
                k += 1
            }
            return nil
        }
        if let token = multilineTokens.first(where: { find($0) != nil }) { return token }
        // An option setting that may turn dot-all on: `(?s`, `(?^s`, `(?is)`, `(?xs-i` (the
        // letters up to the last `s`; `(?-s` is not reported, as before).
        var i = 0
        while let open = find("(?", from: i) {
            var k = open + 2
            if k < bytes.count && bytes[k] == UInt8(ascii: "^") { k += 1 }
            var end: Int?
            while k < bytes.count, bytes[k] | 0x20 >= 0x61 && bytes[k] | 0x20 <= 0x7A {
                if bytes[k] == UInt8(ascii: "s") { end = k + 1 }
                k += 1
            }
            if let end { return String(decoding: bytes[open..<end], as: UTF8.self) }
            i = open + 2
        }
        return nil
    }

    /// `^[a-z0-9]+(?:-[a-z0-9]+)*$`: a detector id.
    static func isKebabCase(_ id: String) -> Bool {
        func isWordByte(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        let parts = id.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isWordByte) }
    }

    /// `^[a-z_]+(?:\.[a-z0-9_]+)+$`: a category key such as `user.contact.email`.
    static func isDottedKey(_ key: String) -> Bool {
        let parts = key.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        func allowed(_ b: UInt8, digits: Bool) -> Bool { (b >= 0x61 && b <= 0x7A) || b == 0x5F || (digits && b >= 0x30 && b <= 0x39) }
        return parts.count >= 2 && parts.enumerated().allSatisfy { index, part in
            !part.isEmpty && part.allSatisfy { allowed($0, digits: index > 0) }
        }
    }
}

/// A detector file that cannot be used, with the file and the reason.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}
