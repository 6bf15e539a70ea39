/// Writes a finding as one JSON object with sorted keys, byte-for-byte what `JSONEncoder` with
/// `[.sortedKeys, .withoutEscapingSlashes]` produces, without its per-call cost: a dense dump
/// yields hundreds of thousands of findings. The test suite checks the two agree.
public enum FindingJSON {
    public static func object(_ f: Finding) -> String {
        var out = "{\"category\":"
        appendString(f.category, to: &out)
        out += ",\"column\":\(f.column),\"confidence\":\"\(f.confidence.description)\",\"detector\":"
        appendString(f.detector, to: &out)
        out += ",\"field\":"
        if let field = f.field { appendString(field, to: &out) } else { out += "null" }
        if let fingerprint = f.fingerprint {
            out += ",\"fingerprint\":"
            appendString(fingerprint, to: &out)
        }
        out += ",\"line\":\(f.line)"
        if let location = f.location {
            out += ",\"location\":"
            appendString(location, to: &out)
        }
        out += ",\"masked\":"
        appendString(f.masked, to: &out)
        out += ",\"path\":"
        appendString(f.path, to: &out)
        if let row = f.row { out += ",\"row\":\(row)" }
        out += ",\"signals\":["
        for (i, signal) in f.signals.enumerated() {
            if i > 0 { out += "," }
            appendString(signal, to: &out)
        }
        out += "]"
        if let value = f.value {
            out += ",\"value\":"
            appendString(value, to: &out)
        }
        out += "}"
        return out
    }

    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needsEscape = true; break }
        guard needsEscape else {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
