import Foundation

/// Which images are worth reading: OCR costs about a second an image, so only those that can
/// hold a document are read. An icon, a thumbnail, a square avatar or a banner is not.
enum OCRCandidate {
    /// Kinds Tesseract's image library (Leptonica) reads; HEIC and AVIF are reported from their
    /// path alone.
    static let readable: Set<MediaKind> = [.jpeg, .png, .tiff, .webp]
    /// Shortest side, in pixels, of an image that can hold legible document text.
    static let minSide = 300
    /// Longest over shortest side of documents: ID-1 card 1.59, passport page 1.42, A4 1.41,
    /// US letter 1.29; photos at 4:3 and 3:2 are read too, and nothing is reported for them.
    static let aspect: ClosedRange<Double> = 1.2...1.9

    /// True when the image should be read: a readable kind of a sensible size, with a document's
    /// proportions or a hint (path or field name) that it is an identity document.
    static func isCandidate(_ info: MediaInfo, hinted: Bool) -> Bool {
        guard readable.contains(info.kind) else { return false }
        guard let width = info.width, let height = info.height, width > 0, height > 0 else { return hinted }
        guard width * height <= OCREngine.maxPixels else { return false }
        let (short, long) = (min(width, height), max(width, height))
        guard short >= (hinted ? minSide / 2 : minSide) else { return false }
        return hinted || aspect.contains(Double(long) / Double(short))
    }
}

/// Puts back what OCR does to machine-readable zones before the `icao-mrz` detector reads them:
/// spaces inside a line, `<` fillers read as `c`, `e` or `«`, stray marks, and fillers dropped or
/// doubled (so a line misses its ICAO length of 30, 36 or 44). Only lines shaped like an MRZ line
/// are touched; the check digits then decide whether the repaired block is real.
enum MRZRepair {
    /// The text with its MRZ-like lines repaired, and whether it had any.
    static func repair(_ text: String) -> (text: String, hadMRZ: Bool) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var output: [String] = []
        var hadMRZ = false
        var i = 0
        while i < lines.count {
            guard let first = normalized(lines[i]) else {
                output.append(lines[i])
                i += 1
                continue
            }
            // A block: this line and the MRZ-like lines after it (blank lines between are dropped).
            var block = [first]
            var j = i + 1
            while j < lines.count, block.count < 3 {
                if lines[j].allSatisfy(\.isWhitespace) { j += 1; continue }
                guard let next = normalized(lines[j]) else { break }
                block.append(next)
                j += 1
            }
            if block.count >= 2 {
                hadMRZ = true
                let longest = block.map(\.count).max() ?? 0
                let length = block.count == 3 ? 30 : (longest <= 40 ? 36 : 44)
                output += typed(block.map { fit($0, to: length) })
                i = j
            } else {
                output.append(lines[i])
                i += 1
            }
        }
        lines = output
        return (lines.joined(separator: "\n"), hadMRZ)
    }

    /// The line in the MRZ alphabet, if it looks like an MRZ line: 14 to 50 marks once spaces are
    /// removed, at least one `<`, and mostly capitals, digits and fillers.
    static func normalized(_ line: String) -> String? {
        let marks = line.unicodeScalars.filter { $0 != " " && $0 != "\t" && $0 != "\r" }
        guard (14...50).contains(marks.count), marks.contains(where: { $0 == "<" || $0 == "«" }) else { return nil }
        let strong = marks.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "<" || $0 == "«" }.count
        guard strong * 2 >= marks.count else { return nil }
        var result = ""
        for s in marks {
            switch s {
            case "A"..."Z", "0"..."9", "<": result.unicodeScalars.append(s)
            case "«": result += "<<"
            case "a"..."z", "‹": result += "<"  // a lower-case letter in an MRZ can only be a misread filler
            default: continue  // stray marks: §, quotes, dots
            }
        }
        return result
    }

    /// Fields that hold only letters or only digits, per layout (ICAO 9303 parts 4 to 6; the old
    /// French card's own layout): OCR's look-alikes (`0`/`O`, `1`/`I`, `5`/`S`, `8`/`B`) are put
    /// right in them. The check digits then say whether the result is real.
    static func typed(_ block: [String]) -> [String] {
        var lines = block.map { Array($0) }
        func fix(_ line: Int, letters: [Range<Int>] = [], digits: [Range<Int>] = []) {
            for range in letters { for k in range where k < lines[line].count { lines[line][k] = toLetter[lines[line][k]] ?? lines[line][k] } }
            for range in digits { for k in range where k < lines[line].count { lines[line][k] = toDigit[lines[line][k]] ?? lines[line][k] } }
        }
        switch (lines.count, lines.first?.count) {
        case (3, 30):  // TD1
            fix(0, letters: [2..<5])
            fix(1, letters: [15..<18], digits: [0..<7, 8..<15])
            fix(2, letters: [0..<30])
        case (2, 36) where String(lines[0].prefix(5)) == "IDFRA":  // French identity card, 1988-2021
            fix(0, letters: [0..<30])
            fix(1, letters: [13..<27], digits: [12..<13, 27..<34, 35..<36])
        case (2, 36), (2, 44):  // TD2, TD3 and visas
            fix(0, letters: [2..<lines[0].count])
            fix(1, letters: [10..<13], digits: [13..<20, 21..<28])
        default: break
        }
        return lines.map { String($0) }
    }

    static let toLetter: [Character: Character] = ["0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"]
    static let toDigit: [Character: Character] = ["O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"]

    /// Brings a line to `length` by growing or shrinking its longest run of fillers.
    static func fit(_ line: String, to length: Int) -> String {
        var chars = Array(line)
        guard chars.count != length else { return line }
        var best = (start: chars.count, count: 0)
        var k = 0
        while k < chars.count {
            guard chars[k] == "<" else { k += 1; continue }
            var e = k
            while e < chars.count, chars[e] == "<" { e += 1 }
            if e - k > best.count { best = (k, e - k) }
            k = e
        }
        if chars.count < length {
            chars.insert(contentsOf: repeatElement("<", count: length - chars.count), at: best.start)
        } else {
            let excess = min(chars.count - length, best.count)
            chars.removeSubrange(best.start..<(best.start + excess))
        }
        return String(chars)
    }
}

