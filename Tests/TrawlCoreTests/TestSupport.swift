import Foundation
@testable import TrawlCore

/// A cell as a reader produced it, for assertions.
struct ReadCell: Equatable, CustomStringConvertible {
    var text: String
    var field: String?
    var line: Int
    var column: Int
    var description: String { "\(field ?? "-")@\(line):\(column)=\(text.debugDescription)" }
}

enum Read {
    /// Runs `format`'s reader over `bytes` and returns every cell (pieces of long cells included).
    static func cells(_ bytes: [UInt8], format: InputFormat, path: String = "test") throws -> (cells: [ReadCell], problems: [InputError]) {
        let input = try BufferedInput(source: MemorySource(bytes))
        return try cells(of: try format.makeReader(input: input, path: path))
    }

    /// Every cell of `reader`, read to its end.
    static func cells(of reader: CellReader) throws -> (cells: [ReadCell], problems: [InputError]) {
        var cells: [ReadCell] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            for s in batch.segments {
                cells.append(ReadCell(text: batch.text(of: s), field: s.field >= 0 ? batch.fields[Int(s.field)] : nil, line: s.line, column: s.column))
            }
        }
        return (cells, reader.problems)
    }

    static func cells(_ text: String, format: InputFormat) throws -> (cells: [ReadCell], problems: [InputError]) {
        try cells(Array(text.utf8), format: format)
    }
}

enum TestDetectors {
    static func make(_ yaml: String) throws -> Detector {
        let definition = try YAMLDecoderShim.decode(yaml)
        return try Detector(definition, source: "test")
    }

    /// Scans `text` (as a file of `format`) with `detectors` and returns the findings.
    static func scan(_ text: String, format: InputFormat = .text, detectors: [Detector], options: DetectionOptions = DetectionOptions(minConfidence: .low, showValues: true)) throws -> [Finding] {
        try scan(text, format: format, catalog: DetectorCatalog(detectors: detectors), options: options)
    }

    static func scan(_ text: String, format: InputFormat, catalog: DetectorCatalog, options: DetectionOptions) throws -> [Finding] {
        let engine = DetectionEngine(catalog: catalog, options: options)
        let worker = engine.makeWorker()
        let input = try BufferedInput(source: MemorySource(text))
        let reader = try format.makeReader(input: input, path: "t")
        var findings: [Finding] = []
        var more = true
        while more {
            var batch = TextBatch()
            more = try reader.fill(&batch)
            worker.scan(batch, path: "t", into: &findings)
        }
        return findings
    }
}

import Yams
enum YAMLDecoderShim {
    static func decode(_ yaml: String) throws -> DetectorDefinition {
        try YAMLDecoder().decode(DetectorDefinition.self, from: yaml)
    }
}

/// Hands out its bytes in reads of the given sizes (the last size repeating), so that a test puts
/// the reader's buffer boundaries where it wants them.
final class PieceSource: ByteSource {
    let bytes: MemorySource
    let pieces: [Int]
    var turn = 0

    init(_ bytes: [UInt8], pieces: [Int]) {
        self.bytes = MemorySource(bytes)
        self.pieces = pieces
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, pieces[min(turn, pieces.count - 1)])
        turn += 1
        return try bytes.read(into: buffer, count: n)
    }
}

/// A seeded generator (a 64-bit LCG): a random test draws the same inputs on every run, so a
/// failure can be replayed.
struct SeededRandom {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }

    /// A number in `0..<bound`.
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    /// Tokens drawn at random until the text holds `length` bytes or more.
    mutating func text(from tokens: [String], length: Int) -> String {
        var text = ""
        while text.utf8.count < length { text += tokens[next(tokens.count)] }
        return text
    }
}

