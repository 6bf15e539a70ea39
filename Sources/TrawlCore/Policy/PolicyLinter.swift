/// `trawl policy lint`: references that point nowhere and duplicate ids (errors: the policy cannot
/// be applied), and the policy text's own gaps (warnings: a purpose without a retention period, a
/// retention row without a purpose, a category documented for nobody, age floors that disagree).
public enum PolicyLinter {
    public static func lint(_ document: PolicyDocument) -> [PolicyIssue] {
        let p = document.policy
        var issues: [PolicyIssue] = []
        func add(_ severity: PolicyIssue.Severity, _ code: String, _ path: String, _ message: String) {
            let (line, column) = document.position(of: path)
            issues.append(PolicyIssue(file: document.file, line: line, column: column, severity: severity, code: code, message: message))
        }

        // Duplicate ids.
        func duplicates(_ ids: [String], _ section: String) {
            var seen: Set<String> = []
            for (i, id) in ids.enumerated() where !seen.insert(id).inserted {
                add(.error, "duplicate-id", "\(section).\(i).id", "\(section): id '\(id)' is defined twice")
            }
        }
        duplicates(p.ageFloors.map(\.id), "age_floors")
        duplicates(p.categories.map(\.id), "categories")
        duplicates(p.subjects.map(\.id), "subjects")
        duplicates(p.purposes.map(\.id), "purposes")
        duplicates(p.retention.map(\.id), "retention")
        duplicates(p.rules.map(\.id), "rules")

        let categories = Set(p.categories.map(\.id))
        let subjects = Set(p.subjects.map(\.id))
        let purposes = Set(p.purposes.map(\.id))
        let rows = Set(p.retention.map(\.id))
        let floors = Set(p.ageFloors.map(\.id))
        func check(_ id: String, in set: Set<String>, kind: String, at path: String) {
            if !set.contains(id) { add(.error, "dangling-reference", path, "\(kind) '\(id)' is not defined") }
        }

        var aliasOwner: [String: String] = [:]
        for (s, subject) in p.subjects.enumerated() {
            for (c, documented) in subject.categories.enumerated() {
                check(documented.category, in: categories, kind: "category", at: "subjects.\(s).categories.\(c).category")
            }
            for (a, alias) in subject.aliases.enumerated() {
                let key = alias.lowercased()
                if let owner = aliasOwner[key], owner != subject.id {
                    add(.error, "ambiguous-alias", "subjects.\(s).aliases.\(a)", "alias '\(alias)' names both '\(owner)' and '\(subject.id)'")
                }
                aliasOwner[key] = subject.id
            }
        }
        for (i, purpose) in p.purposes.enumerated() {
            for (k, s) in purpose.subjects.enumerated() { check(s, in: subjects, kind: "subject", at: "purposes.\(i).subjects.\(k)") }
            for (k, c) in purpose.categories.enumerated() { check(c, in: categories, kind: "category", at: "purposes.\(i).categories.\(k)") }
            if let parent = purpose.parent { check(parent, in: purposes, kind: "purpose", at: "purposes.\(i).parent") }
            if let row = purpose.retention {
                check(row, in: rows, kind: "retention row", at: "purposes.\(i).retention")
                if let r = p.retentionRow(row), !r.purposes.contains(purpose.id) {
                    add(.warning, "retention-link-mismatch", "purposes.\(i).retention",
                        "purpose '\(purpose.id)' points at retention row '\(row)', which does not list it back")
                }
            } else if purpose.parent == nil {
                add(.warning, "purpose-without-retention", "purposes.\(i)",
                    "purpose '\(purpose.label)' has no retention period in section 6 of the policy")
            }
        }
        for (i, row) in p.retention.enumerated() {
            for (k, id) in row.purposes.enumerated() { check(id, in: purposes, kind: "purpose", at: "retention.\(i).purposes.\(k)") }
            if row.purposes.isEmpty {
                add(.warning, "retention-without-purpose", "retention.\(i)",
                    "retention row '\(row.label)' matches no purpose of section 2")
            }
            for (name, period) in [("active", row.active), ("intermediate", row.intermediate)] {
                let durations = [period.duration] + (period.alternatives ?? []).map(\.duration)
                for case let text? in durations where PolicyDuration(text) == nil {
                    add(.error, "bad-duration", "retention.\(i).\(name)", "'\(text)' is not an ISO-8601 period such as P2Y or P13M")
                }
            }
        }
        for (i, rule) in p.rules.enumerated() {
            switch rule.kind {
            case .ageFloor:
                if let floor = rule.floor { check(floor, in: floors, kind: "age floor", at: "rules.\(i).floor") }
                else { add(.error, "schema", "rules.\(i)", "age-floor rule '\(rule.id)' needs a floor") }
            case .restrictCategory:
                for (k, c) in (rule.categories ?? []).enumerated() { check(c, in: categories, kind: "category", at: "rules.\(i).categories.\(k)") }
                for (k, s) in (rule.subjects ?? []).enumerated() { check(s, in: subjects, kind: "subject", at: "rules.\(i).subjects.\(k)") }
                if (rule.categories ?? []).isEmpty { add(.error, "schema", "rules.\(i)", "restrict-category rule '\(rule.id)' names no category") }
            }
        }

        // The text's own gaps.
        let documented = p.subjects.flatMap { $0.categories.map(\.category) }
        for (i, category) in p.categories.enumerated()
        where !documented.contains(where: { Policy.covers(category.id, $0) || Policy.covers($0, category.id) }) {
            add(.warning, "documented-for-nobody", "categories.\(i)",
                "category '\(category.id)' (\(category.label)) is documented for no subject: finding it is always a violation")
        }
        let years = Set(p.ageFloors.map(\.years))
        if years.count > 1 {
            let list = p.ageFloors.map { "\($0.years) (\($0.id), \($0.scope.rawValue))" }.joined(separator: ", ")
            add(.warning, "conflicting-age-floors", "age_floors", "the policy states different age floors: \(list)")
        }
        return issues
    }
}
