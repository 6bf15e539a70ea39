import CPCRE2

/// A compiled, JIT-optimised PCRE2 pattern.
///
/// The compiled code is immutable after `init` and PCRE2 documents it as safe to share between
/// threads for matching; every thread brings its own `MatchScratch` (match data), which is why
/// this type is `@unchecked Sendable`.
public final class PCRE2Regex: @unchecked Sendable {
    public struct Options: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let caseless = Options(rawValue: UInt32(PCRE2_CASELESS))
        public static let multiline = Options(rawValue: UInt32(PCRE2_MULTILINE))
        public static let anchored = Options(rawValue: UInt32(PCRE2_ANCHORED))
        public static let endAnchored = Options(rawValue: UInt32(PCRE2_ENDANCHORED))
    }

    public struct CompileError: Error, CustomStringConvertible, Sendable {
        public let pattern: String
        public let offset: Int
        public let message: String
        public var description: String { "invalid pattern at offset \(offset): \(message)" }
    }

    let code: OpaquePointer
    public let pattern: String
    public let isJIT: Bool
    /// Compiled with `PCRE2_ANCHORED`: it matches only where a search starts.
    public let isAnchored: Bool
    /// Compiled over bytes, without `PCRE2_UTF` (see `readsOnlyASCII`).
    public let readsBytes: Bool

    /// Match limits bound the work of one match attempt, so a pathological input cannot stall a worker.
    static let matchLimit: UInt32 = 1_000_000
    static let depthLimit: UInt32 = 10_000

    /// Compiles `pattern` over UTF-8 characters (invalid bytes match nothing), or over bytes when
    /// that finds exactly the same matches (`readsOnlyASCII`): PCRE2's JIT code then reads no
    /// character lengths, and a pass such as a card number's or a phone number's takes up to 45 %
    /// less time. `utf: true` always compiles over characters (the tests compare both).
    public init(_ pattern: String, options: Options = [], utf: Bool = false) throws {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        // Only options that mean the same over bytes (a future UCP, extended or dot-all option
        // would not).
        readsBytes = !utf && options.isSubset(of: [.multiline, .anchored, .endAnchored]) && Self.readsOnlyASCII(pattern)
        let flags = (readsBytes ? 0 : UInt32(PCRE2_UTF) | UInt32(PCRE2_MATCH_INVALID_UTF)) | options.rawValue
        let compiled: OpaquePointer? = pattern.utf8CString.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: UInt8.self) { bytes in
                pcre2_compile_8(bytes.baseAddress, bytes.count - 1, flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw CompileError(pattern: pattern, offset: errorOffset, message: Self.message(for: errorCode))
        }
        self.code = compiled
        self.isJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        self.isAnchored = options.contains(.anchored)
    }

    deinit { pcre2_code_free_8(code) }

    /// True when the pattern can only match ASCII bytes, so that reading the subject as bytes or
    /// as UTF-8 characters gives the same matches: a byte of a multi-byte character, or an
    /// invalid byte, then fails every item of the pattern either way (look-arounds included), and
    /// no match starts or ends inside a character. Conservative, from the source: every byte
    /// ASCII; no `.` or negated class (`[^`, `[:^`); no escape that matches or may name a
    /// character past ASCII (`\D \W \S \H \V \h \v \N \R \X \C \p \P`, `\x` from
    /// 0x80, octal, `\c`, `\Q`); no caseless or extended mode (caseless `k` and `s` also match
    /// the Kelvin sign and the long s), no comment or callout (their text is not pattern), no
    /// `(*…)` verb or setting (`(*UTF)`, `(*UCP)`, `(*ANY)`, which makes byte 0x85 a newline),
    /// and every class closed. `\d \w \s \b` and POSIX classes read the same both ways because
    /// the system PCRE2 uses its default C-locale tables (no `pcre2_maketables` here).
    static func readsOnlyASCII(_ pattern: String) -> Bool {
        let p = Array(pattern.utf8)
        func at(_ k: Int) -> UInt8 { k < p.count ? p[k] : 0 }
        func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if c >= 0x80 { return false }
            switch c {
            case UInt8(ascii: "\\"):
                let e = at(i + 1)
                if Array("DWSHVhvNRXCpPQcuo0".utf8).contains(e) { return false }
                if e >= 0x31 && e <= 0x39 && (inClass || (at(i + 2) >= 0x30 && at(i + 2) <= 0x39)) { return false }  // octal
                if e == UInt8(ascii: "x") {
                    var digits: [UInt8] = []
                    var k = i + 2
                    if at(k) == UInt8(ascii: "{") {
                        k += 1
                        while isHex(at(k)) { digits.append(at(k)); k += 1 }
                        guard at(k) == UInt8(ascii: "}") else { return false }
                        k += 1
                    } else {
                        while digits.count < 2 && isHex(at(k)) { digits.append(at(k)); k += 1 }
                    }
                    guard let value = Int(String(decoding: digits, as: UTF8.self), radix: 16), value < 0x80 else { return false }
                    i = k
                    continue
                }
                i += 2
                continue
            case UInt8(ascii: "["):
                if !inClass {
                    if at(i + 1) == UInt8(ascii: "^") { return false }
                    inClass = true
                    if at(i + 1) == UInt8(ascii: "]") { i += 1 }  // a `]` first is a literal
                } else if at(i + 1) == UInt8(ascii: ":") && at(i + 2) == UInt8(ascii: "^") {
                    return false
                }
            case UInt8(ascii: "]"):
                inClass = false
            case UInt8(ascii: "."):
                if !inClass { return false }
            case UInt8(ascii: "("):
                if inClass { break }
                if at(i + 1) == UInt8(ascii: "*") { return false }
                guard at(i + 1) == UInt8(ascii: "?") else { break }
                if at(i + 2) == UInt8(ascii: "#") || at(i + 2) == UInt8(ascii: "C") { return false }
                // Option settings: `(?i)`, `(?x:`, `(?^i)`; letters after `-` unset.
                var k = i + 2
                var unsetting = false
                while k < p.count, (p[k] | 0x20 >= 0x61 && p[k] | 0x20 <= 0x7A) || p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: "^") {
                    if p[k] == UInt8(ascii: "-") { unsetting = true }
                    if !unsetting && (p[k] == UInt8(ascii: "i") || p[k] == UInt8(ascii: "x")) { return false }
                    k += 1
                }
            default:
                break
            }
            i += 1
        }
        return !inClass
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        guard count > 0 else { return "PCRE2 error \(errorCode)" }
        return String(decoding: buffer[0..<Int(count)], as: UTF8.self)
    }
}

