import Foundation

/// The human report: findings grouped by input, then errors, skipped inputs and counts per
/// category. Colour only when the CLI says the output is a terminal.
public final class TextReporter: Reporter {
    let sink: TextSink
    let color: Bool
    private var currentPath: String?

    public init(sink: TextSink, color: Bool) {
        self.sink = sink
        self.color = color
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func begin(tool: ToolInfo) {}

    public func findings(_ findings: [Finding]) {
        var out = ""
        for f in findings {
            if f.path != currentPath {
                if currentPath != nil { out += "\n" }
                out += paint(f.path, "1;35") + "\n"
                currentPath = f.path
            }
            let confidence: String
            switch f.confidence {
            case .high: confidence = paint("high  ", "1;31")
            case .medium: confidence = paint("medium", "33")
            case .low: confidence = paint("low   ", "2")
            }
            let location = paint("\(f.line):\(f.column)", "32")
            let field = f.field.map { " [\($0)]" } ?? ""
            let value = f.value.map { " = \($0)" } ?? ""
            out += "  \(location)\t\(confidence)  \(f.category)  \(paint(f.masked, "1"))\(value)\(field)  (\(f.detector): \(f.signals.joined(separator: ", ")))\n"
        }
        sink.write(out)
    }

    /// A table of the classified columns, per input: what a data map is made of.
    public func columns(_ columns: [ColumnStats]) {
        let classified = columns.filter { $0.category != nil }
        guard !classified.isEmpty else { return }
        var out = currentPath == nil ? "" : "\n"
        currentPath = currentPath ?? ""
        out += paint("Columns classified (\(classified.count) of \(columns.count) seen)", "1") + "\n"
        let nameWidth = min(48, classified.map { $0.field.count }.max() ?? 0)
        let categoryWidth = classified.compactMap { $0.category?.count }.max() ?? 0
        var path: String?
        for c in classified {
            if c.path != path {
                out += "  " + paint(c.path, "1;35") + "\n"
                path = c.path
            }
            let category = c.category ?? ""
            let hits = c.hits[category] ?? 0
            let percent = Int((c.ratio * 100).rounded())
            let detectors = c.detectors.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key).joined(separator: ", ")
            out += "    " + c.field.padding(toLength: max(nameWidth, c.field.count), withPad: " ", startingAt: 0)
                + "  " + category.padding(toLength: categoryWidth, withPad: " ", startingAt: 0)
                + (c.freeText ? "  \(hits) finding(s) in free text  [\(detectors)]"
                              : "  \(hits)/\(c.nonEmpty) values (\(percent)%), \(c.rows) rows  [\(detectors)]")
                + (c.categories.count > 1 ? "  also: \(c.categories.dropFirst().joined(separator: ", "))\n" : "\n")
        }
        sink.write(out)
    }

    /// The policy violations, most severe first, then in input order.
    public func violations(_ violations: [Violation]) {
        var out = currentPath == nil ? "" : "\n"
        currentPath = currentPath ?? ""
        guard !violations.isEmpty else {
            sink.write(out + paint("No policy violations", "1") + "\n")
            return
        }
        let counts = Violation.Severity.allCases.reversed().compactMap { severity -> String? in
            let n = violations.filter { $0.severity == severity }.count
            return n > 0 ? "\(n) \(severity.rawValue)" : nil
        }
        out += paint("Policy violations (\(counts.joined(separator: ", ")))", "1") + "\n"
        let ordered = violations.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
        for v in ordered {
            let severity: String
            switch v.severity {
            case .critical: severity = paint("critical", "1;31")
            case .high: severity = paint("high    ", "31")
            case .medium: severity = paint("medium  ", "33")
            case .low: severity = paint("low     ", "2")
            case .info: severity = paint("info    ", "2")
            }
            let place = v.path + (v.field.map { " [\($0)]" } ?? (v.table.map { " [\($0)]" } ?? ""))
            out += "  \(severity)  \(v.kind.rawValue)  \(place)\n      \(v.message)\n"
        }
        sink.write(out)
    }

    public func suppressions(_ report: SuppressionReport) {
        guard report.findings + report.violations > 0 || !report.expired.isEmpty else { return }
        var out = currentPath == nil ? "" : "\n"
        currentPath = currentPath ?? ""
        out += "Suppressed: \(report.findings) finding(s), \(report.violations) violation(s) (.trawlignore, allow entries; --no-suppressions to see them)\n"
        for a in report.expired {
            out += "  expired allow entry \(a.fingerprint) (\(a.expires ?? "")): \(a.reason) — no longer applied\n"
        }
        sink.write(out)
    }

    public func baseline(_ report: BaselineReport) {
        var out = currentPath == nil ? "" : "\n"
        currentPath = currentPath ?? ""
        out += paint("Baseline \(report.file)", "1") + ": \(report.newFindings) new finding(s), \(report.unchangedFindings) unchanged; "
        out += "\(report.newViolations) new violation(s), \(report.unchangedViolations) unchanged; \(report.stale.values.reduce(0, +)) stale entr(ies)\n"
        for (fingerprint, count) in report.stale.sorted(by: { $0.key < $1.key }).prefix(20) {
            out += "  stale: \(fingerprint)\(count > 1 ? " ×\(count)" : "")\n"
        }
        sink.write(out)
    }

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        var out = currentPath == nil ? "" : "\n"
        if !errors.isEmpty {
            out += paint("Errors (the scan is incomplete):", "1;31") + "\n"
            for e in errors {
                let line = e.line.map { ":\($0)" } ?? ""
                out += "  \(e.path)\(line): \(e.code.rawValue): \(e.message)\n"
            }
            out += "\n"
        }
        if !skipped.isEmpty {
            let reasons = summary.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let size = summary.bytesSkipped > 0 ? ", \(summary.bytesSkipped) bytes unread" : ""
            out += "Skipped \(skipped.count) input(s)\(size): \(reasons)\n"
            for s in skipped.prefix(20) { out += "  \(s.path): \(s.reason.rawValue)\n" }
            if skipped.count > 20 { out += "  … and \(skipped.count - 20) more (see --format json)\n" }
            out += "\n"
        }
        let width = summary.byCategory.keys.map(\.count).max() ?? 0
        if !summary.byCategory.isEmpty {
            out += paint("Findings by category", "1") + "\n"
            for (category, count) in summary.byCategory.sorted(by: { $0.key < $1.key }) {
                out += "  " + category.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(count)\n"
            }
        }
        out += "\(summary.findings) finding(s) in \(summary.filesScanned) file(s), \(ByteCount.decimal(summary.bytesScanned)) scanned"
        if !errors.isEmpty { out += ", \(errors.count) error(s)" }
        out += "\n"
        sink.write(out)
    }
}
