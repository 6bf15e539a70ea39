import Foundation

/// Limits on what an XLSX package may expand to (a zip bomb must give an error, not an OOM).
public struct XLSXLimits: Sendable, Equatable {
    /// Largest uncompressed size of one part (sheet, shared strings...).
    public var maxPartBytes: Int
    /// Largest ratio of uncompressed to compressed size of one part...
    public var maxCompressionRatio: Int
    /// ...checked once a part has expanded past this many bytes (small XML compresses very well).
    public var ratioFloor: Int

    public init(maxPartBytes: Int = 256 << 20, maxCompressionRatio: Int = 200, ratioFloor: Int = 1 << 20) {
        self.maxPartBytes = maxPartBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioFloor = ratioFloor
    }
}

/// Excel workbooks (Office Open XML, `.xlsx`/`.xlsm`), read with Trawl's `ZipReader` and libxml2.
///
/// Every sheet is read in workbook order. The first non-empty row of a sheet is its header: its
/// cells name the columns. Each later non-empty cell becomes a cell with field = its column's
/// header (the column letter when the header cell is empty), table = the sheet name,
/// line = row = the row number, column = the column number, location = `Sheet1!C7`
/// (`'My Sheet'!C7`); its matches stay on the row (anchored). Empty cells within the header's
/// width count as empty cells of their column. Shared strings (rich text runs concatenated,
/// phonetic runs ignored), inline strings, formula string results, numbers (as written) and
/// booleans (`TRUE`/`FALSE`) are read; error cells and formulas are not.
///
/// The zip is read with `ZipReader`, hardened for hostile archives (ZIPFoundation's reader traps
/// on offsets past the end of an in-memory archive and on ZIP64 values past `Int64.max`; found by
/// fuzzing). Each part is expanded into memory one at a time, within `XLSXLimits`; a sheet's XML is then
/// parsed a slice per `fill`, so only one sheet's XML (and the shared strings) is held at once.
/// A broken or oversized sheet is reported and the next sheet is read.
public final class XLSXReader: CellReader {
    struct Sheet {
        var name: String
        var part: String
    }

    let displayPath: String
    let limits: XLSXLimits
    /// The workbook's bytes, its parts by name (the first of a repeated name), and the running
    /// counts of what the parts expanded to.
    private let storage: ZipStorage
    private let parts: [String: ZipReader.Record]
    private let budget: ArchiveBudget
    private var produced: Int64 = 0
    private var sheets: [Sheet] = []
    private var sharedStrings: [[UInt8]] = []
    public private(set) var problems: [InputError] = []

    // Current sheet.
    private var sheetIndex = -1
    private var sheetName = ""
    private var sheetRef = ""
    private var sheetPart = ""
    private var xml: [UInt8] = []
    private var offset = 0
    private var parser: XMLPushParser?
    private var batch = TextBatch()

    // Parse state inside the current sheet.
    private var stack: [String] = []
    private var rowNumber = 0
    private var column = 0
    private var cellType: String?
    private var value: [UInt8] = []
    private var inValue = false
    private var inInlineText = false
    private var phoneticDepth = 0
    private var header: [Int: String]?
    private var headerWidth = 0
    private var headerCandidate: [Int: String] = [:]
    private var rowSeen: [Bool] = []
    private var rowHasValue = false

    static let maxColumn = 16_384  // XFD
    static let feedSize = 64 << 10

    /// Opens a workbook file (read-only).
    public convenience init(path: String, displayPath: String, limits: XLSXLimits = .init()) throws(InputError) {
        try self.init(storage: try FileStorage(path: path, displayPath: displayPath), displayPath: displayPath, limits: limits)
    }

    /// Reads a workbook held in memory (an archive member, standard input).
    public convenience init(data: [UInt8], displayPath: String, limits: XLSXLimits = .init()) throws(InputError) {
        try self.init(storage: MemoryStorage(data), displayPath: displayPath, limits: limits)
    }

    private init(storage: ZipStorage, displayPath: String, limits: XLSXLimits) throws(InputError) {
        let records: [ZipReader.Record]
        do throws(InputError) {
            records = try ZipReader.centralDirectory(storage, displayPath: displayPath)
        } catch where error.code == .parseFailed {
            throw InputError(path: displayPath, code: .parseFailed, message: "not a valid XLSX workbook: \(error.message)")
        }
        self.storage = storage
        self.parts = Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.budget = ArchiveBudget(limits: ArchiveLimits(maxRatio: Double(limits.maxCompressionRatio), maxMemberBytes: Int64(limits.maxPartBytes),
                                                          ratioThreshold: Int64(limits.ratioFloor)))
        self.displayPath = displayPath
        self.limits = limits
        try readWorkbook()
    }

