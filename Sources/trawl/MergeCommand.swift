import ArgumentParser
import Foundation
import TrawlCore

/// `trawl merge`: the JSON reports of `--shard K/N` scans, combined into one report.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the JSON reports of sharded scans into one report (same content as a single scan).")

    @Argument(help: "JSON reports written by `trawl scan --format json --shard K/N`.")
    var reports: [String]

    @Option(help: "Report format: text, json, sarif or markdown.")
    var format: ReportFormat = .json

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE.", valueName: "FILE"))
    var output: String?

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        var merger = ReportMerger()
        for path in reports {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do { try merger.add(json: data, name: path) } catch { throw ValidationError("\(error)") }
        }
        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw ValidationError("\(error)") }
        let reporter = try format.makeReporter(sink: sink, catalog: try catalogOptions.load(), color: false)
        let summary = try merger.replay(into: reporter)
        try sink.close()
        throw TrawlExit.forScan(gatingFindings: summary.findings, complete: summary.complete)
    }
}
