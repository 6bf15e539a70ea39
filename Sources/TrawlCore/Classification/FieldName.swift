import Foundation

/// Field (column, key, element) names as detectors see them.
public enum FieldName {
    /// Key-path components so generic that the parent gives the meaning (`passeport.numero`).
    static let genericLeaves: Set<String> = ["numero", "number", "num", "no", "nr", "value", "valeur", "id", "code", "text", "texte", "data"]

    /// Normalises a field name for hint matching: the meaningful last component of a key path or
    /// `table.column`, accents stripped, camelCase split, lower-cased, non-alphanumerics as `_`.
    ///
    ///     "Date de naissance"            -> "date_de_naissance"
    ///     "$.student.contact.firstName"  -> "first_name"
    ///     "$.candidat.passeport.numero"  -> "passeport_numero"
    public static func normalize(_ raw: String) -> String {
        let components = raw.split(whereSeparator: { $0 == "." || $0 == "/" })
            .map { $0.replacingOccurrences(of: "[*]", with: "") }
            .map { $0.hasPrefix("$") ? String($0.dropFirst()) : $0 }
            .map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
            .filter { !$0.isEmpty }
        guard var leaf = components.last.map(snake) else { return "" }
        if genericLeaves.contains(leaf), components.count >= 2 {
            leaf = snake(components[components.count - 2]) + "_" + leaf
        }
        return leaf
    }

    static func snake(_ name: String) -> String {
        var out = ""
        var previousLower = false
        for scalar in name.folding(options: .diacriticInsensitive, locale: nil).unicodeScalars {
            let isUpper = scalar.properties.isUppercase
            let isAlnum = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isAlnum {
                if isUpper && previousLower { out += "_" }
                out += String(scalar).lowercased()
                previousLower = !isUpper
            } else {
                if !out.hasSuffix("_") { out += "_" }
                previousLower = false
            }
        }
        while out.hasPrefix("_") { out.removeFirst() }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }
}
