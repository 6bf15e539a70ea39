/// A small XML event sink driven by closures, for the little parts of an OOXML package
/// (workbook, relationships, shared strings). Names are local names (prefix dropped).
final class XMLPartSink: XMLEventSink {
    var onStart: (_ local: String, _ attributes: XMLAttributeList, _ stack: [String]) -> Void = { _, _, _ in }
    var onEnd: (_ local: String, _ stack: [String]) -> Void = { _, _ in }
    var onText: (_ bytes: UnsafeBufferPointer<UInt8>, _ stack: [String]) -> Void = { _, _ in }
    private(set) var stack: [String] = []

    func xmlStartElement(_ name: String, attributes: XMLAttributeList, parser: XMLPushParser) {
        let local = xmlLocalPart(name)
        stack.append(local)
        onStart(local, attributes, stack)
    }

    func xmlEndElement() {
        guard let local = stack.last else { return }
        onEnd(local, stack)
        stack.removeLast()
    }

    func xmlText(_ bytes: UnsafeBufferPointer<UInt8>, start: TextPosition) { onText(bytes, stack) }
    func xmlBoundary() {}

    /// Parses `bytes` in one go; returns the problems met (a refused DTD counts as one).
    static func parse(_ bytes: [UInt8], with sink: XMLEventSink) -> [XMLPushParser.Problem] {
        let parser = XMLPushParser(sink: sink)
        _ = bytes.withUnsafeBufferPointer { parser.feed($0, terminate: true) }
        var problems = parser.problems
        if parser.declaresEntities {
            problems.insert(.init(message: "the part declares entities in a DTD, which Trawl does not expand (billion-laughs and XXE protection)", line: parser.lastEnd.line, fatal: true), at: 0)
        }
        return problems
    }
}

/// `x:row` -> `row`.
func xmlLocalPart(_ name: String) -> String {
    guard let colon = name.lastIndex(of: ":") else { return name }
    return String(name[name.index(after: colon)...])
}