/// Per-thread PCRE2 match data and match context (with limits). Not shareable.
public final class MatchScratch {
    let data: OpaquePointer
    let context: OpaquePointer
    /// Match attempts abandoned at the match, depth or JIT stack limit with this scratch, by any
    /// pattern and any caller (detector patterns, field hints, context and value checks), so that
    /// no caller can drop one silently.
    public internal(set) var limitHits = 0

    public init() {
        // Match data sized for the largest group count any detector uses; 32 pairs is ample.
        guard let data = pcre2_match_data_create_8(32, nil), let context = pcre2_match_context_create_8(nil) else {
            // Allocation of a few hundred bytes failed: the process is out of memory.
            preconditionFailure("PCRE2 could not allocate match data")
        }
        pcre2_set_match_limit_8(context, PCRE2Regex.matchLimit)
        pcre2_set_depth_limit_8(context, PCRE2Regex.depthLimit)
        self.data = data
        self.context = context
    }

    deinit {
        pcre2_match_data_free_8(data)
        pcre2_match_context_free_8(context)
    }
}

public enum MatchResult {
    case match(Range<Int>)
    case noMatch
    /// The match or depth limit was hit: the attempt was abandoned (counted in
    /// `MatchScratch.limitHits`, which the scan reports).
    case limitExceeded
    case error(Int32)
}

