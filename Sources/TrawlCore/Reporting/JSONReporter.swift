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

    public func columns(_ columns: [ColumnStats]) {
        var out = "\n],\n\"fields\":["
        for (i, column) in columns.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += encode(column)
        }
        sink.write(out)
    }

    public func violations(_ violations: [Violation]) {
        var out = "\n],\n\"violations\":["
        for (i, violation) in violations.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += encode(violation)
        }
        sink.write(out)
    }

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        sink.write("\n],\n\"errors\":\(encode(errors)),\n\"skipped\":\(encode(skipped)),\n\"summary\":\(encode(summary))}\n")
    }
}
