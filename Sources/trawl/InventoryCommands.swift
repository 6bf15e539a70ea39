import ArgumentParser
import Foundation
import TrawlCore

enum InventoryFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, html, fides

    var renderer: InventoryRenderer {
        switch self {
        case .csv: InventoryCSV()
        case .json: InventoryJSON()
        case .html: InventoryHTML()
        case .fides: InventoryFides()
        }
    }
}

/// `trawl inventory`: the data map of the inputs, one row per field.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Map the personal data of files, exports and dumps: one row per field, with categories, subjects, purposes, legal bases, retention and violations.",
        discussion: "Exit codes: 0 when every input was read, 2 when one could not be (the map is then incomplete), 64 on a usage error. The inventory never holds a raw value.")

    @OptionGroup var options: ScanOptions

    @Option(help: "Inventory format: csv, json (read by `trawl diff`), html (a self-contained page) or fides (fides dataset manifests, YAML).")
    var format: InventoryFormat = .csv

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the inventory to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let prepared = try options.prepare(showValues: false, fingerprints: false)
        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw ValidationError("\(error)") }
        let builder = InventoryBuilder(sink: sink, renderer: format.renderer, evaluator: prepared.evaluator)
        // The gate runs the policy and the suppressions; an inventory gates on nothing.
        let gate = GatingReporter(wrapping: builder, threshold: nil, evaluator: prepared.evaluator, severity: nil)
        gate.fingerprinter = prepared.fingerprinter
        if let suppressions = prepared.suppressions { gate.suppress(with: suppressions, on: prepared.day) }
        let summary = Scanner(engine: prepared.engine, configuration: prepared.configuration).run(reporter: gate)
        options.noteUnreadMedia(summary, configuration: prepared.configuration)
        try sink.close()
        throw TrawlExit.forScan(gatingFindings: 0, complete: summary.complete)
    }
}

/// `trawl diff OLD NEW`: drift between two inventories (or two scan JSON reports).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two inventories: personal fields that appeared, disappeared or changed classification.",
        discussion: "OLD and NEW are `trawl inventory --format json` files (JSON reports of `trawl scan --format json` are read too). Exit codes: 0 when nothing new and personal appeared, 1 when a personal field appeared or a field gained a category, 64 when a file cannot be read.")

    @Argument(help: "The older inventory.")
    var old: String

    @Argument(help: "The newer inventory.")
    var new: String

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    static func load(_ path: String) throws -> Inventory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): check the path and its permissions")
        }
        if let inventory = try? InventoryJSON.decode(data), inventory.schema == Inventory.schemaID { return inventory }
        var merger = ReportMerger()
        do { try merger.add(json: data, name: path) } catch {
            throw ValidationError("\(path) is neither a trawl inventory (trawl inventory --format json) nor a scan JSON report")
        }
        let builder = InventoryBuilder(sink: nil, renderer: nil, evaluator: nil)
        try merger.replay(into: builder)
        guard let inventory = builder.inventory else { throw ValidationError("\(path): empty report") }
        return inventory
    }

    func run() throws {
        let diff = InventoryDiff(old: try Self.load(old), new: try Self.load(new))
        switch format {
        case .text: print(diff.text, terminator: "")
        case .json: print(String(decoding: try JSONEncoder.sorted.encode(diff), as: UTF8.self))
        }
        if diff.newPersonal > 0 { throw TrawlExit.findings }
    }
}
