import Foundation

/// `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. One rule per detector and per
/// policy violation kind; findings and violations are results with physical locations (path,
/// line, column) and logical ones (table.column, key path, sheet cell). Only masked values are
/// written (as the region's snippet). Input errors become tool execution notifications (errors),
/// and inputs whose content was skipped (binary, too large) notes.
/// Results are streamed as they come.
public final class SARIFReporter: Reporter {
    public struct Rule: Sendable {
        public var id: String
        public var name: String
        public var description: String
        public var category: String?
        public var securitySeverity: Double

        public init(id: String, name: String, description: String, category: String?, securitySeverity: Double) {
            self.id = id
            self.name = name
            self.description = description
            self.category = category
            self.securitySeverity = securitySeverity
        }
    }

    let sink: TextSink
    let rules: [Rule]
    private let ruleIndex: [String: Int]
    private var first = true
    /// Archives and their members, as SARIF nested artifacts (`parentIndex`): a member's
    /// location is its path inside its parent.
    private var artifacts: [(uri: String, parent: Int?)] = []
    private var artifactIndex: [String: Int] = [:]

    /// Registers `a.zip!/b.tar!/c.csv` as a.zip, then b.tar inside it, then c.csv inside b.tar.
    private func noteArtifact(_ path: String) {
        guard path.contains("!/"), artifactIndex[path] == nil else { return }
        var parent: Int?
        var prefix = ""
        for part in path.components(separatedBy: "!/") {
            prefix = prefix.isEmpty ? part : prefix + "!/" + part
            if let i = artifactIndex[prefix] { parent = i; continue }
            artifacts.append((parent == nil ? Self.uri(part) : "/" + Self.uri(part), parent))
            artifactIndex[prefix] = artifacts.count - 1
            parent = artifacts.count - 1
        }
    }
    private let encoder: JSONEncoder

