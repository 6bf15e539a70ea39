import ArgumentParser
import Foundation
import TrawlCore

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check a privacy policy file, or show what it allows.",
        subcommands: [LintPolicy.self, ShowPolicy.self]
    )

    /// The policy at `path`, or the built-in one; a file that does not load prints its issues.
    static func load(_ path: String?) throws -> PolicyDocument {
        do {
            return try path.map { try PolicyDocument.load(path: $0) } ?? PolicyDocument.builtin()
        } catch let error as PolicyLoadError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw TrawlExit.findings
        }
    }
}

struct LintPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report schema errors, dangling references and the policy's own gaps.",
        discussion: "Exit 0 when the policy can be applied (warnings are the text's own gaps), 1 when it has errors or, with --strict, warnings.")

    @Argument(help: "The policy file (default: the built-in policy).")
    var file: String?

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run() throws {
        let document = try PolicyCommand.load(file)
        let issues = PolicyLinter.lint(document)
        for issue in issues { print(issue.description) }
        let errors = issues.filter { $0.severity == .error }.count
        let p = document.policy
        print("\(document.file): \(p.purposes.filter { $0.parent == nil }.count) purposes (\(p.purposes.count) with sub-purposes), "
              + "\(p.retention.count) retention rows, \(p.subjects.count) subjects, \(p.categories.count) categories, \(p.rules.count) rules; "
              + "\(errors) error(s), \(issues.count - errors) warning(s)")
        if errors > 0 || (strict && !issues.isEmpty) { throw TrawlExit.findings }
    }
}

struct ShowPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what the policy allows: for a subject, a purpose or a category (ids, aliases or category keys).")

    @Option(help: "The policy file (default: the built-in policy).")
    var policy: String?

    @Option(help: "A subject id or alias (students, etudiants, mentors...).")
    var subject: String?

    @Option(help: "A purpose id.")
    var purpose: String?

    @Option(help: "A category id (a parent key such as user.government_id covers its children).")
    var category: String?

    func validate() throws {
        if [subject, purpose, category].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --subject, --purpose, --category")
        }
    }

    func run() throws {
        let p = try PolicyCommand.load(policy).policy
        if let subject {
            guard let s = p.subjects.first(where: { $0.id == subject || $0.aliases.contains(subject.lowercased()) }) else {
                throw ValidationError("no subject '\(subject)'; subjects: \(p.subjects.map(\.id).joined(separator: ", "))")
            }
            print(PolicyText.subject(s, in: p), terminator: "")
        } else if let purpose {
            guard let q = p.purpose(purpose) else {
                throw ValidationError("no purpose '\(purpose)'; see `trawl policy show` for the list")
            }
            print(PolicyText.purpose(q, in: p), terminator: "")
        } else if let category {
            print(PolicyText.category(category, in: p), terminator: "")
        } else {
            print(PolicyText.overview(p), terminator: "")
        }
    }
}

/// Plain-text views of a policy for people writing dataset declarations.
enum PolicyText {
    static func overview(_ p: Policy) -> String {
        var out = "\(p.name)\(p.version.map { " (\($0))" } ?? "")\n\nSubjects\n"
        for s in p.subjects {
            out += "  \(s.id) — \(s.label): \(s.categories.count) categories; aliases \(s.aliases.prefix(6).joined(separator: ", "))\(s.aliases.count > 6 ? "…" : "")\n"
        }
        for basis in Policy.LegalBasis.allCases {
            let purposes = p.purposes.filter { $0.basis == basis }
            out += "\nPurposes based on \(basis.rawValue) (\(purposes.filter { $0.parent == nil }.count))\n"
            for q in purposes { out += "  \(q.parent == nil ? "" : "  ")\(q.id) — \(q.label)\n" }
        }
        out += "\n\(p.retention.count) retention rows, \(p.rules.count) rules, \(p.categories.count) categories. "
        out += "Use --subject, --purpose or --category for details.\n"
        return out
    }

    static func subject(_ s: Policy.Subject, in p: Policy) -> String {
        var out = "\(s.label) (\(s.id))\n"
        if let passage = s.passage { out += "  “\(passage)”\n" }
        out += "  aliases: \(s.aliases.joined(separator: ", "))\n\nDocumented categories\n"
        for c in s.categories {
            var line = "  \(c.category)"
            if let wording = c.wording { line += " — \(wording)" }
            if c.documented != .main { line += " [\(c.documented.rawValue)]" }
            if let condition = c.condition { line += " (\(condition))" }
            out += line + "\n"
        }
        let purposes = p.purposes.filter { $0.subjects.contains(s.id) }
        out += "\nPurposes (\(purposes.count))\n"
        for q in purposes { out += "  \(q.id) [\(q.basis.rawValue)] — \(q.label)\n" }
        let rules = p.rules.filter { $0.subjects?.contains(s.id) == true }
        if !rules.isEmpty {
            out += "\nRules naming this subject\n"
            for r in rules { out += "  \(r.id): \(r.categories?.joined(separator: ", ") ?? "")\(r.requiresConsent == true ? " (with consent)" : "")\n" }
        }
        return out
    }

    static func purpose(_ q: Policy.Purpose, in p: Policy) -> String {
        var out = "\(q.label) (\(q.id))\n  legal basis: \(q.basis.rawValue)\n"
        if let parent = q.parent { out += "  part of: \(parent)\n" }
        out += "  subjects: \(q.subjects.joined(separator: ", "))\n  categories: \(q.categories.joined(separator: ", "))\n"
        if let id = q.retention, let row = p.retentionRow(id) {
            out += "\nRetention (\(row.label))\n"
            out += "  active database: \(row.active.text)\(row.active.duration.flatMap(PolicyDuration.init).map { " [\($0)]" } ?? "")\n"
            out += "  intermediate archive: \(row.intermediate.text)"
            if let d = row.intermediate.duration.flatMap(PolicyDuration.init) { out += " [\(d)\(row.intermediate.from.map { " from \($0)" } ?? "")]" }
            out += "\n  date fields: \(row.dateFields.joined(separator: ", "))\n"
        } else {
            out += "\nRetention: the policy gives no retention period for this purpose.\n"
        }
        return out
    }

    static func category(_ id: String, in p: Policy) -> String {
        let entry = p.category(covering: id)
        var out = "\(id)\(entry.map { " — \($0.label), tier \($0.tier.rawValue)" } ?? " — not in the policy's categories")\n"
        let subjects = p.subjects.filter { s in s.categories.contains { Policy.covers($0.category, id) || Policy.covers(id, $0.category) } }
        out += subjects.isEmpty ? "\nDocumented for no subject: finding it is a violation.\n" : "\nDocumented for\n"
        for s in subjects {
            for c in s.categories where Policy.covers(c.category, id) || Policy.covers(id, c.category) {
                out += "  \(s.id) (\(c.category)\(c.condition.map { ", \($0)" } ?? ""))\n"
            }
        }
        let purposes = p.purposes.filter { q in q.categories.contains { Policy.covers($0, id) || Policy.covers(id, $0) } }
        if !purposes.isEmpty {
            out += "\nNeeded by\n"
            for q in purposes { out += "  \(q.id) [\(q.basis.rawValue)]\n" }
        }
        let rules = p.rules.filter { r in (r.categories ?? []).contains { Policy.covers($0, id) || Policy.covers(id, $0) } }
        for r in rules {
            out += "\nRule \(r.id): only \(r.subjects?.joined(separator: ", ") ?? "nobody")\(r.requiresConsent == true ? ", with consent" : "")\n  “\(r.passage)”\n"
        }
        return out
    }
}
