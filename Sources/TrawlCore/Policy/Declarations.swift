import Foundation
import Yams

/// What each dataset is for (`trawl.yaml`, `schema: trawl.config/v1`): which subjects and
/// purposes it serves, where its dates and consent are, and whether it is the active database or
/// the intermediate archive.
///
///     schema: trawl.config/v1
///     datasets:
///       - match: "dumps/plateforme.sql#apprenants"   # file#table; globs allowed on both sides
///         subjects: [students]
///         purposes: [user-accounts, administrative-management]
///         consent_field: consentement_statut
///         storage: active                            # or intermediate
///         dates: { account-inactivity: last_login_at }
///       - match: { table: "newsletter_*" }
public struct DatasetDeclaration: Sendable, Codable, Equatable {
    public enum Storage: String, Sendable, Codable { case active, intermediate }

    public struct Match: Sendable, Codable, Equatable {
        /// Path glob, relative to the config file's folder (`exports/*.csv`, `**/etudiants.csv`).
        public var path: String?
        /// Table, sheet or JSON root name glob (`apprenants`, `newsletter_*`).
        public var table: String?

        public init(path: String? = nil, table: String? = nil) {
            self.path = path
            self.table = table
        }

        /// `"file#table"`, `"file"` or `{path:, table:}`.
        public init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                if let hash = text.lastIndex(of: "#") {
                    path = String(text[..<hash])
                    table = String(text[text.index(after: hash)...])
                } else {
                    path = text
                }
                if path?.isEmpty == true { path = nil }
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decodeIfPresent(String.self, forKey: .path)
            table = try c.decodeIfPresent(String.self, forKey: .table)
        }

        enum CodingKeys: String, CodingKey { case path, table }

        /// How specific the match is: a table and a path beat a table alone, which beats a path alone;
        /// literal text beats wildcards.
        var specificity: Int {
            func literal(_ s: String?) -> Int { s.map { $0.filter { !"*?[]".contains($0) }.count } ?? 0 }
            return (table != nil ? 2_000_000 : 0) + (path != nil ? 1_000_000 : 0) + literal(path) + literal(table)
        }
    }

    public var match: Match
    public var subjects: [String]
    public var purposes: [String]
    public var consentField: String?
    public var storage: Storage?
    /// Retention event id -> column holding that date.
    public var dates: [String: String]?

    enum CodingKeys: String, CodingKey {
        case match, subjects, purposes
        case consentField = "consent_field"
        case storage, dates
    }

    public init(match: Match, subjects: [String], purposes: [String], consentField: String? = nil, storage: Storage? = nil, dates: [String: String]? = nil) {
        self.match = match
        self.subjects = subjects
        self.purposes = purposes
        self.consentField = consentField
        self.storage = storage
        self.dates = dates
    }
}

public struct ProjectConfig: Sendable, Codable, Equatable {
    public static let schemaID = "trawl.config/v1"
    public var schema: String
    public var datasets: [DatasetDeclaration]
    /// Findings and violations accepted on purpose, by fingerprint (with a reason, maybe an expiry).
    public var allow: [Suppressions.Allow]?
    /// Folder the path globs are relative to (the config file's folder).
    public var root: String = ""

    enum CodingKeys: String, CodingKey { case schema, datasets, allow }

    public init(datasets: [DatasetDeclaration], root: String = "") {
        self.schema = Self.schemaID
        self.datasets = datasets
        self.root = root
    }

    public static func load(path: String) throws -> ProjectConfig {
        let text: String
        do { text = try FileSource.readText(path: path) } catch {
            throw PolicyLoadError(issues: [PolicyIssue(file: path, severity: .error, code: "unreadable", message: "cannot read the config: \(error.message)")])
        }
        do {
            var config = try YAMLDecoder().decode(ProjectConfig.self, from: text)
            guard config.schema == schemaID else {
                throw PolicyLoadError(issues: [PolicyIssue(file: path, line: 1, severity: .error, code: "schema",
                    message: "unknown schema '\(config.schema)': this version of Trawl reads \(schemaID)")])
            }
            config.root = (path as NSString).deletingLastPathComponent
            return config
        } catch let error as DecodingError {
            let (where_, message) = PolicyDocument.describe(error)
            throw PolicyLoadError(issues: [PolicyIssue(file: path, severity: .error, code: "schema", message: where_.isEmpty ? message : message)])
        }
    }

    /// The most specific declaration covering a dataset, or nil.
    public func declaration(path: String, table: String?) -> DatasetDeclaration? {
        let relative = Self.relative(path, to: root)
        var best: DatasetDeclaration?
        for d in datasets {
            if let glob = d.match.path, !Self.glob(glob, matchesPath: relative) { continue }
            if let glob = d.match.table {
                guard let table, Self.glob(glob, matches: Self.bareTable(table)) || Self.glob(glob, matches: table) else { continue }
            }
            if d.match.path == nil && d.match.table == nil { continue }
            if best == nil || d.match.specificity > best!.match.specificity { best = d }  // safe: checked for nil first
        }
        return best
    }

    /// `public.customer` -> `customer`.
    static func bareTable(_ table: String) -> String {
        table.split(separator: ".").last.map(String.init) ?? table
    }

    static func relative(_ path: String, to root: String) -> String {
        var p = path
        if !root.isEmpty, root != ".", p.hasPrefix(root + "/") { p = String(p.dropFirst(root.count + 1)) }
        while p.hasPrefix("./") { p = String(p.dropFirst(2)) }
        return p
    }

    /// A path glob: `*` within a component, `**` across components; a pattern without `/` matches
    /// the last component (or archive member name) too.
    static func glob(_ pattern: String, matchesPath path: String) -> Bool {
        if glob(pattern, matches: path) { return true }
        if !pattern.contains("/") {
            let last = path.split(whereSeparator: { $0 == "/" }).last.map(String.init) ?? path
            return glob(pattern, matches: last)
        }
        return false
    }

    static func glob(_ pattern: String, matches text: String) -> Bool {
        fnmatch(pattern.replacingOccurrences(of: "**", with: "*"), text, 0) == 0
    }
}
