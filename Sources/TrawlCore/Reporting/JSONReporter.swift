import Foundation

/// `--format json`: one JSON document `{"tool", "findings", "fields", "violations", "errors",
/// "skipped", "summary"}` (`violations` only when a policy is applied), written as it goes (one finding per line), so millions of findings need no memory.
public final class JSONReporter: Reporter {
    let sink: TextSink
    let encoder: JSONEncoder
    private var first = true

    public init(sink: TextSink) {
        self.sink = sink
        encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    private func encode<T: Encodable>(_ value: T) -> String {
        // Encoding plain value types cannot fail; an empty object keeps the document valid if it did.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public func begin(tool: ToolInfo) {
        sink.write("{\"tool\":\(encode(tool)),\n\"findings\":[")
    }

    public func findings(_ findings: [Finding]) {
        var out = ""
        for finding in findings {
            out += first ? "\n" : ",\n"
            first = false
            out += FindingJSON.object(finding)
        }
        sink.write(out)
    }

    public func columns(_ columns: [ColumnStats]) { writeArray("fields", columns) }

    public func violations(_ violations: [Violation]) { writeArray("violations", violations) }

    /// Closes the array before it and writes `"name":[...]`, one element per line.
    private func writeArray<T: Encodable>(_ name: String, _ items: [T]) {
        var out = "\n],\n\"\(name)\":["
        for (i, item) in items.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += encode(item)
        }
        sink.write(out)
    }

    private var baselineReport: BaselineReport?

    public func baseline(_ report: BaselineReport) { baselineReport = report }

    private var suppressionReport: SuppressionReport?

    public func suppressions(_ report: SuppressionReport) { suppressionReport = report }

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        let baseline = (baselineReport.map { ",\n\"baseline\":\(encode($0))" } ?? "")
            + (suppressionReport.map { ",\n\"suppressed\":\(encode($0))" } ?? "")
        sink.write("\n]\(baseline),\n\"errors\":\(encode(errors)),\n\"skipped\":\(encode(skipped)),\n\"summary\":\(encode(summary))}\n")
    }
}