extension PCRE2Regex {
    /// Finds the first match in `subject[from...]`; offsets are relative to `subject`.
    @inline(__always)
    public func firstMatch(in subject: UnsafeBufferPointer<UInt8>, from start: Int, options: Options = [], scratch: MatchScratch) -> MatchResult {
        guard let base = subject.baseAddress ?? UnsafePointer(bitPattern: 1) else { return .noMatch }
        // The fast path below does not check the offset, as `pcre2_match` does.
        guard start >= 0, start <= subject.count else { return .error(PCRE2_ERROR_BADOFFSET) }
        // JIT code is called directly (PCRE2's fast path): `pcre2_match` checks its arguments
        // first, 1 % of a scan's samples when it runs once per admitted line. The checks it skips
        // hold here (a subject with its length; invalid UTF-8 is the JIT code's to handle, with
        // `PCRE2_MATCH_INVALID_UTF`). The fast path ignores `PCRE2_ANCHORED` and
        // `PCRE2_ENDANCHORED`: anchored calls take `pcre2_match`.
        let rc = isJIT && options.isEmpty
            ? pcre2_jit_match_8(code, base, subject.count, start, 0, scratch.data, scratch.context)
            : pcre2_match_8(code, base, subject.count, start, options.rawValue, scratch.data, scratch.context)
        if rc >= 0 {
            let ovector = pcre2_get_ovector_pointer_8(scratch.data)!
            let lo = ovector[0], hi = ovector[1]
            return .match(lo..<hi)
        }
        switch rc {
        case PCRE2_ERROR_NOMATCH: return .noMatch
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_JIT_STACKLIMIT:
            scratch.limitHits += 1
            return .limitExceeded
        default: return .error(rc)
        }
    }

    /// Calls `body` for every non-overlapping match in `subject`. An attempt that hits the match
    /// limit skips its line and is counted in `scratch.limitHits`.
    public func forEachMatch(in subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch, _ body: (Range<Int>) -> Void) {
        forEachMatch(in: subject, from: 0, upTo: subject.count, scratch: scratch, body)
    }

    /// Bytes past a window's end that the pattern may still read (look-aheads).
    static let windowSlack = 16

    /// Calls `body` for every non-overlapping match starting in `start..<end`, where `end` is a
    /// newline (or the end of `subject`). Look-behinds see the bytes before `start`; the pattern
    /// reads at most `windowSlack` bytes past `end`, so it must not match across a newline.
    ///
    /// With `shape`, the pattern (compiled anchored) is tried only where the shape starts: the
    /// same matches as the pattern unanchored finds, when every one of its matches starts with the
    /// shape.
    public func forEachMatch(in subject: UnsafeBufferPointer<UInt8>, from start: Int, upTo end: Int, startingWith shape: MatchStart? = nil,
                             scratch: MatchScratch, _ body: (Range<Int>) -> Void) {
        // Anchored without a shape, the search would stop at the first place without a match;
        // a shape with an unanchored pattern would search the rest of the window from each place.
        precondition(isAnchored == (shape != nil), "an anchored pattern needs a start shape, and a shape an anchored pattern")
        let limited = end >= subject.count ? subject : UnsafeBufferPointer(rebasing: subject[0..<min(subject.count, end + Self.windowSlack)])
        var position = start
        // A match found from `end` on would start at or past `end`: when `end` is a newline, it
        // is not this window's (a cell that is one whole match needs no second search).
        while position < end || (position == end && end >= subject.count) {
            var at = position
            if let shape {
                guard let next = shape.next(in: limited, from: position, to: end) else { return }
                at = next
            }
            switch firstMatch(in: limited, from: at, scratch: scratch) {
            case .match(let range):
                if range.lowerBound >= end && end < subject.count { return }
                body(range)
                position = range.upperBound > range.lowerBound ? range.upperBound : range.upperBound + 1
            case .noMatch:
                // Unanchored, no match is left; anchored, none starts here.
                guard shape != nil else { return }
                position = at + 1
            case .limitExceeded:
                // Counted by `firstMatch`. Skip past the next line break: the abandoned attempt is confined to that line.
                position = nextLineStart(limited, after: at)
            case .error:
                position = nextLineStart(limited, after: at)
            }
        }
    }

    /// True when the whole of `subject` matches (anchored at both ends).
    public func matchesWhole(_ subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) -> Bool {
        if case .match = firstMatch(in: subject, from: 0, options: [.anchored, .endAnchored], scratch: scratch) { return true }
        return false
    }

    public func matchesWhole(_ text: String, scratch: MatchScratch) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { matchesWhole(UnsafeBufferPointer($0), scratch: scratch) }
    }

    /// True when the pattern matches anywhere in `subject`.
    public func matches(_ subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) -> Bool {
        if case .match = firstMatch(in: subject, from: 0, scratch: scratch) { return true }
        return false
    }

    private func nextLineStart(_ subject: UnsafeBufferPointer<UInt8>, after position: Int) -> Int {
        var i = position
        while i < subject.count, subject[i] != 0x0A { i += 1 }
        return i + 1
    }
}
