/// Column names of tables, learned from `CREATE TABLE` statements (in the dump itself, or in a
/// schema file given with `--sql-schema` for data-only dumps such as `sakila-data.sql`).
public struct SQLSchema: Sendable {
    /// Lower-cased qualified name (`public.customer`) and bare name (`customer`) -> columns.
    private var tables: [String: [String]] = [:]

    public init() {}

    public var isEmpty: Bool { tables.isEmpty }

    public mutating func define(table: [String], columns: [String]) {
        guard let last = table.last, !columns.isEmpty else { return }
        tables[table.joined(separator: ".").lowercased()] = columns
        tables[last.lowercased()] = columns
    }

    /// Columns for a table as an `INSERT` or `COPY` names it: qualified first, then bare.
    public func columns(of table: [String]) -> [String]? {
        if let exact = tables[table.joined(separator: ".").lowercased()] { return exact }
        guard let last = table.last else { return nil }
        return tables[last.lowercased()]
    }

    public mutating func merge(_ other: SQLSchema) {
        tables.merge(other.tables) { _, new in new }
    }

    /// Reads the `CREATE TABLE` statements of a SQL file (its data, if any, is ignored).
    public static func load(path: String) throws(InputError) -> SQLSchema {
        let input = try BufferedInput(source: try FileSource(path: path))
        let reader = SQLReader(input: input, path: path)
        reader.schemaOnly = true
        var batch = TextBatch()
        while try reader.fill(&batch) { batch.removeAll() }
        if let problem = reader.problems.first { throw problem }
        return reader.schema
    }
}
