import CLibXML2

/// Receives the events of an `XMLPushParser`. Pointers handed over are valid only during the call.
protocol XMLEventSink: AnyObject {
    /// A start tag. `name` is the qualified name as written (`ns:tag`).
    func xmlStartElement(_ name: String, attributes: XMLAttributeList, parser: XMLPushParser)
    func xmlEndElement()
    /// Character data (text, CDATA, a decoded character or predefined entity reference, blanks).
    /// `start` is the position of the source text the bytes were decoded from.
    func xmlText(_ bytes: UnsafeBufferPointer<UInt8>, start: TextPosition)
    /// A comment or processing instruction: ends a run of text.
    func xmlBoundary()
}

/// The attributes of one start tag, as libxml2's SAX2 hands them over (five pointers each:
/// local name, prefix, URI, value start, value end). Namespace declarations are not included.
struct XMLAttributeList {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    func name(_ i: Int) -> String {
        guard let base, let local = base[5 * i] else { return "" }
        let name = String(cString: local)
        guard let prefix = base[5 * i + 1] else { return name }
        return String(cString: prefix) + ":" + name
    }

    func localName(_ i: Int) -> String {
        guard let base, let local = base[5 * i] else { return "" }
        return String(cString: local)
    }

    func value(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        guard let base, let start = base[5 * i + 3], let end = base[5 * i + 4] else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: max(0, end - start))
    }

    func valueString(_ i: Int) -> String { String(decoding: value(i), as: UTF8.self) }
}

/// Process-wide libxml2 set-up, done once (thread-safe `static let`): initialise the library
/// and install an external entity loader that refuses every URL, so no parser in this process
/// ever opens a file or a network connection named by a document.
enum LibXML2Setup {
    static let done: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        return true
    }()
}

/// A libxml2 push (SAX2) parser, hardened for hostile input:
/// - `XML_PARSE_NONET`; never `NOENT`, `DTDLOAD`, `DTDATTR`, `DTDVALID` or `HUGE` (so libxml2's
///   own limits apply: 256 levels of nesting, 10 MB names and attribute values);
/// - entity declarations are refused: the first `<!ENTITY` stops the parse (`declaresEntities`),
///   and since no declaration is ever stored, no entity can be expanded (billion laughs) or
///   fetched (XXE); the external DTD subset is never loaded (no `externalSubset` handler), and
///   the process-wide entity loader refuses everything anyway;
/// - errors go to a structured handler on this parser, never to stderr.
///
/// Positions: libxml2 calls each SAX handler with its cursor just past the construct reported,
/// so the construct starts where the previous event ended; every content event is tracked to
/// know that start exactly (line, and column in characters).
final class XMLPushParser {
    struct Problem {
        var message: String
        var line: Int
        var fatal: Bool
    }

    unowned let sink: XMLEventSink
    private var ctxt: xmlParserCtxtPtr?
    let ignoreDeclaredEncoding: Bool
    /// Where the last reported construct ended (= where the next one starts).
    private(set) var lastEnd = TextPosition()
    private(set) var problems: [Problem] = []
    private(set) var declaresEntities = false
    /// Set after a fatal error or a refusal: nothing more will be reported.
    private(set) var stopped = false
    private(set) var depth = 0
    static let maxProblems = 20
    /// libxml2 only limits depth when it builds a tree; this parser builds none, so it keeps its
    /// own limit (memory stays bounded; positions and names are kept per level).
    static let maxDepth = 100_000

    /// `ignoreDeclaredEncoding`: the bytes are UTF-8 whatever the XML declaration says (input
    /// transcoded from UTF-16 by `BufferedInput`).
    init(sink: XMLEventSink, ignoreDeclaredEncoding: Bool = false) {
        _ = LibXML2Setup.done
        self.sink = sink
        self.ignoreDeclaredEncoding = ignoreDeclaredEncoding
    }