    /// `detectors`: the catalog; the media detectors and the policy's violation kinds (as
    /// `policy/<kind>`) are added as rules.
    public init(sink: TextSink, catalog: DetectorCatalog) {
        self.sink = sink
        var rules = catalog.detectors.map { d in
            Rule(id: d.id, name: d.definition.name, description: d.definition.description,
                 category: d.category, securitySeverity: Self.severity(ofCategory: d.category))
        }
        rules += MediaDetector.all.map { d in
            Rule(id: d.id, name: d.name, description: d.description, category: d.category, securitySeverity: Self.severity(ofCategory: d.category))
        }
        rules += Violation.Kind.allCases.map { kind in
            Rule(id: "policy/\(kind.rawValue)", name: kind.rawValue, description: Self.describe(kind), category: nil, securitySeverity: 7.0)
        }
        self.rules = rules
        ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    static func severity(ofCategory category: String) -> Double {
        let sensitive = ["user.government_id", "user.financial", "user.health_and_medical", "user.criminal_history", "user.special_status"]
        return sensitive.contains { category.hasPrefix($0) } ? 8.0 : 5.0
    }

    static func describe(_ kind: Violation.Kind) -> String {
        switch kind {
        case .undocumentedCategory: "Personal data of a category the privacy policy documents for no data subject."
        case .subjectMismatch: "Personal data the privacy policy documents only for other data subjects."
        case .purposeMismatch: "Personal data that none of the dataset's declared purposes needs."
        case .specialCategoryWithoutConsent: "Special-category data (health, special statuses) without a consent-based purpose or recorded consent."
        case .retentionExceeded: "Records kept longer than the active and intermediate retention periods of their purpose."
        case .activePeriodExceeded: "Records past their active period still in the active database instead of the intermediate archive."
        case .minor: "Birth dates of people younger than the privacy policy's age floor."
        case .undeclaredDataset: "Personal data in a dataset that no declaration in trawl.yaml covers."
        }
    }

    private func json<T: Encodable>(_ value: T) -> String {
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private func string(_ s: String) -> String {
        var out = ""
        FindingJSON.appendString(s, to: &out)
        return out
    }

    public func begin(tool: ToolInfo) {
        var out = "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
        out += "\"tool\":{\"driver\":{\"name\":\"trawl\",\"version\":\(string(tool.version)),\"informationUri\":\"https://github.com/trawl-scanner/trawl\",\"rules\":["
        for (i, rule) in rules.enumerated() {
            if i > 0 { out += "," }
            out += "\n{\"id\":\(string(rule.id)),\"name\":\(string(rule.name)),"
            out += "\"shortDescription\":{\"text\":\(string(rule.name))},\"fullDescription\":{\"text\":\(string(rule.description))},"
            out += "\"help\":{\"text\":\(string(rule.description))},"
            out += "\"properties\":{\"security-severity\":\"\(String(format: "%.1f", rule.securitySeverity))\",\"tags\":[\"privacy\""
            if let category = rule.category { out += ",\(string(category))" }
            out += "]}}"
        }
        out += "]}},\"columnKind\":\"unicodeCodePoints\",\"results\":["
        sink.write(out)
    }

    /// A relative or absolute path as a URI reference (spaces and reserved characters escaped).
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "#?%")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    private func location(path: String, line: Int, column: Int, snippet: String?, logical: String?, kind: String) -> String {
        noteArtifact(path)
        var out = "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\(string(Self.uri(path)))}"
        if line > 0 {
            out += ",\"region\":{\"startLine\":\(line),\"startColumn\":\(max(1, column))"
            if let snippet { out += ",\"snippet\":{\"text\":\(string(snippet))}" }
            out += "}"
        }
        out += "}"
        if let logical { out += ",\"logicalLocations\":[{\"fullyQualifiedName\":\(string(logical)),\"kind\":\(string(kind))}]" }
        return out + "}"
    }

    private func emit(_ result: String) {
        sink.write((first ? "\n" : ",\n") + result)
        first = false
    }

    public func findings(_ findings: [Finding]) {
        for f in findings {
            let level = f.confidence == .high ? "error" : f.confidence == .medium ? "warning" : "note"
            var message = "\(f.category) found by \(f.detector)"
            if let field = f.field { message += " in \(field)" }
            message += ": \(f.masked)"
            var logical = f.field
            if let location = f.location { logical = (logical.map { $0 + " " } ?? "") + "(\(location))" }
            var out = "{\"ruleId\":\(string(f.detector)),\"ruleIndex\":\(ruleIndex[f.detector] ?? 0),\"level\":\"\(level)\","
            out += "\"message\":{\"text\":\(string(message))},\"locations\":["
            out += location(path: f.path, line: f.line, column: f.column, snippet: f.masked, logical: logical, kind: "member") + "],"
            if let fingerprint = f.fingerprint { out += "\"partialFingerprints\":{\"trawl/v1\":\(string(fingerprint))}," }
            out += "\"properties\":{\"category\":\(string(f.category)),\"confidence\":\"\(f.confidence)\",\"signals\":\(json(f.signals))"
            if let row = f.row { out += ",\"row\":\(row)" }
            out += "}}"
            emit(out)
        }
    }

    public func columns(_ columns: [ColumnStats]) {}

    public func baseline(_ report: BaselineReport) {}

    public func suppressions(_ report: SuppressionReport) {}

    public func violations(_ violations: [Violation]) {
        for v in violations {
            let id = "policy/\(v.kind.rawValue)"
            let level: String
            switch v.severity {
            case .critical, .high: level = "error"
            case .medium: level = "warning"
            case .low, .info: level = "note"
            }
            let logical = v.field ?? v.table
            var out = "{\"ruleId\":\(string(id)),\"ruleIndex\":\(ruleIndex[id] ?? 0),\"level\":\"\(level)\","
            out += "\"message\":{\"text\":\(string(v.message))},\"locations\":["
            out += location(path: v.path, line: 0, column: 0, snippet: nil, logical: logical, kind: v.field != nil ? "member" : "type") + "],"
            if let fingerprint = v.fingerprint { out += "\"partialFingerprints\":{\"trawl/v1\":\(string(fingerprint))}," }
            out += "\"properties\":{\"severity\":\"\(v.severity.rawValue)\",\"reference\":\(string(v.reference)),\"subjects\":\(json(v.subjects)),\"inferred\":\(v.inferred)"
            if let category = v.category { out += ",\"category\":\(string(category))" }
            out += "}}"
            emit(out)
        }
    }

    public func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) {
        var out = "\n],\"invocations\":[{\"executionSuccessful\":\(summary.complete),\"toolExecutionNotifications\":["
        for (i, e) in errors.enumerated() {
            if i > 0 { out += "," }
            out += "\n{\"level\":\"error\",\"message\":{\"text\":\(string("\(e.code.rawValue): \(e.message)"))},"
            out += "\"locations\":[" + location(path: e.path, line: e.line ?? 0, column: 1, snippet: nil, logical: nil, kind: "member") + "]}"
        }
        // Inputs whose content was left unread (binary, too large, not a regular file), as notes;
        // not the excluded ones, links and Trawl's own files, which can be whole trees.
        let unread: Set<SkippedInput.Reason> = [.binary, .tooLarge, .special]
        for (i, s) in skipped.filter({ unread.contains($0.reason) }).enumerated() {
            if i > 0 || !errors.isEmpty { out += "," }
            out += "\n{\"level\":\"note\",\"message\":{\"text\":\(string("skipped: \(s.reason.rawValue)"))},"
            out += "\"locations\":[" + location(path: s.path, line: 0, column: 1, snippet: nil, logical: nil, kind: "member") + "]}"
        }
        out += "]}]"
        if !artifacts.isEmpty {
            out += ",\"artifacts\":["
            for (i, a) in artifacts.enumerated() {
                out += (i > 0 ? ",\n" : "\n") + "{\"location\":{\"uri\":\(string(a.uri))}"
                if let parent = a.parent { out += ",\"parentIndex\":\(parent)" }
                out += "}"
            }
            out += "]"
        }
        out += "}]}\n"
        sink.write(out)
    }
}
