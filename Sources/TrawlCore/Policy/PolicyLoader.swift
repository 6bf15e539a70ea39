import Foundation
import Yams

/// A problem in a policy file, with where it is: what `trawl policy lint` prints.
public struct PolicyIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int?
    public var column: Int?
    public var severity: Severity
    /// Stable code: `schema`, `dangling-reference`, `duplicate-id`, `purpose-without-retention`...
    public var code: String
    public var message: String

    public var description: String {
        let position = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
        return "\(file)\(position): \(severity.rawValue): \(message) [\(code)]"
    }
}

/// A policy that failed to load: every schema error found, each with file, line and column.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    public var issues: [PolicyIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Loads `trawl.policy/v1` YAML and keeps the parsed node tree, so any later problem can be
/// placed at a line and column.
public struct PolicyDocument: Sendable {
    public let policy: Policy
    public let file: String
    /// Marks of the nodes by coding path (`purposes.3.subjects.1`).
    let marks: [String: (line: Int, column: Int)]

    /// The built-in policy: the encoded seed (`Policies/openclassrooms.yaml`).
    public static func builtin() throws -> PolicyDocument {
        guard let url = Bundle.module.url(forResource: "openclassrooms", withExtension: "yaml", subdirectory: "Policies") else {
            throw PolicyLoadError(issues: [PolicyIssue(file: "openclassrooms.yaml", severity: .error, code: "missing",
                                                       message: "the built-in policy is missing from the build")])
        }
        return try load(path: url.path, displayName: "built-in policy (openclassrooms.yaml)")
    }

    public static func load(path: String, displayName: String? = nil) throws -> PolicyDocument {
        let name = displayName ?? path
        let text: String
        do {
            text = try FileSource.readText(path: path)
        } catch {
            throw PolicyLoadError(issues: [PolicyIssue(file: name, severity: .error, code: "unreadable",
                                                       message: "cannot read the policy file: \(error.message)")])
        }
        return try parse(text, file: name)
    }

    public static func parse(_ text: String, file: String) throws -> PolicyDocument {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyLoadError(issues: [PolicyIssue(file: file, line: 1, column: 1, severity: .error, code: "schema", message: "the file is empty")])
            }
            root = node
        } catch let error as YamlError {
            throw PolicyLoadError(issues: [Self.issue(from: error, file: file)])
        }
        var marks: [String: (line: Int, column: Int)] = [:]
        Self.collectMarks(root, path: "", into: &marks)
        let place = { (path: String) in Self.position(of: path, in: marks) }
        if case .mapping(let mapping) = root, let schema = mapping["schema"]?.string, schema != Policy.schemaID {
            let (line, column) = place("schema")
            throw PolicyLoadError(issues: [PolicyIssue(file: file, line: line, column: column, severity: .error, code: "schema",
                message: "unknown schema '\(schema)': this version of Trawl reads \(Policy.schemaID)")])
        }
        do {
            let policy = try YAMLDecoder().decode(Policy.self, from: text)
            return PolicyDocument(policy: policy, file: file, marks: marks)
        } catch let error as DecodingError {
            let (path, message) = Self.describe(error)
            let (line, column) = place(path)
            throw PolicyLoadError(issues: [PolicyIssue(file: file, line: line, column: column, severity: .error, code: "schema", message: message)])
        }
    }

    /// Line and column of the node at a coding path, or of its nearest ancestor.
    public func position(of path: String) -> (line: Int?, column: Int?) {
        Self.position(of: path, in: marks)
    }

    static func position(of path: String, in marks: [String: (line: Int, column: Int)]) -> (line: Int?, column: Int?) {
        var p = path
        while true {
            if let m = marks[p] { return (m.line, m.column) }
            guard let dot = p.lastIndex(of: ".") else { return (marks[""]?.line, marks[""]?.column) }
            p = String(p[..<dot])
        }
    }

    static func collectMarks(_ node: Node, path: String, into marks: inout [String: (line: Int, column: Int)]) {
        if let mark = node.mark { marks[path] = (mark.line, mark.column) }
        let prefix = path.isEmpty ? "" : path + "."
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                if let mark = key.mark { marks[prefix + name] = (mark.line, mark.column) }
                collectMarks(value, path: prefix + name, into: &marks)
                if let mark = key.mark { marks[prefix + name] = (mark.line, mark.column) }
            }
        case .sequence(let sequence):
            for (i, item) in sequence.enumerated() { collectMarks(item, path: prefix + String(i), into: &marks) }
        default:
            break
        }
    }

    static func describe(_ error: DecodingError) -> (path: String, message: String) {
        func join(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let path = join(context.codingPath)
            return (path, "missing key '\(key.stringValue)'" + (path.isEmpty ? "" : " in \(path)"))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return (join(context.codingPath), "\(join(context.codingPath)): \(context.debugDescription)")
        case .dataCorrupted(let context):
            return (join(context.codingPath), "\(join(context.codingPath)): \(context.debugDescription)")
        @unknown default:
            return ("", "\(error)")
        }
    }

    static func issue(from error: YamlError, file: String) -> PolicyIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return PolicyIssue(file: file, line: mark.line, column: mark.column, severity: .error, code: "yaml", message: "not valid YAML: \(problem)")
        default:
            return PolicyIssue(file: file, severity: .error, code: "yaml", message: "not valid YAML: \(error)")
        }
    }
}
