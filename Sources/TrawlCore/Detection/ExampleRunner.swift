/// Replays every detector's own examples (`trawl detectors test`, and the test suite).
public struct ExampleRunner: Sendable {
    public struct Failure: Sendable, CustomStringConvertible {
        public var detector: String
        public var example: DetectorDefinition.Example
        public var expectedMatch: Bool
        public var reason: String

        public var description: String {
            let field = example.field.map { " (field \($0))" } ?? ""
            return "\(detector): \(expectedMatch ? "match" : "no_match") example \(example.value.debugDescription)\(field): \(reason)"
        }
    }

    public let threshold: Confidence

    public init(threshold: Confidence = .medium) { self.threshold = threshold }

    /// Scans `text` as one cell (in `field` if given) with `catalog`, at every confidence.
    public static func findings(in text: String, field: String? = nil, catalog: DetectorCatalog) -> [Finding] {
        let engine = DetectionEngine(catalog: catalog, options: DetectionOptions(minConfidence: .low, showValues: true))
        let worker = engine.makeWorker()
        var batch = TextBatch()
        batch.append(Array(text.utf8), field: field, line: 1, column: 1)
        var found: [Finding] = []
        worker.scan(batch, path: "example", into: &found)
        return found
    }

    /// Runs the examples of `detector` alone (so each states what that detector does by itself).
    public func run(_ detector: Detector) -> [Failure] {
        let catalog = DetectorCatalog(detectors: [detector])
        var failures: [Failure] = []
        for example in detector.definition.examples.match {
            let (text, span) = example.unmarked
            let hits = Self.findings(in: text, field: example.field, catalog: catalog).filter { $0.confidence >= threshold }
            if hits.isEmpty {
                let all = Self.findings(in: text, field: example.field, catalog: catalog)
                let reason = all.isEmpty ? "no finding" : "only below \(threshold): \(all.map { "\($0.confidence) [\($0.signals.joined(separator: ", "))]" }.joined(separator: "; "))"
                failures.append(Failure(detector: detector.id, example: example, expectedMatch: true, reason: reason))
                continue
            }
            if let span {
                let expected = String(decoding: Array(text.utf8)[span], as: UTF8.self)
                if !hits.contains(where: { $0.value == expected }) {
                    failures.append(Failure(detector: detector.id, example: example, expectedMatch: true,
                        reason: "found \(hits.compactMap(\.value).map(\.debugDescription).joined(separator: ", ")) instead of the marked \(expected.debugDescription)"))
                }
            }
        }
        for example in detector.definition.examples.noMatch {
            let hits = Self.findings(in: example.value, field: example.field, catalog: catalog).filter { $0.confidence >= threshold }
            if !hits.isEmpty {
                failures.append(Failure(detector: detector.id, example: example, expectedMatch: false,
                    reason: "found \(hits.compactMap(\.value).map(\.debugDescription).joined(separator: ", ")) at \(hits[0].confidence) [\(hits[0].signals.joined(separator: ", "))]"))
            }
        }
        return failures
    }
}