    // MARK: Package structure

    private func readWorkbook() throws(InputError) {
        var workbookPart = "xl/workbook.xml"
        if parts[workbookPart] == nil, let rels = parts["_rels/.rels"], let bytes = try? extract(rels) {
            // The package relationships name the main part when it is not at the usual place.
            for (type, target) in relationships(bytes, part: "_rels/.rels").values where type.hasSuffix("/officeDocument") {
                workbookPart = resolve(target, from: "")
            }
        }
        guard let entry = parts[workbookPart] else {
            throw InputError(path: displayPath, code: .parseFailed, message: "not a valid XLSX workbook: \(workbookPart) is missing")
        }
        let workbook = try extract(entry)
        var declared: [(name: String, id: String)] = []
        let sink = XMLPartSink()
        sink.onStart = { local, attributes, _ in
            guard local == "sheet" else { return }
            var name = "", id = ""
            for i in 0..<attributes.count {
                let attribute = xmlLocalPart(attributes.name(i))
                if attribute == "name" { name = attributes.valueString(i) }
                // `r:id`, whatever the prefix (the relationships namespace).
                if attribute == "id" && attributes.name(i).contains(":") { id = attributes.valueString(i) }
            }
            declared.append((name, id))
        }
        let workbookProblems = XMLPartSink.parse(workbook, with: sink)
        if let fatal = workbookProblems.first(where: \.fatal) {
            throw InputError(path: displayPath, code: .parseFailed, message: "invalid XML in \(workbookPart) at line \(fatal.line): \(fatal.message)", line: nil)
        }

        let directory = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        let fileName = workbookPart.split(separator: "/").last.map(String.init) ?? "workbook.xml"
        let relsPart = (directory.isEmpty ? "" : directory + "/") + "_rels/" + fileName + ".rels"
        var targets: [String: (type: String, target: String)] = [:]
        var sharedStringsPart: String?
        if let entry = parts[relsPart] {
            do throws(InputError) {
                targets = relationships(try extract(entry), part: relsPart)
            } catch {
                problems.append(error)
            }
            sharedStringsPart = targets.values.first { $0.type.hasSuffix("/sharedStrings") }.map { resolve($0.target, from: directory) }
        } else {
            problems.append(InputError(path: displayPath, code: .parseFailed, message: "\(relsPart) is missing; sheets are looked for at their usual place"))
        }
        for (index, sheet) in declared.enumerated() {
            let part = targets[sheet.id].map { resolve($0.target, from: directory) } ?? "xl/worksheets/sheet\(index + 1).xml"
            sheets.append(Sheet(name: sheet.name.isEmpty ? "Sheet\(index + 1)" : sheet.name, part: part))
        }
        readSharedStrings(part: sharedStringsPart ?? (directory.isEmpty ? "" : directory + "/") + "sharedStrings.xml")
    }

    /// `Id -> (Type, Target)` of a relationships part.
    private func relationships(_ bytes: [UInt8], part: String) -> [String: (type: String, target: String)] {
        var out: [String: (type: String, target: String)] = [:]
        let sink = XMLPartSink()
        sink.onStart = { local, attributes, _ in
            guard local == "Relationship" else { return }
            var id = "", type = "", target = ""
            for i in 0..<attributes.count {
                switch attributes.name(i) {
                case "Id": id = attributes.valueString(i)
                case "Type": type = attributes.valueString(i)
                case "Target": target = attributes.valueString(i)
                default: break
                }
            }
            out[id] = (type, target)
        }
        report(XMLPartSink.parse(bytes, with: sink), part: part)
        return out
    }

    /// A relationship target, relative to the source part's folder or absolute from the root.
    private func resolve(_ target: String, from directory: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var components = directory.split(separator: "/").map(String.init)
        for component in target.split(separator: "/") {
            if component == ".." { _ = components.popLast() } else if component != "." { components.append(String(component)) }
        }
        return components.joined(separator: "/")
    }

    private func readSharedStrings(part: String) {
        guard let entry = parts[part] else { return }
        let bytes: [UInt8]
        do throws(InputError) {
            bytes = try extract(entry)
        } catch {
            problems.append(error)
            return
        }
        var strings: [[UInt8]] = []
        var current: [UInt8] = []
        var phonetic = 0
        let sink = XMLPartSink()
        sink.onStart = { local, _, _ in
            if local == "si" { current.removeAll() } else if local == "rPh" { phonetic += 1 }
        }
        sink.onEnd = { local, _ in
            if local == "si" { strings.append(current) } else if local == "rPh" { phonetic -= 1 }
        }
        sink.onText = { text, stack in
            if phonetic == 0, stack.last == "t" { current.append(contentsOf: text) }
        }
        report(XMLPartSink.parse(bytes, with: sink), part: part)
        sharedStrings = strings
    }

