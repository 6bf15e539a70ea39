/// XML, streamed through libxml2's push (SAX2) parser, hardened for hostile files.
///
/// Cells: each run of character data (text, CDATA, decoded references) directly inside an
/// element, with field = the element path (`/students/student/nir`, no indices); a run ends at a
/// child element, a comment or a processing instruction, so text on both sides of `<b>…</b>` in
/// mixed content gives two cells, each at its own position. Blank runs are skipped; leading and
/// trailing blanks are trimmed (the position is that of the first kept character). Each
/// non-blank attribute value is a cell with field `/students/student/@id`. Names keep their prefix
/// as written (`ns:tag`, `@xml:lang`); namespace declarations are not cells. Past
/// `maxPathDepth` levels, paths end in `/…`.
///
/// Positions are exact (line, and column in characters, of the first kept character of a text
/// run, or of an attribute value just after its quote), taken from libxml2's cursor rather than
/// `xmlTextReaderGetParserLineNumber`, which runs ahead of the node being read. Inside a cell,
/// a decoded reference (`&amp;`) shifts later columns on that line by the reference's length.
/// Nesting is limited to `XMLPushParser.maxDepth` levels (reported, never a crash).
///
/// A document whose DTD declares an entity is refused (billion laughs, XXE): a problem is
/// reported and nothing after the declaration is read. Nothing outside the file is ever read.
/// Malformed XML: the cells before the error are kept, the error is reported with its line, and
/// the rest of the file is not scanned. In a UTF-8 document, bytes that are not UTF-8 and control
/// characters are read as U+FFFD first (`UTF8Repair`), as the other readers do: one stray byte
/// does not end the scan.
public final class XMLReader: CellReader {
    let input: BufferedInput
    let path: String
    private lazy var parser = XMLPushParser(sink: self, ignoreDeclaredEncoding: input.encoding == .utf16LE || input.encoding == .utf16BE)
    private var batch = TextBatch()
    private var paths: [String] = []
    private var builder = CellBuilder()
    private var attributeBuilder = CellBuilder()
    private var inRun = false
    private var fedAny = false
    /// Whether bytes libxml2 would stop at are replaced before it sees them (UTF-8 documents).
    private var repairsUTF8: Bool?
    private var finished = false

    public static let maxPathDepth = 64
    static let feedSize = 64 << 10

    public init(input: BufferedInput, path: String) {
        self.input = input
        self.path = path
    }

    public var problems: [InputError] {
        guard fedAny else { return [] }
        var out: [InputError] = []
        if parser.declaresEntities {
            out.append(InputError(path: path, code: .unsupported,
                message: "the document declares entities in its DTD, which Trawl does not expand or fetch (billion-laughs and XXE protection); the file was not scanned",
                line: parser.lastEnd.line))
        }
        for p in parser.problems {
            let message = p.message
            out.append(InputError(path: path, code: .parseFailed,
                message: p.fatal ? "invalid XML at line \(p.line): \(message); the rest of the file was not scanned"
                                 : "XML error at line \(p.line): \(message)",
                line: p.line))
        }
        return out
    }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        guard !finished else { return false }
        swap(&batch, &self.batch)
        defer { swap(&batch, &self.batch) }
        while self.batch.byteCount < BatchLimits.bytes {
            // Four bytes at least, so a character cut at the end of the buffer can wait for its end.
            if input.available < 4 { try input.ensure(4) }
            var n = min(input.available, Self.feedSize)
            if n == 0 {
                if fedAny { parser.finish() }
                endRun()
                finished = true
                return false
            }
            if repairsUTF8 == nil {
                try input.ensure(512)
                repairsUTF8 = parser.ignoreDeclaredEncoding || input.withBytes { UTF8Repair.declaresUTF8($0) }
            }
            if repairsUTF8 == true && !input.atEOF {
                n = input.withBytes { p in UTF8Repair.completePrefix(UnsafeBufferPointer(rebasing: p[0..<n])) }
            }
            fedAny = true
            let parser = self.parser
            let repairs = repairsUTF8 == true
            let going = input.withBytes { p in
                let chunk = UnsafeBufferPointer(rebasing: p[0..<n])
                guard repairs, let repaired = UTF8Repair.repaired(chunk) else { return parser.feed(chunk) }
                return repaired.withUnsafeBufferPointer { parser.feed($0) }
            }
            input.consume(n)
            if !going {
                endRun()
                finished = true
                return false
            }
        }
        return true
    }

    private func endRun() {
        guard inRun else { return }
        inRun = false
        while builder.bytes.count > builder.emitFrom, let last = builder.bytes.last, Self.isBlank(last) {
            builder.bytes.removeLast()
        }
        builder.finish(into: &batch, field: paths.last)
    }

    @inline(__always)
    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
}

extension XMLReader: XMLEventSink {
    func xmlStartElement(_ name: String, attributes: XMLAttributeList, parser: XMLPushParser) {
        endRun()
        let parent = paths.last ?? ""
        let elementPath: String
        switch paths.count {
        case ..<Self.maxPathDepth: elementPath = parent + "/" + name
        case Self.maxPathDepth: elementPath = parent + "/…"
        default: elementPath = parent
        }
        paths.append(elementPath)
        for i in 0..<attributes.count {
            let value = attributes.value(i)
            guard value.contains(where: { !Self.isBlank($0) }) else { continue }
            let field = elementPath + "/@" + attributes.name(i)
            attributeBuilder.begin(at: parser.position(ofAttribute: i, in: attributes))
            // Without entity substitution libxml2 hands `&` over as `&#38;` (and only `&`).
            var offset = 0
            while offset < value.count {
                let b = value[offset]
                if b == 0x26, offset + 4 < value.count, value[offset + 1] == 0x23, value[offset + 2] == 0x33,
                   value[offset + 3] == 0x38, value[offset + 4] == 0x3B {
                    offset += 5
                } else {
                    offset += 1
                }
                attributeBuilder.bytes.append(b)
                if attributeBuilder.isFull { attributeBuilder.flushPiece(into: &batch, field: field) }
            }
            attributeBuilder.finish(into: &batch, field: field)
        }
    }

    func xmlEndElement() {
        endRun()
        _ = paths.popLast()
    }

    func xmlText(_ bytes: UnsafeBufferPointer<UInt8>, start: TextPosition) {
        var from = 0
        if !inRun {
            inRun = true
            builder.begin(at: start)
        }
        if builder.bytes.isEmpty && builder.emitFrom == 0 {
            // Still in the leading blanks: move the start instead of keeping them.
            while from < bytes.count, Self.isBlank(bytes[from]) {
                builder.position.advance(over: bytes[from])
                from += 1
            }
        }
        guard from < bytes.count else { return }
        builder.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...]))
        if builder.isFull { builder.flushPiece(into: &batch, field: paths.last) }
    }

    func xmlBoundary() { endRun() }
}
