/// Replaces most characters of a value by `*`, keeping separators so the shape stays readable:
/// `1 85 05 78 006 084 36` -> `1 85 05 ** *** *** 36`, `jeanne.martin@orange.fr` -> `j************@orange.fr`.
///
/// Works on Unicode scalars (letters and digits are masked, everything else is kept), with an
/// ASCII fast path: it runs once per finding.
public enum Masking {
    public static let maxLength = 96

    public static func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        mask(String(decoding: bytes, as: UTF8.self))
    }

    @inline(__always)
    static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        return s.properties.isAlphabetic || s.properties.numericType != nil
    }

    public static func mask(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var out = String.UnicodeScalarView()
        if let at = scalars.firstIndex(of: "@"), at != scalars.startIndex, scalars[scalars.index(after: at)...].contains(".") {
            // E-mail: keep the first character of the local part and the domain.
            out.append(scalars[scalars.startIndex])
            for _ in scalars[scalars.index(after: scalars.startIndex)..<at] { out.append("*") }
            out.append(contentsOf: scalars[at...])
            return clip(String(out))
        }
        let alnumCount = scalars.reduce(0) { isAlphanumeric($1) ? $0 + 1 : $0 }
        let (head, tail): (Int, Int)
        switch alnumCount {
        case 0...4: (head, tail) = (0, 0)
        case 5...9: (head, tail) = (1, 1)
        default: (head, tail) = (min(alnumCount / 3, 6), 2)
        }
        var seen = 0
        for s in scalars {
            if s == "\n" { out.append("↵"); continue }
            if s == "\r" { continue }
            guard isAlphanumeric(s) else { out.append(s); continue }
            seen += 1
            out.append(seen <= head || seen > alnumCount - tail ? s : "*")
        }
        return clip(String(out))
    }

    static func clip(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard scalars.count > maxLength else { return s }
        return String(String.UnicodeScalarView(scalars.prefix(maxLength))) + "…"
    }
}
