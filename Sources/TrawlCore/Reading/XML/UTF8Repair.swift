/// What libxml2 would stop at in a UTF-8 document, made harmless: each byte that is not part of
/// a well-formed UTF-8 sequence (a stray byte of another encoding, a cut character) and each
/// character XML forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) becomes U+FFFD.
/// libxml2 ends the parse at the first such byte, which would leave the rest of the file unscanned.
enum UTF8Repair {
    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// The length of the well-formed sequence (one XML character) at `i`; 0 when the byte there
    /// starts none; -1 when `bytes` ends before a sequence that may still be well formed does.
    static func sequence(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let lead = bytes[i]
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        let count: Int
        switch lead {
        case 0x09, 0x0A, 0x0D, 0x20..<0x80: return 1
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; low = 0xA0
        case 0xED: count = 3; high = 0x9F  // no UTF-16 surrogates
        case 0xE1...0xEF: count = 3
        case 0xF0: count = 4; low = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; high = 0x8F  // nothing past U+10FFFF
        default: return 0  // C0 controls, continuation bytes, C0, C1, F5...FF
        }
        for k in 1..<count {
            guard i + k < bytes.count else { return -1 }
            let c = bytes[i + k]
            if k == 1 ? !(low...high).contains(c) : c & 0xC0 != 0x80 { return 0 }
        }
        if lead == 0xEF, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE { return 0 }  // U+FFFE, U+FFFF
        return count
    }

    /// How many bytes of `bytes` can be repaired now: all but a sequence cut at the end that more
    /// input may complete.
    static func completePrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        for i in stride(from: bytes.count - 1, through: max(0, bytes.count - 3), by: -1) where bytes[i] >= 0xC2 {
            return sequence(bytes, at: i) == -1 ? i : bytes.count
        }
        return bytes.count
    }

    /// `bytes` repaired, or nil when nothing needs it (the common case costs one pass, no copy).
    static func repaired(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var copied = 0
        var i = 0
        while i < bytes.count {
            let n = sequence(bytes, at: i)
            if n > 0 { i += n; continue }
            if out.isEmpty { out.reserveCapacity(bytes.count + 64) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
            out.append(contentsOf: replacement)
            i += 1
            copied = i
        }
        if copied == 0 { return nil }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        return out
    }

    /// True when the document is UTF-8 by its XML declaration (`encoding="UTF-8"`, or none: the
    /// default). A document that declares another encoding is left to libxml2's conversion.
    static func declaresUTF8(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = String(decoding: UnsafeBufferPointer(rebasing: head[0..<min(head.count, 512)]), as: UTF8.self)
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>") else { return true }
        let declaration = text[..<end.lowerBound]
        guard let key = declaration.range(of: "encoding") else { return true }
        let value = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" || $0 == "\t" }
            .prefix { $0 != "\"" && $0 != "'" }.lowercased()
        return value == "utf-8" || value == "utf8"
    }
}
