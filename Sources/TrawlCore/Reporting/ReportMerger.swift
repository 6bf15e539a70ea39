import Foundation

/// `trawl merge`: combines the JSON reports of sharded scans (`--shard K/N`) into one report, in
/// the order a single scan would give (walk order: the inputs' paths compared component by
/// component, an archive's members kept in archive order), with the summary recounted.
public struct ReportMerger {
    struct Document: Decodable {
        var tool: ToolInfo
        var findings: [Finding]
        var fields: [ColumnStats]?
        var violations: [Violation]?
        var errors: [InputError]
        var skipped: [SkippedInput]
        var summary: ScanSummary
    }

    public struct MergeError: Error, CustomStringConvertible {
        public var description: String
    }

    var documents: [Document] = []

    public init() {}

    public mutating func add(json data: Data, name: String) throws {
        do {
            documents.append(try JSONDecoder().decode(Document.self, from: data))
        } catch {
            throw MergeError(description: "\(name): not a trawl JSON report (\(error))")
        }
    }

    /// Walk order of an input path: its top-level file (before `!/`), component by component.
    static func walkKey(_ path: String) -> [String] {
        let top = path.components(separatedBy: "!/").first ?? path
        return top.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }

    static func stableSorted<T>(_ items: [T], by path: (T) -> String) -> [T] {
        items.enumerated().sorted { a, b in
            let ka = walkKey(path(a.element)), kb = walkKey(path(b.element))
            if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Replays the merged report into `reporter`; returns its summary.
    @discardableResult
    public func replay(into reporter: Reporter) throws -> ScanSummary {
        guard let first = documents.first else { throw MergeError(description: "nothing to merge") }
        // Each input is in exactly one shard: concatenating then sorting by input keeps each
        // input's own order.
        let findings = Self.stableSorted(documents.flatMap(\.findings)) { $0.path }
        let fields = Self.stableSorted(documents.flatMap { $0.fields ?? [] }) { $0.path }
        let hasPolicy = documents.contains { $0.violations != nil }
        let violations = Self.stableSorted(documents.flatMap { $0.violations ?? [] }) { $0.path }
        let errors = documents.flatMap(\.errors).sorted { ($0.path, $0.line ?? 0) < ($1.path, $1.line ?? 0) }
        let skipped = documents.flatMap(\.skipped).sorted { $0.path < $1.path }

        var summary = ScanSummary()
        for f in findings { summary.count(f) }
        summary.filesScanned = documents.reduce(0) { $0 + $1.summary.filesScanned }
        summary.bytesScanned = documents.reduce(0) { $0 + $1.summary.bytesScanned }
        for document in documents { summary.media.add(document.summary.media) }
        summary.errors = errors.count
        summary.complete = documents.allSatisfy(\.summary.complete)
        summary.skipped = Dictionary(grouping: skipped, by: \.reason.rawValue).mapValues(\.count)
        summary.bytesSkipped = skipped.reduce(0) { $0 + ($1.bytes ?? 0) }
        summary.columns = fields.count
        summary.columnsClassified = fields.filter { $0.category != nil }.count

        reporter.begin(tool: first.tool)
        if !findings.isEmpty { reporter.findings(findings) }
        reporter.columns(fields)
        if hasPolicy { reporter.violations(violations) }
        reporter.end(summary: summary, errors: errors, skipped: skipped)
        return summary
    }
}