    deinit {
        guard let ctxt else { return }
        // An entity declaration in the internal subset makes libxml2 create a placeholder
        // document (`myDoc`, SAX compatibility) even without tree building; the context does
        // not own it, so it is freed here (found by fuzzing: a leak per such document).
        if let doc = ctxt.pointee.myDoc {
            xmlFreeDoc(doc)
            ctxt.pointee.myDoc = nil
        }
        xmlFreeParserCtxt(ctxt)
    }

    static let options: Int32 = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOERROR.rawValue) | Int32(XML_PARSE_NOWARNING.rawValue)
        | Int32(XML_PARSE_BIG_LINES.rawValue)

    private func makeContext(_ first: UnsafeBufferPointer<UInt8>) -> xmlParserCtxtPtr? {
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startDocument = { ud in XMLPushParser.from(ud)?.mark() }
        sax.startElementNs = { ud, local, prefix, _, _, _, nbAttributes, _, attributes in
            guard let p = XMLPushParser.from(ud), let local else { return }
            p.startElement(local: local, prefix: prefix, attributes: XMLAttributeList(base: attributes, count: Int(nbAttributes)))
        }
        sax.endElementNs = { ud, _, _, _ in XMLPushParser.from(ud)?.endElement() }
        sax.characters = { ud, ch, len in XMLPushParser.from(ud)?.characters(ch, Int(len)) }
        sax.ignorableWhitespace = sax.characters
        sax.cdataBlock = sax.characters
        sax.comment = { ud, _ in XMLPushParser.from(ud)?.boundary() }
        sax.processingInstruction = { ud, _, _ in XMLPushParser.from(ud)?.boundary() }
        sax.reference = { ud, _ in XMLPushParser.from(ud)?.mark() }
        sax.entityDecl = { ud, _, _, _, _, _ in XMLPushParser.from(ud)?.refuseEntities() }
        sax.unparsedEntityDecl = { ud, _, _, _, _ in XMLPushParser.from(ud)?.refuseEntities() }
        sax.serror = { ud, error in XMLPushParser.from(ud)?.record(error) }
        let userData = Unmanaged.passUnretained(self).toOpaque()
        let ctxt = first.withMemoryRebound(to: CChar.self) { p in
            xmlCreatePushParserCtxt(&sax, userData, p.baseAddress, Int32(p.count), nil)
        }
        guard let ctxt else { return nil }
        var options = Self.options
        if ignoreDeclaredEncoding { options |= Int32(XML_PARSE_IGNORE_ENC.rawValue) }
        _ = xmlCtxtUseOptions(ctxt, options)
        return ctxt
    }

    private static func from(_ ud: UnsafeMutableRawPointer?) -> XMLPushParser? {
        guard let ud else { return nil }
        return Unmanaged<XMLPushParser>.fromOpaque(ud).takeUnretainedValue()
    }

    /// Parses `bytes` (any cut). Returns false once the parser has stopped.
    @discardableResult
    func feed(_ bytes: UnsafeBufferPointer<UInt8>, terminate: Bool = false) -> Bool {
        guard !stopped else { return false }
        silenceGlobalErrors()
        var rest = bytes
        if ctxt == nil {
            let n = min(4, bytes.count)
            ctxt = makeContext(UnsafeBufferPointer(rebasing: bytes[0..<n]))
            guard ctxt != nil else {
                problems.append(Problem(message: "libxml2 could not create a parser", line: 0, fatal: true))
                stopped = true
                return false
            }
            rest = UnsafeBufferPointer(rebasing: bytes[n...])
        }
        guard let ctxt else { return false }
        // Feed in bounded pieces so `Int32` sizes never overflow.
        var offset = 0
        repeat {
            let n = min(rest.count - offset, 1 << 20)
            let last = terminate && offset + n == rest.count
            let status = rest.withMemoryRebound(to: CChar.self) { p in
                xmlParseChunk(ctxt, n > 0 ? p.baseAddress.map { $0 + offset } : nil, Int32(n), last ? 1 : 0)
            }
            offset += n
            if ctxt.pointee.disableSAX != 0 || (status != 0 && ctxt.pointee.wellFormed == 0) {
                stopped = true
                if !declaresEntities && !problems.contains(where: \.fatal) {
                    problems.append(Problem(message: "the XML parser stopped (error \(status))", line: Int(ctxt.pointee.input?.pointee.line ?? 0), fatal: true))
                }
                return false
            }
        } while offset < rest.count
        return true
    }

    func finish() {
        feed(UnsafeBufferPointer(start: nil, count: 0), terminate: true)
    }

    /// libxml2 reports a few errors (encoding conversion) without a parser context, through a
    /// per-thread handler that prints to stderr by default: replace it on the thread about to parse.
    private func silenceGlobalErrors() {
        xmlSetStructuredErrorFunc(nil) { _, _ in }
    }

    // MARK: SAX events

    private var here: TextPosition {
        guard let input = ctxt?.pointee.input?.pointee else { return lastEnd }
        return TextPosition(line: Int(input.line), column: Int(max(1, input.col)))
    }

    private func mark() { lastEnd = here }

    private func startElement(local: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, attributes: XMLAttributeList) {
        var name = String(cString: local)
        if let prefix { name = String(cString: prefix) + ":" + name }
        tagStart = depth == 0 ? nil : lastEnd
        depth += 1
        if depth > Self.maxDepth {
            problems.append(Problem(message: "elements nested deeper than \(Self.maxDepth) levels", line: here.line, fatal: true))
            stopped = true
            if let ctxt { xmlStopParser(ctxt) }
            return
        }
        rawAttributes = nil
        sink.xmlStartElement(name, attributes: attributes, parser: self)
        // The cursor is on the closing `>`: content starts after it. (For `<a/>` it is on `/`,
        // and the end event follows at once.)
        lastEnd = here
        lastEnd.column += 1
    }

    private var tagStart: TextPosition?

    private func endElement() {
        depth -= 1
        sink.xmlEndElement()
        lastEnd = here
    }

    private func characters(_ ch: UnsafePointer<xmlChar>?, _ len: Int) {
        guard let ch, len > 0 else { lastEnd = here; return }
        sink.xmlText(UnsafeBufferPointer(start: ch, count: len), start: lastEnd)
        lastEnd = here
    }

    private func boundary() {
        sink.xmlBoundary()
        lastEnd = here
    }

    private func refuseEntities() {
        declaresEntities = true
        stopped = true
        if let ctxt { xmlStopParser(ctxt) }
    }

    private func record(_ error: xmlErrorPtr?) {
        guard let error = error?.pointee, !declaresEntities else { return }
        let level = error.level
        guard level == XML_ERR_ERROR || level == XML_ERR_FATAL else { return }
        if error.domain == Int32(XML_FROM_NAMESPACE.rawValue) { return }  // `ns:tag` without xmlns: harmless here
        guard problems.count < Self.maxProblems else { return }
        // Only the first line: libxml2 may append the offending bytes on the next ones.
        let text = error.message.map { String(cString: $0) } ?? "unknown error"
        let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? text
        var message = trimSpaces(first)
        if error.code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue) || error.code == Int32(XML_WAR_UNDECLARED_ENTITY.rawValue) {
            message += " (external DTDs are never loaded, so what they declare is unknown here)"
        }
        problems.append(Problem(message: message, line: Int(error.line), fatal: level == XML_ERR_FATAL))
    }

    /// The position of attribute `i`'s value (its first character in the source, after the
    /// quote) during `xmlStartElement`. libxml2 keeps the whole start tag in its input buffer
    /// while it reports it, and its cursor is on the closing `>` (or `/>`), whose position it
    /// knows: the raw tag is re-read to find the value, and positions are counted back from there.
    /// Falls back to the position of the tag's `<` (or of its end, for the root element).
    func position(ofAttribute i: Int, in attributes: XMLAttributeList) -> TextPosition {
        let fallback = tagStart ?? here
        guard let input = ctxt?.pointee.input?.pointee, let base = input.base, let cur = input.cur,
              let attrs = attributes.base, let local = attrs[5 * i] else { return fallback }
        if rawAttributes == nil { rawAttributes = Self.scanTag(base: base, cur: cur) }
        let prefix = attrs[5 * i + 1]
        guard let value = rawAttributes?.first(where: { Self.sameName($0.name, local: local, prefix: prefix) })?.value else { return fallback }
        return position(of: value, base: base, cur: cur, line: Int(input.line), column: Int(input.col))
    }

    private var rawAttributes: [(name: UnsafeBufferPointer<UInt8>, value: UnsafePointer<UInt8>)]?

    /// Splits the start tag that ends at `cur` into attribute names and value starts.
    private static func scanTag(base: UnsafePointer<UInt8>, cur: UnsafePointer<UInt8>) -> [(name: UnsafeBufferPointer<UInt8>, value: UnsafePointer<UInt8>)] {
        var open = cur
        while open > base && open.pointee != 0x3C { open -= 1 }  // values never hold a raw `<`
        guard open.pointee == 0x3C else { return [] }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var p = open + 1
        while p < cur && !isSpace(p.pointee) && p.pointee != 0x2F && p.pointee != 0x3E { p += 1 }  // element name
        var out: [(name: UnsafeBufferPointer<UInt8>, value: UnsafePointer<UInt8>)] = []
        while p < cur {
            while p < cur && isSpace(p.pointee) { p += 1 }
            let nameStart = p
            while p < cur && !isSpace(p.pointee) && p.pointee != 0x3D { p += 1 }
            let name = UnsafeBufferPointer(start: nameStart, count: p - nameStart)
            while p < cur && isSpace(p.pointee) { p += 1 }
            guard p < cur, p.pointee == 0x3D else { break }
            p += 1
            while p < cur && isSpace(p.pointee) { p += 1 }
            guard p < cur, p.pointee == 0x22 || p.pointee == 0x27 else { break }
            let quote = p.pointee
            p += 1
            out.append((name, p))
            while p < cur && p.pointee != quote { p += 1 }
            p += 1
        }
        return out
    }

    private static func cLength(_ p: UnsafePointer<UInt8>) -> Int {
        var n = 0
        while p[n] != 0 { n += 1 }
        return n
    }

    private static func sameName(_ raw: UnsafeBufferPointer<UInt8>, local: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) -> Bool {
        var expected: [UInt8] = []
        if let prefix { expected += UnsafeBufferPointer(start: prefix, count: cLength(prefix)); expected.append(0x3A) }
        expected += UnsafeBufferPointer(start: local, count: cLength(local))
        return raw.elementsEqual(expected)
    }

    /// Position of `target` (in the buffer, before the cursor), counted back from the cursor.
    private func position(of target: UnsafePointer<UInt8>, base: UnsafePointer<UInt8>, cur: UnsafePointer<UInt8>, line curLine: Int, column curColumn: Int) -> TextPosition {
        var line = curLine
        var sawNewline = false
        var p = cur
        while p > target {
            p -= 1
            if p.pointee == 0x0A { line -= 1; sawNewline = true }
        }
        if !sawNewline {
            return TextPosition(line: line, column: max(1, curColumn - Self.scalars(from: target, to: cur)))
        }
        // The target's line starts after the nearest newline before it, or at the tag's `<`.
        var q = target
        while q > base {
            let b = (q - 1).pointee
            if b == 0x0A { return TextPosition(line: line, column: 1 + Self.scalars(from: q, to: target)) }
            if b == 0x3C, let start = tagStart {
                return TextPosition(line: line, column: start.column + Self.scalars(from: q - 1, to: target))
            }
            q -= 1
        }
        return TextPosition(line: line, column: 1)
    }

    private static func scalars(from a: UnsafePointer<xmlChar>, to b: UnsafePointer<xmlChar>) -> Int {
        var n = 0
        var p = a
        while p < b {
            if p.pointee & 0xC0 != 0x80 && p.pointee != 0x0D { n += 1 }
            p += 1
        }
        return n
    }
}

private func trimSpaces(_ text: String) -> String {
    var s = Substring(text)
    while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeFirst() }
    while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeLast() }
    return String(s)
}
