/// Replaces most characters of a value by `*`, keeping separators so the shape stays readable:
/// `1 85 05 78 006 084 36` -> `1 85 05 ** *** *** 36`, `jeanne.martin@orange.fr` -> `j***********@orange.fr`.
public enum Masking {
    public static let maxLength = 96

    public static func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return mask(text)
    }

    public static func mask(_ text: String) -> String {
        let chars = Array(text)
        if let at = chars.firstIndex(of: "@"), at > 0, chars[(at + 1)...].contains(".") {
            // E-mail: keep the first character of the local part and the domain.
            let local = String(chars[0]) + String(repeating: "*", count: at - 1)
            return clip(local + String(chars[at...]))
        }
        let alnumCount = chars.filter { $0.isLetter || $0.isNumber }.count
        let (head, tail): (Int, Int)
        switch alnumCount {
        case 0...4: (head, tail) = (0, 0)
        case 5...9: (head, tail) = (1, 1)
        default: (head, tail) = (min(alnumCount / 3, 6), 2)
        }
        var seen = 0
        var out = ""
        for ch in chars {
            if ch == "\n" { out += "↵"; continue }
            if ch == "\r" { continue }
            guard ch.isLetter || ch.isNumber else { out.append(ch); continue }
            seen += 1
            if seen <= head || seen > alnumCount - tail { out.append(ch) } else { out.append("*") }
        }
        return clip(out)
    }

    static func clip(_ s: String) -> String {
        s.count > maxLength ? String(s.prefix(maxLength)) + "…" : s
    }
}