    private func report(_ found: [XMLPushParser.Problem], part: String, sheet: String? = nil) {
        let inSheet = sheet.map { " (sheet '\($0)')" } ?? ""
        for p in found {
            problems.append(InputError(path: displayPath, code: p.message.contains("billion-laughs") ? .unsupported : .parseFailed,
                message: p.fatal ? "invalid XML in \(part)\(inSheet) at line \(p.line): \(p.message); the rest of this part was not read"
                                 : "XML error in \(part)\(inSheet) at line \(p.line): \(p.message)"))
        }
    }

    /// Expands one part into memory, within the limits.
    private func extract(_ record: ZipReader.Record) throws(InputError) -> [UInt8] {
        let part = record.name
        guard record.isRegularFile else { return [] }
        if record.flags & 0x41 != 0 {  // bit 0: encrypted, bit 6: strong encryption
            throw InputError(path: displayPath, code: .unsupported, message: "part \(part) is encrypted; it was not read")
        }
        guard record.method == 0 || record.method == 8 else {
            throw InputError(path: displayPath, code: .unsupported, message: "part \(part) uses compression method \(record.method) (stored and deflate are read); it was not read")
        }
        if record.uncompressed > Int64(limits.maxPartBytes) {
            throw InputError(path: displayPath, code: .archiveLimit, message: "part \(part) declares \(record.uncompressed) bytes, more than the \(limits.maxPartBytes)-byte limit per part; it was not read")
        }
        try budget.checkRatio(produced: record.uncompressed, compressed: record.compressed, what: "part \(part) (declared sizes)", path: displayPath)
        do throws(ZipReader.MemberFailure) {
            return try ZipReader.extract(record, from: storage, what: "part \(part)", displayPath: displayPath, budget: budget, archiveProduced: &produced)
        } catch {
            switch error {
            case .archive(let e): throw e
            case .member(let message): throw InputError(path: displayPath, code: .readFailed, message: "cannot decompress part \(part): \(message)")
            }
        }
    }

