/// `--format markdown`: a summary sized for a CI job page (GitHub's `$GITHUB_STEP_SUMMARY`):
/// totals, violations by severity, the most-hit classified fields, and what is new since the
/// baseline. Masked values only, and few of them.
public final class MarkdownReporter: Reporter {
    let sink: TextSink
    private var violationsSeen: [Violation] = []
    private var columnsSeen: [ColumnStats] = []
    private var baselineReport: BaselineReport?
    private var suppressionReport: SuppressionReport?

    public init(sink: TextSink) { self.sink = sink }

    public func begin(tool: ToolInfo) {}
    public func findings(_ findings: [Finding]) {}
    public func columns(_ columns: [ColumnStats]) { columnsSeen = columns }
    public func violations(_ violations: [Violation]) { violationsSeen = violations }
    public func baseline(_ report: BaselineReport) { baselineReport = report }
    public func suppressions(_ report: SuppressionReport) { suppressionReport = report }

    /// Pipes and line breaks would break a table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        var out = "## Trawl scan\n\n"
        out += "**\(summary.findings)** finding(s) in \(summary.filesScanned) file(s); "
        out += "\(summary.columnsClassified) of \(summary.columns) column(s) classified; "
        out += summary.complete ? "scan complete.\n\n" : "**scan incomplete: \(errors.count) input error(s)**.\n\n"
        if let b = baselineReport {
            out += "Since the baseline: **\(b.newFindings) new finding(s)**, \(b.unchangedFindings) unchanged; "
            out += "**\(b.newViolations) new violation(s)**, \(b.unchangedViolations) unchanged; \(b.stale.values.reduce(0, +)) stale.\n\n"
        }
        if let s = suppressionReport, s.findings + s.violations > 0 || !s.expired.isEmpty {
            out += "Suppressed: \(s.findings) finding(s), \(s.violations) violation(s); \(s.expired.count) expired allow entr(ies).\n\n"
        }
        if !violationsSeen.isEmpty {
            out += "### Policy violations\n\n| severity | count |\n|---|---:|\n"
            for severity in Violation.Severity.allCases.reversed() {
                let n = violationsSeen.filter { $0.severity == severity }.count
                if n > 0 { out += "| \(severity.rawValue) | \(n) |\n" }
            }
            out += "\n| severity | kind | where | why |\n|---|---|---|---|\n"
            let ordered = violationsSeen.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
            for v in ordered.prefix(20) {
                let place = v.path + (v.field.map { " `\($0)`" } ?? (v.table.map { " `\($0)`" } ?? ""))
                out += "| \(v.severity.rawValue) | \(v.kind.rawValue) | \(Self.cell(place)) | \(Self.cell(v.message)) |\n"
            }
            if ordered.count > 20 { out += "\n… and \(ordered.count - 20) more in the full report.\n" }
            out += "\n"
        }
        let top = columnsSeen.filter { $0.category != nil && !$0.freeText }
            .sorted { ($0.hits[$0.category ?? ""] ?? 0) > ($1.hits[$1.category ?? ""] ?? 0) }.prefix(10)
        if !top.isEmpty {
            out += "### Top fields\n\n| field | category | values | source |\n|---|---|---:|---|\n"
            for c in top {
                out += "| `\(Self.cell(c.field))` | \(c.category ?? "") | \(c.hits[c.category ?? ""] ?? 0)/\(c.nonEmpty) | \(Self.cell(c.path)) |\n"
            }
            out += "\n"
        }
        if !summary.byCategory.isEmpty {
            out += "<details><summary>Findings by category</summary>\n\n| category | findings |\n|---|---:|\n"
            for (category, n) in summary.byCategory.sorted(by: { $0.key < $1.key }) { out += "| \(category) | \(n) |\n" }
            out += "\n</details>\n"
        }
        if !errors.isEmpty {
            out += "\n### Input errors\n\n"
            for e in errors.prefix(20) { out += "- `\(Self.cell(e.path))`: \(e.code.rawValue): \(Self.cell(e.message))\n" }
        }
        // Never skipped silently: binary, oversized and excluded inputs too.
        if !skipped.isEmpty {
            out += "\n### Skipped inputs\n\n"
            for s in skipped.prefix(20) { out += "- `\(Self.cell(s.path))`: \(s.reason.rawValue)\n" }
            if skipped.count > 20 { out += "\n… and \(skipped.count - 20) more in the full report.\n" }
        }
        sink.write(out)
    }
}
