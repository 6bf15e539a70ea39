import ArgumentParser
import Foundation
import TrawlCore

/// `trawl merge`: the JSON reports of `--shard K/N` scans, combined into one report or inventory.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the JSON reports of sharded scans into one report or inventory (same content as a single scan).")

    @Argument(help: "JSON reports written by `trawl scan --format json --shard K/N`.")
    var reports: [String]

    /// A scan report format, or an inventory one.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif, markdown, csv, html, fides
    }

    @Option(help: "Output format: a report (text, json, sarif, markdown) or an inventory (csv, html, fides).")
    var format: Format = .json

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the result to FILE.", valueName: "FILE"))
    var output: String?

    @OptionGroup var catalogOptions: CatalogOptions

    @OptionGroup var policyOptions: PolicyOptions

    func run() throws {
        var merger = ReportMerger()
        for path in reports {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do { try merger.add(json: data, name: path) } catch { throw ValidationError("\(error)") }
        }
        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw ValidationError("\(error)") }
        let reporter: Reporter
        if let report = ReportFormat(rawValue: format.rawValue) {
            reporter = try report.makeReporter(sink: sink, catalog: try catalogOptions.load(), color: false)
        } else {
            // Violations come from the shards; the policy and --config give purposes and retention.
            let evaluator = try policyOptions.load(beside: { _ in nil }).evaluator
            reporter = InventoryBuilder(sink: sink, renderer: InventoryFormat(rawValue: format.rawValue)?.renderer, evaluator: evaluator)
        }
        let summary = try merger.replay(into: reporter)
        try sink.close()
        let gating = reporter is InventoryBuilder ? 0 : summary.findings
        throw TrawlExit.forScan(gatingFindings: gating, complete: summary.complete)
    }
}