    // MARK: Reading sheets

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        swap(&batch, &self.batch)
        defer { swap(&batch, &self.batch) }
        while self.batch.byteCount < BatchLimits.bytes {
            guard let parser else {
                guard openNextSheet() else { return false }
                continue
            }
            let n = min(xml.count - offset, Self.feedSize)
            let going = xml.withUnsafeBufferPointer { p in
                parser.feed(UnsafeBufferPointer(rebasing: p[offset..<(offset + n)]), terminate: offset + n == xml.count)
            }
            offset += n
            if !going || offset == xml.count { closeSheet() }
        }
        return true
    }

    private func openNextSheet() -> Bool {
        while sheetIndex + 1 < sheets.count {
            sheetIndex += 1
            let sheet = sheets[sheetIndex]
            guard let entry = parts[sheet.part] else {
                problems.append(InputError(path: displayPath, code: .parseFailed, message: "sheet '\(sheet.name)': its part \(sheet.part) is missing from the workbook"))
                continue
            }
            do throws(InputError) {
                xml = try extract(entry)
            } catch {
                problems.append(error)
                continue
            }
            sheetName = sheet.name
            sheetRef = Self.reference(sheet.name)
            sheetPart = sheet.part
            offset = 0
            stack.removeAll()
            rowNumber = 0
            header = nil
            headerWidth = 0
            parser = XMLPushParser(sink: self)
            return true
        }
        return false
    }

    private func closeSheet() {
        if let parser {
            var found = parser.problems
            if parser.declaresEntities {
                found.insert(.init(message: "the part declares entities in a DTD, which Trawl does not expand (billion-laughs and XXE protection)", line: parser.lastEnd.line, fatal: true), at: 0)
            }
            report(found, part: sheetPart, sheet: sheetName)
        }
        parser = nil
        xml = []
    }

    /// `Sheet1`, or `'My Sheet'` (quotes doubled) when the name is not a plain identifier.
    static func reference(_ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." }
            && !("0"..."9").contains(name.unicodeScalars.first ?? "0")
        return plain ? name : "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `A` -> 1, `Z` -> 26, `AA` -> 27.
    static func columnLetters(_ n: Int) -> String {
        var n = n
        var letters: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(UInt8(0x41 + r))
            n = (n - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The column of a reference such as `C7`, or nil.
    static func column(ofReference ref: UnsafeBufferPointer<UInt8>) -> Int? {
        var n = 0
        var letters = 0
        for b in ref {
            let upper = b & 0xDF
            guard upper >= 0x41 && upper <= 0x5A else { break }
            n = n * 26 + Int(upper - 0x40)
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 && n <= maxColumn ? n : nil
    }

    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }

    private func columnName(_ column: Int) -> String {
        if let name = header?[column], name.contains(where: { !$0.isWhitespace }) { return name }
        return Self.columnLetters(column)
    }

    private func endCell() {
        var text: [UInt8]
        switch cellType {
        case "s":
            guard let index = value.withUnsafeBufferPointer(Self.integer), index < sharedStrings.count else { return }
            text = sharedStrings[index]
        case "b":
            text = value == [0x31] ? Array("TRUE".utf8) : value == [0x30] ? Array("FALSE".utf8) : value
        case "e":
            return
        default:
            text = value
        }
        guard text.contains(where: { !XMLReader.isBlank($0) }) else { return }
        guard header != nil else {
            headerCandidate[column] = String(decoding: text, as: UTF8.self)
            return
        }
        rowHasValue = true
        if column <= headerWidth { rowSeen[column - 1] = true }
        let field = batch.fieldID(columnName(column), table: sheetName)
        let location = sheetRef + "!" + Self.columnLetters(column) + String(rowNumber)
        appendPieces(&text, field: field, location: location)
    }

    /// One cell, cut like `CellBuilder` does when longer than `BatchLimits.cellPiece`.
    private func appendPieces(_ text: inout [UInt8], field: Int32, location: String) {
        guard text.count > BatchLimits.cellPiece else {
            batch.append(text, field: field, line: rowNumber, column: column, row: rowNumber, location: location, anchored: true)
            return
        }
        let overlap = BatchLimits.overlap
        var start = 0
        while true {
            let end = min(start + BatchLimits.cellPiece, text.count)
            let last = end == text.count
            batch.append(text[start..<end], field: field, line: rowNumber, column: column,
                         emitFrom: start == 0 ? 0 : overlap / 2, emitUntil: last ? nil : end - start - overlap / 2,
                         row: rowNumber, location: location, anchored: true)
            if last { return }
            start = end - overlap
        }
    }

    private func endRow() {
        if header == nil {
            if !headerCandidate.isEmpty {
                header = headerCandidate
                headerWidth = min(headerCandidate.keys.max() ?? 0, Self.maxColumn)
                // Once there is a header, `rowSeen` always has its width: a `<c>` outside any
                // `<row>`, or a row nesting the header row, is then counted, not a trap (fuzzing).
                rowSeen = [Bool](repeating: false, count: headerWidth)
            }
            headerCandidate = [:]
            return
        }
        guard rowHasValue else { return }
        for c in 0..<headerWidth where !rowSeen[c] {
            batch.appendEmpty(field: batch.fieldID(columnName(c + 1), table: sheetName))
        }
    }
}

extension XLSXReader: XMLEventSink {
    func xmlStartElement(_ name: String, attributes: XMLAttributeList, parser: XMLPushParser) {
        let local = xmlLocalPart(name)
        stack.append(local)
        switch local {
        case "row":
            var number: Int?
            for i in 0..<attributes.count where attributes.name(i) == "r" { number = Self.integer(attributes.value(i)) }
            rowNumber = number ?? rowNumber + 1
            column = 0
            rowHasValue = false
            rowSeen = [Bool](repeating: false, count: headerWidth)
        case "c":
            var col: Int?
            cellType = nil
            for i in 0..<attributes.count {
                switch attributes.name(i) {
                case "r": col = Self.column(ofReference: attributes.value(i))
                case "t": cellType = attributes.valueString(i)
                default: break
                }
            }
            column = col ?? min(column + 1, Self.maxColumn)
            value.removeAll(keepingCapacity: true)
        case "v":
            inValue = stack.dropLast().last == "c"
        case "t":
            inInlineText = phoneticDepth == 0 && stack.contains("is")
        case "rPh":
            phoneticDepth += 1
        default:
            break
        }
    }

    func xmlEndElement() {
        guard let local = stack.popLast() else { return }
        switch local {
        case "v": inValue = false
        case "t": inInlineText = false
        case "rPh": phoneticDepth -= 1
        case "c": endCell()
        case "row": endRow()
        default: break
        }
    }

    func xmlText(_ bytes: UnsafeBufferPointer<UInt8>, start: TextPosition) {
        if inValue || inInlineText { value.append(contentsOf: bytes) }
    }

    func xmlBoundary() {}
}