/// Whether a text holds a machine-readable zone whose check digits verify.
enum MRZCheck {
    static func hasValidBlock(_ text: String) -> Bool {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for size in [2, 3] where lines.count >= size {
            for start in 0...(lines.count - size) {
                let block = Array(lines[start..<(start + size)].joined(separator: "\n").utf8)
                if block.withUnsafeBufferPointer({ IdentityValidators.mrz($0) }) == .checksum { return true }
            }
        }
        return false
    }
}

/// Words printed on identity documents: a title (the issuing state or the document's name) and a
/// field label together say that a text was read from one.
enum IdentityDocumentText {
    static let titles = ["republique francaise", "carte nationale d identite", "carte d identite", "passeport", "passport",
                         "identity card", "titre de sejour", "residence permit", "permis de conduire", "driving licence"]
    /// Labels; those ending in a space must end the word, the others may be abbreviated (`naiss.`).
    static let labels = ["nom ", "surname ", "prenom", "given name", "date de naiss", "date of birth", "nationalite ", "nationality ",
                         "sexe ", "sex ", "lieu de naiss", "place of birth", "date d expiration", "date of expiry", "valable jusqu"]

    /// Characters of text read from one image or PDF above which document words are not taken
    /// as evidence: a card or passport page reads as a few hundred.
    static let maxDocumentText = 3000

    /// The title and labels found, when there are both; nil otherwise.
    static func keywords(in text: String) -> [String]? {
        let folded = " " + fold(text) + " "
        let foundTitles = titles.filter { folded.contains(" " + $0 + " ") }
        let foundLabels = labels.filter { folded.contains(" " + $0) }
        guard !foundTitles.isEmpty, !foundLabels.isEmpty else { return nil }
        return foundTitles + foundLabels.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Lower case without accents, every run of other marks one space.
    static func fold(_ text: String) -> String {
        var out = ""
        var space = true
        for s in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if ("a"..."z").contains(s) || ("0"..."9").contains(s) {
                out.unicodeScalars.append(s)
                space = false
            } else if s.properties.generalCategory == .nonspacingMark {
                continue
            } else if !space {
                out += " "
                space = true
            }
        }
        return out
    }
}
