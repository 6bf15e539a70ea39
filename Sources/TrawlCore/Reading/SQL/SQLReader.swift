/// SQL dumps, streamed: mysqldump (extended `INSERT`s on one huge line, backslash escapes,
/// `_binary`/`0x` literals), pg_dump plain format (`COPY ... FROM stdin` blocks, `--inserts`,
/// `--column-inserts`), sqlite3 `.dump`, and the generated scripts of SQL Server, Oracle and Db2.
///
/// Every value of an `INSERT` tuple or a `COPY` row becomes one cell whose field is
/// `table.column` (schema-qualified when the dump qualifies the table), whose line is the
/// physical line where the value starts and whose row is its 1-based index within the table.
/// Column names come from the statement's column list, else from a `CREATE TABLE` seen earlier
/// in the dump or in a `--sql-schema` file, else they are positional (`actor.#3`).
///
/// The reader never holds a statement in memory: it resumes between values, inside a string
/// literal, or inside a `COPY` field, so a 300 MB `INSERT` line costs a few megabytes.
public final class SQLReader: CellReader {
    let input: BufferedInput
    let path: String
    public private(set) var problems: [InputError] = []
    /// Tables whose columns are known so far (preloaded schema + `CREATE TABLE`s read).
    public private(set) var schema: SQLSchema
    /// Only learn `CREATE TABLE`s; skip the data (loading a `--sql-schema` file).
    var schemaOnly = false

    /// Position of `input.byte(at: 0)`.
    private var position = TextPosition()
    /// Whether `\` escapes in strings: MySQL (true), PostgreSQL standard strings, SQL Server,
    /// Oracle, SQLite (false). Unknown until the dump shows its dialect; MySQL's rule by default.
    private var backslashEscapes: Bool?
    /// True when a newline was skipped before the current token (statement starts without `;`).
    private var tokenStartsLine = true
    private var rowCounts: [String: Int] = [:]
    private var builder = CellBuilder()

    private enum Mode { case top, tuples, copy, done }
    private var mode = Mode.top
    private var table = TableContext()
    /// The field id of each column of `table` in the batch (apart from `table`: looking one up
    /// reads the table's names).
    private var tableIDs = FieldIDCache()
    private var tuple = TupleState()
    private var copy = CopyState()

    private struct TableContext {
        var display = ""
        var fieldNames: [String] = []
        /// Rows read so far (`rowCounts` keeps the count of the tables left).
        var rows = 0

        func field(_ index: Int) -> String {
            index < fieldNames.count ? fieldNames[index] : "\(display).#\(index + 1)"
        }
    }

    private enum StringKind { case quoted(escapes: Bool, quote: UInt8), hex }

    private struct TupleState {
        enum Phase { case expectTuple, inTuple, afterTuple }
        var phase = Phase.expectTuple
        var column = 0
        var row = 0
        /// Parenthesis depth inside the current value (function calls such as `TO_DATE(...)`).
        var depth = 0
        /// For each open call: its name and whether its first string literal was taken.
        var calls: [(name: String, taken: Bool)] = []
        var pendingCall = ""
        var string: StringKind?
        var capturing = false
        /// The string is `_binary '…'`: its escapes give exact bytes (`\0` is NUL, not a space),
        /// so that a file held in it reaches the scanner intact.
        var exactBytes = false
        var started = false
    }

    private struct CopyState {
        var atLineStart = true
        var inField = false
        var column = 0
        var row = 0
    }

    public init(input: BufferedInput, path: String, schema: SQLSchema = SQLSchema()) {
        self.input = input
        self.path = path
        self.schema = schema
    }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        while batch.byteCount < BatchLimits.bytes {
            switch mode {
            case .done: return false
            case .top: try statement(&batch)
            case .tuples: try tuples(&batch)
            case .copy: try copyData(&batch)
            }
        }
        return mode != .done
    }

    // MARK: - Bytes

    @inline(__always)
    private func peek(_ k: Int = 0) throws(InputError) -> UInt8? {
        if input.available <= k {
            try input.ensure(k + 1)
            if input.available <= k { return nil }
        }
        return input.byte(at: k)
    }

    @inline(__always)
    private func advance() {
        position.advance(over: input.byte(at: 0))
        input.consume(1)
    }

    private func advance(_ n: Int) { for _ in 0..<n { advance() } }

    /// Skips blanks and comments; false at end of input.
    private func skipSpace() throws(InputError) -> Bool {
        tokenStartsLine = false
        while let b = try peek() {
            switch b {
            case 0x0A:
                tokenStartsLine = true
                advance()
            case 0x20, 0x09, 0x0D, 0x0C:
                advance()
            case 0x2D where try peek(1) == 0x2D:  // -- comment
                while let c = try peek(), c != 0x0A { advance() }
            case 0x23 where backslashEscapes != false && mode == .top:  // # comment (MySQL)
                while let c = try peek(), c != 0x0A { advance() }
            case 0x2F where try peek(1) == 0x2A:  // /* comment */ and MySQL's /*! ... */
                if try peek(2) == 0x21, backslashEscapes == nil { backslashEscapes = true }
                advance(2)
                while true {
                    guard let c = try peek() else { return false }
                    if c == 0x2A, try peek(1) == 0x2F { advance(2); break }
                    if c == 0x0A { tokenStartsLine = true }
                    advance()
                }
            default:
                return true
            }
        }
        return false
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x24 || b == 0x23 || b == 0x40 || b >= 0x80
    }

    private static func isWordStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x40 || b == 0x23 || b >= 0x80
    }

    /// Reads a bare word (identifier or keyword), capped at 256 bytes.
    private func word() throws(InputError) -> String {
        var bytes: [UInt8] = []
        while let b = try peek(), Self.isWordByte(b) {
            if bytes.count < 256 { bytes.append(b) }
            advance()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads an identifier quoted with `"`, backticks or `[ ]` (doubled closer = literal).
    private func quotedIdentifier() throws(InputError) -> String {
        guard let open = try peek() else { return "" }
        let close: UInt8 = open == 0x5B ? 0x5D : open
        if open == 0x60, backslashEscapes == nil { backslashEscapes = true }
        if open == 0x5B, backslashEscapes == nil { backslashEscapes = false }
        advance()
        var bytes: [UInt8] = []
        while let b = try peek() {
            advance()
            if b == close {
                if try peek() == close { advance() } else { break }
            }
            if bytes.count < 256 { bytes.append(b) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        Self.isWordStart(b) || b == 0x22 || b == 0x60 || (b == 0x5B && backslashEscapes != true)
    }

    /// An identifier, bare or quoted; nil when the next token is not one.
    private func identifier() throws(InputError) -> (name: String, quoted: Bool)? {
        guard try skipSpace(), let b = try peek(), isIdentifierStart(b) else { return nil }
        if Self.isWordStart(b) { return (try word(), false) }
        return (try quotedIdentifier(), true)
    }

    /// `schema.table` or `table`, each part bare or quoted.
    private func qualifiedName() throws(InputError) -> [String]? {
        guard let first = try identifier() else { return nil }
        var parts = [first.name]
        while try peek() == 0x2E {
            advance()
            guard let b = try peek(), isIdentifierStart(b) else { break }
            parts.append(Self.isWordStart(b) ? try word() : try quotedIdentifier())
        }
        return parts
    }

    /// Skips a string literal whose opening quote is next (not captured).
    private func skipString(escapes: Bool) throws(InputError) {
        guard let quote = try peek() else { return }
        advance()
        while let b = try peek() {
            if b == 0x5C, escapes {
                advance()
                if try peek() != nil { advance() }
                continue
            }
            advance()
            if b == quote {
                if try peek() == quote { advance() } else { return }
            }
        }
    }

    /// Skips a PostgreSQL dollar-quoted body (`$$ ... $$`, `$fn$ ... $fn$`) if one starts here.
    private func skipDollarQuoted() throws(InputError) -> Bool {
        var tag: [UInt8] = [0x24]
        var k = 1
        while let b = try peek(k), b != 0x24 {
            guard Self.isWordByte(b), b != 0x24, k < 64, !(k == 1 && b >= 0x30 && b <= 0x39) else { return false }
            tag.append(b)
            k += 1
        }
        guard try peek(k) == 0x24 else { return false }
        tag.append(0x24)
        advance(tag.count)
        while try peek() != nil {
            var matched = true
            for (i, t) in tag.enumerated() where try peek(i) != t { matched = false; break }
            if matched { advance(tag.count); return true }
            advance()
        }
        return true
    }

    private static let stringPrefixes: Set<String> = ["n", "e", "x", "b", "_binary", "_utf8", "_utf8mb4", "_latin1", "_ascii", "u&"]

    private func defaultEscapes() -> Bool { backslashEscapes ?? true }

    // MARK: - Statements

    private static let statementStarts: Set<String> = [
        "insert", "replace", "create", "copy", "go", "alter", "drop", "set", "lock", "unlock", "begin", "commit",
        "use", "delete", "update", "grant", "revoke", "comment", "select", "pragma", "declare", "print", "exec",
        "execute", "if", "truncate", "start", "end", "rollback", "savepoint", "analyze", "vacuum", "reindex",
    ]

    private func statement(_ batch: inout TextBatch) throws(InputError) {
        guard try skipSpace(), let b = try peek() else { mode = .done; return }
        guard Self.isWordStart(b) else {
            try skipStatement()
            return
        }
        let keyword = try word().lowercased()
        switch keyword {
        case "insert", "replace":
            try insertHeader()
        case "copy":
            if backslashEscapes == nil { backslashEscapes = false }
            try copyHeader()
        case "create":
            try createStatement()
        case "go", "pragma":
            if backslashEscapes == nil { backslashEscapes = false }
            if keyword == "pragma" { try skipStatement(continuing: true) }
        case "lock":
            if backslashEscapes == nil { backslashEscapes = true }
            try skipStatement(continuing: true)
        default:
            // The keyword is read: `BEGIN` or `COMMIT` alone on its line ends here.
            try skipStatement(continuing: true)
        }
    }

    /// Skips to the end of the statement: a `;` outside strings and parentheses, or a word that
    /// starts a statement at the beginning of a line (scripts without semicolons, `GO` batches).
    /// `continuing`: the statement's head was already read, so even the next token may start
    /// a new statement (`CREATE TABLE t (...)` then `GO` on the next line).
    private func skipStatement(continuing: Bool = false) throws(InputError) {
        var depth = 0
        var first = !continuing
        while try skipSpace(), let b = try peek() {
            if !first, depth == 0, tokenStartsLine, Self.isWordStart(b) {
                // Look at the word without consuming it unless it is not a statement start.
                var k = 0
                var bytes: [UInt8] = []
                while let c = try peek(k), Self.isWordByte(c), k < 16 { bytes.append(c); k += 1 }
                if Self.statementStarts.contains(String(decoding: bytes, as: UTF8.self).lowercased()) { return }
            }
            first = false
            switch b {
            case 0x3B:
                advance()
                if depth == 0 { return }
            case 0x28: depth += 1; advance()
            case 0x29: depth = max(0, depth - 1); advance()
            case 0x27: try skipString(escapes: defaultEscapes())
            case 0x22, 0x60: _ = try quotedIdentifier()
            case 0x24:
                if try !skipDollarQuoted() { advance() }
            default:
                if Self.isWordStart(b) {
                    let w = try word().lowercased()
                    if w == "standard_conforming_strings" {
                        // `= on`: a backslash is a character; `= off`: it escapes.
                        while try skipSpace(), let c = try peek(), c == 0x3D || c == 0x27 { advance() }
                        var value = Self.isWordStart(try peek() ?? 0) ? try word().lowercased() : ""
                        if value == "to", try skipSpace(), Self.isWordStart(try peek() ?? 0) { value = try word().lowercased() }
                        if value == "on" || value == "off" { backslashEscapes = value == "off" }
                        continue
                    }
                    if try peek() == 0x27, Self.stringPrefixes.contains(w) {
                        try skipString(escapes: w == "e" ? true : (w.hasPrefix("_") ? defaultEscapes() : false))
                    }
                } else {
                    advance()
                }
            }
        }
    }

    private static let tableModifiers: Set<String> = ["or", "replace", "global", "local", "temporary", "temp", "unlogged", "virtual"]
    private static let constraintWords: Set<String> = [
        "constraint", "primary", "key", "unique", "foreign", "index", "check", "fulltext", "spatial", "exclude", "like", "period",
    ]

    /// `CREATE TABLE name (col type, ...)`: learns the column names.
    private func createStatement() throws(InputError) {
        var kind = ""
        while let id = try identifier() {
            let w = id.name.lowercased()
            if Self.tableModifiers.contains(w) { continue }
            kind = w
            break
        }
        guard kind == "table" else { try skipStatement(); return }
        var name = try qualifiedName()
        if name?.first?.lowercased() == "if" {  // IF NOT EXISTS
            _ = try identifier()
            _ = try identifier()
            name = try qualifiedName()
        }
        guard let table = name, try skipSpace(), try peek() == 0x28 else { try skipStatement(); return }
        advance()
        var columns: [String] = []
        var atElementStart = true
        var depth = 0
        while try skipSpace(), let b = try peek() {
            if atElementStart {
                atElementStart = false
                if isIdentifierStart(b) {
                    let quoted = !Self.isWordStart(b)
                    let id = quoted ? try quotedIdentifier() : try word()
                    if quoted || !Self.constraintWords.contains(id.lowercased()) { columns.append(id) }
                    continue
                }
            }
            switch b {
            case 0x28: depth += 1; advance()
            case 0x29:
                advance()
                if depth == 0 {
                    schema.define(table: table, columns: columns)
                    try skipStatement(continuing: true)
                    return
                }
                depth -= 1
            case 0x2C:
                advance()
                if depth == 0 { atElementStart = true }
            case 0x27: try skipString(escapes: defaultEscapes())
            case 0x22, 0x60: _ = try quotedIdentifier()
            case 0x3B:  // unbalanced: give up on this statement
                advance()
                return
            default:
                if Self.isWordStart(b) { _ = try word() } else { advance() }
            }
        }
    }

    private static let insertModifiers: Set<String> = ["low_priority", "delayed", "high_priority", "ignore", "into", "or", "replace", "abort", "fail", "rollback"]

    /// `INSERT [INTO] name [(cols)] VALUES`: sets up the table and switches to tuple reading.
    private func insertHeader() throws(InputError) {
        var name: [String]?
        while true {
            guard try skipSpace(), let b = try peek(), isIdentifierStart(b) else { break }
            if Self.isWordStart(b) {
                // Peek at modifiers without losing a bare table name.
                var k = 0
                var bytes: [UInt8] = []
                while let c = try peek(k), Self.isWordByte(c), k < 32 { bytes.append(c); k += 1 }
                if Self.insertModifiers.contains(String(decoding: bytes, as: UTF8.self).lowercased()) {
                    advance(k)
                    continue
                }
            }
            name = try qualifiedName()
            break
        }
        guard let table = name else { try skipStatement(); return }
        var columns: [String]?
        if try skipSpace(), try peek() == 0x28 {
            guard let list = try columnList() else { try skipStatement(); return }
            columns = list
        }
        // Words up to VALUES (`OVERRIDING SYSTEM VALUE`, an alias); anything else is skipped.
        while true {
            guard try skipSpace(), let b = try peek(), Self.isWordStart(b) else { try skipStatement(); return }
            let w = try word().lowercased()
            if w == "values" || w == "value" { break }
            if w == "select" || w == "default" || w == "set" { try skipStatement(); return }
        }
        if schemaOnly { try skipStatement(); return }
        begin(table: table, columns: columns ?? schema.columns(of: table))
        tuple = TupleState()
        mode = .tuples
    }

    /// `(a, "b", [c])` after a table name; nil when the list is not closed properly.
    private func columnList() throws(InputError) -> [String]? {
        advance()  // (
        var list: [String] = []
        while let id = try identifier() {
            list.append(id.name)
            guard try skipSpace(), try peek() == 0x2C else { break }
            advance()
        }
        guard try skipSpace(), try peek() == 0x29 else { return nil }
        advance()
        return list
    }

    private func begin(table: [String], columns: [String]?) {
        rowCounts[self.table.display] = self.table.rows
        let display = table.joined(separator: ".")
        self.table = TableContext(display: display, fieldNames: (columns ?? []).map { "\(display).\($0)" },
                                  rows: rowCounts[display, default: 0])
        tableIDs = FieldIDCache()
    }

    /// The next record number of the current table (its rows are counted across statements).
    private func nextRow() -> Int {
        table.rows += 1
        return table.rows
    }

    // MARK: - INSERT tuples

    private func tuples(_ batch: inout TextBatch) throws(InputError) {
        while batch.byteCount < BatchLimits.bytes {
            switch tuple.phase {
            case .expectTuple:
                guard try skipSpace(), let b = try peek() else { return endOfInputInStatement() }
                guard b == 0x28 else { mode = .top; return }  // not a tuple: let the top level cope
                advance()
                tuple.phase = .inTuple
                tuple.column = 0
                tuple.row = nextRow()
                startValue()
            case .afterTuple:
                guard try skipSpace(), let b = try peek() else { mode = .done; return }
                if b == 0x2C {
                    advance()
                    tuple.phase = .expectTuple
                } else {
                    if b == 0x3B { advance() }
                    mode = .top
                    return
                }
            case .inTuple:
                if try value(&batch) { return }  // suspended: the batch is full
            }
        }
    }

    private func endOfInputInStatement() {
        problems.append(InputError(path: path, code: .parseFailed,
            message: "the dump ends inside an INSERT into \(table.display) (truncated file?); the values before were scanned",
            line: position.line))
        mode = .done
    }

    private func startValue() {
        tuple.depth = 0
        tuple.calls.clear()
        tuple.pendingCall = ""
        tuple.string = nil
        tuple.started = false
        builder.begin(at: position, row: tuple.row)
        builder.anchored = true
    }

    /// Places the cell at the first thing captured.
    private func markStart() {
        if !tuple.started {
            tuple.started = true
            builder.position = position
        }
    }

    /// The field id of a column of the current table.
    private func columnID(_ column: Int, _ batch: inout TextBatch) -> Int32 {
        tableIDs.id(column, in: &batch, name: table.field(column), table: table.display)
    }

    private func endValue(_ batch: inout TextBatch) {
        let id = columnID(tuple.column, &batch)
        if tuple.started && !builder.isBlank {
            builder.finish(into: &batch, field: id)
        } else if builder.emitFrom == 0 {
            batch.appendEmpty(field: id)
        }
        tuple.column += 1
    }

    /// Reads the current tuple's values; true when suspended inside a long string or at the end
    /// of the input.
    private func value(_ batch: inout TextBatch) throws(InputError) -> Bool {
        while true {
            if let kind = tuple.string {
                if try stringBody(kind, &batch) { return true }
                continue
            }
            if tuple.depth == 0, !tuple.started, builder.bytes.isEmpty, builder.emitFrom == 0, input.available > 0 {
                let ended = input.withBytes { p -> Bool? in
                    let (taken, ended) = plainValues(p, &batch)
                    input.consume(taken)
                    return taken > 0 ? ended : nil
                }
                if let ended {
                    if ended { return false }
                    continue
                }
            }
            guard try skipSpace(), let b = try peek() else {
                if tuple.started { endValue(&batch) }
                endOfInputInStatement()
                return true
            }
            switch b {
            case 0x27:
                beginString(.quoted(escapes: defaultEscapes(), quote: 0x27))
            case 0x22 where backslashEscapes == true:  // MySQL without ANSI_QUOTES: a string
                beginString(.quoted(escapes: true, quote: 0x22))
            case 0x28:
                advance()
                tuple.depth += 1
                tuple.calls.append((tuple.pendingCall, false))
                tuple.pendingCall = ""
            case 0x29:
                advance()
                if tuple.depth == 0 {
                    endValue(&batch)
                    tuple.phase = .afterTuple
                    return false
                }
                tuple.depth -= 1
                tuple.calls.removeLast()
            case 0x2C:
                advance()
                if tuple.depth == 0 {
                    endValue(&batch)
                    startValue()
                }
            case 0x30...0x39, 0x2E, 0x2D, 0x2B:
                try number()
            default:
                if Self.isWordStart(b) {
                    let start = position
                    let w = try word()
                    let lower = w.lowercased()
                    if lower.hasPrefix("_"), Self.stringPrefixes.contains(lower), try skipSpace(), try peek() == 0x27 {
                        tuple.exactBytes = lower == "_binary"
                        beginString(.quoted(escapes: defaultEscapes(), quote: 0x27))  // _binary '...', _utf8mb4 '...'
                    } else if try peek() == 0x27, Self.stringPrefixes.contains(lower) {
                        beginString(lower == "x" || lower == "b" ? .hex : .quoted(escapes: lower == "e" ? true : (lower.hasPrefix("_") ? defaultEscapes() : false), quote: 0x27))
                    } else if try skipSpace(), try peek() == 0x28 {
                        tuple.pendingCall = lower
                    } else if tuple.depth == 0, lower != "null", lower != "default", builder.bytes.isEmpty {
                        if !tuple.started { tuple.started = true; builder.position = start }
                        builder.bytes.append(contentsOf: w.utf8)
                    }
                } else if b == 0x22 || b == 0x60 || b == 0x5B {
                    _ = try quotedIdentifier()
                } else {
                    advance()  // operators: ||, ::, casts
                }
            }
        }
    }

    /// The fast path: plain values at the head of `p` (a quoted string without escapes or
    /// doubled quotes, a decimal number, `NULL`; spaces before each) with the `,` after each, many
    /// at a time, each straight into the batch without the builder's copy, as the byte-by-byte
    /// path would read them. Stops at anything else, at a value the buffer cuts, and when the batch
    /// is full. Returns the bytes taken and whether the tuple's `)` ended it.
    private func plainValues(_ p: UnsafeBufferPointer<UInt8>, _ batch: inout TextBatch) -> (Int, Bool) {
        var at = 0
        var taken = 0
        while batch.byteCount < BatchLimits.bytes {
            var i = at
            while i < p.count, p[i] == 0x20 { i += 1 }
            guard i < p.count else { break }
            let b = p[i]
            // The value is p[first..<last] (empty for `NULL`); p[end] is the `,` or `)` after it.
            var first = i, last = i, end = i
            if b == 0x27 {
                let escape: UInt8 = defaultEscapes() ? 0x5C : 0x27
                first = i + 1
                last = RunScan.first(0x27, escape, 0x27, in: p, from: first)
                end = last + 1
                guard end < p.count, p[last] == 0x27, p[end] != 0x27, last - first < BatchLimits.cellPiece else { break }
            } else if (b >= 0x30 && b <= 0x39) || (b == 0x2D && i + 1 < p.count && p[i + 1] >= 0x30 && p[i + 1] <= 0x39) {
                end = i + 1
                while end < p.count, (p[end] >= 0x30 && p[end] <= 0x39) || p[end] == 0x2E { end += 1 }
                last = end
                guard end < p.count, end - i <= 64 else { break }
            } else if b | 0x20 == 0x6E, i + 4 < p.count, p[i + 1] | 0x20 == 0x75, p[i + 2] | 0x20 == 0x6C, p[i + 3] | 0x20 == 0x6C {
                end = i + 4
                first = end
                last = end
            } else {
                break
            }
            guard p[end] == 0x2C || p[end] == 0x29 else { break }
            tokenStartsLine = false
            // Spaces, then the opening quote or the `NULL` (ASCII: one column a byte).
            position.column += first - at
            let id = columnID(tuple.column, &batch)
            let value = UnsafeBufferPointer(rebasing: p[first..<last])
            if first < last && !CellBuilder.isBlank(value) {
                batch.append(value, field: id, line: position.line, column: position.column, row: tuple.row, anchored: true)
            } else {
                batch.appendEmpty(field: id)
            }
            position.advance(over: UnsafeBufferPointer(rebasing: p[first..<end]), readable: p.count - first)
            tuple.column += 1
            at = end + 1
            taken = at
            position.advance(over: p[end])
            if p[end] == 0x29 {
                tuple.phase = .afterTuple
                return (taken, true)
            }
            startValue()
        }
        return (taken, false)
    }

    /// Hex digits of a `0x` literal kept, at most (a 16 MiB file); the rest is read through.
    static let maxHexLiteral = 32 << 20

    /// A number: kept as the value when it stands alone; `chr(38)` gives its character.
    private func number() throws(InputError) {
        let start = position
        // One buffer for every number (a fresh array was an allocation per numeric value).
        numberBytes.removeAll(keepingCapacity: true)
        if let b = try peek(), b == 0x2D || b == 0x2B {
            guard let n = try peek(1), (n >= 0x30 && n <= 0x39) || n == 0x2E else { advance(); return }
            numberBytes.append(b)
            advance()
        }
        if try peek() == 0x30, let x = try peek(1), x == 0x78 || x == 0x58 {
            // A 0x... binary literal (mysqldump --hex-blob) is the value as written: the scanner
            // decodes it when it holds a file (an ID scan), up to `maxHexLiteral` digits.
            let keep = tuple.depth == 0 && builder.bytes.isEmpty
            if keep {
                if !tuple.started { tuple.started = true; builder.position = start }
                builder.bytes += [0x30, 0x78]
            }
            advance(2)
            while let c = try peek(), Self.isWordByte(c) {
                if keep, builder.bytes.count < Self.maxHexLiteral { builder.bytes.append(c) }
                advance()
            }
            return
        }
        while let c = try peek(), (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x65 || c == 0x45 || ((c == 0x2D || c == 0x2B) && (numberBytes.last == 0x65 || numberBytes.last == 0x45)) {
            if numberBytes.count < 64 { numberBytes.append(c) }
            advance()
        }
        if tuple.depth == 0 {
            if builder.bytes.isEmpty {
                if !tuple.started { tuple.started = true; builder.position = start }
                builder.bytes.append(contentsOf: numberBytes)
            }
        } else if tuple.calls.count == 1, let call = tuple.calls.last, call.name == "chr" || call.name == "char",
                  let code = UInt32(String(decoding: numberBytes, as: UTF8.self)), let scalar = Unicode.Scalar(code), code > 0 {
            markStart()
            builder.bytes.append(contentsOf: String(Character(scalar)).utf8)
        }
    }

    private func beginString(_ kind: StringKind) {
        advance()  // opening quote
        tuple.string = kind
        if case .hex = kind {
            tuple.capturing = false
            return
        }
        // In a function call only its first literal is the value (TO_DATE('1962-02-18', 'fmt')).
        if tuple.depth == 0 {
            tuple.capturing = true
        } else if let last = tuple.calls.last, !last.taken {
            tuple.calls[tuple.calls.count - 1].taken = true
            tuple.capturing = true
        } else {
            tuple.capturing = false
        }
        if tuple.capturing { markStart() }
    }

    /// Decodes the rest of a string literal; true when the batch filled up in the middle of it or
    /// the input ended inside it.
    private func stringBody(_ kind: StringKind, _ batch: inout TextBatch) throws(InputError) -> Bool {
        let escapes: Bool
        let quote: UInt8
        switch kind {
        case .quoted(let e, let q): escapes = e; quote = q
        case .hex: escapes = false; quote = 0x27
        }
        let capture = tuple.capturing
        let escape: UInt8 = escapes ? 0x5C : quote
        while let b = try peek() {
            if b != quote && b != escape {
                // Plain content up to the next quote or backslash, found eight bytes at a time:
                // one append and the position moved in bulk (it was byte by byte, 13 % of a
                // dump's scan). The bytes below handle quotes and escapes.
                let before = batch.byteCount
                let taken = input.withBytes { p -> Int in
                    let end = RunScan.first(quote, escape, quote, in: p, from: 1)
                    let run = UnsafeBufferPointer(rebasing: p[0..<end])
                    if capture { builder.append(run, into: &batch) { columnID(tuple.column, &$0) } }
                    position.advance(over: run, readable: p.count)
                    return end
                }
                input.consume(taken)
                // As after each byte: a piece handed over into a full batch suspends the string.
                if batch.byteCount != before && batch.byteCount >= BatchLimits.bytes { return true }
                continue
            }
            if b == quote {
                if try peek(1) == quote {
                    advance(2)
                    if capture { builder.bytes.append(quote) }
                    continue
                }
                advance()
                tuple.string = nil
                tuple.exactBytes = false
                return false
            }
            if b == 0x5C, escapes, let e = try peek(1) {
                advance(2)
                if capture {
                    switch e {
                    case 0x6E: builder.bytes.append(0x0A)  // \n
                    case 0x74: builder.bytes.append(0x09)  // \t
                    case 0x72: builder.bytes.append(0x0D)  // \r
                    case 0x30: builder.bytes.append(tuple.exactBytes ? 0x00 : 0x20)  // \0
                    case 0x5A: builder.bytes.append(tuple.exactBytes ? 0x1A : 0x20)  // \Z
                    case 0x62: builder.bytes.append(tuple.exactBytes ? 0x08 : 0x20)  // \b
                    case 0x25, 0x5F: builder.bytes.append(0x5C); builder.bytes.append(e)  // \% and \_ keep the backslash
                    default: builder.bytes.append(e)
                    }
                }
            } else {
                advance()
                if capture { builder.bytes.append(b) }
            }
            if capture, builder.isFull {
                builder.flushPiece(into: &batch, field: columnID(tuple.column, &batch))
                if batch.byteCount >= BatchLimits.bytes { return true }
            }
        }
        tuple.string = nil
        if capture { builder.finish(into: &batch, field: columnID(tuple.column, &batch)) }
        endOfInputInStatement()
        return true
    }

    // MARK: - COPY

    /// `COPY name [(cols)] FROM stdin;` then tab-separated rows up to `\.`.
    private func copyHeader() throws(InputError) {
        guard let name = try qualifiedName() else { try skipStatement(); return }
        var columns: [String]?
        if try skipSpace(), try peek() == 0x28 {
            guard let list = try columnList() else { try skipStatement(); return }
            columns = list
        }
        guard let from = try identifier(), from.name.lowercased() == "from",
              let source = try identifier(), source.name.lowercased() == "stdin" else {
            try skipStatement()  // COPY ... TO, or FROM a server file: no data in the dump
            return
        }
        // Options up to `;`, then the data starts on the next line.
        while let b = try peek(), b != 0x3B, b != 0x0A { advance() }
        if try peek() == 0x3B { advance() }
        while let b = try peek(), b != 0x0A { advance() }
        if try peek() == 0x0A { advance() }
        begin(table: name, columns: columns ?? schema.columns(of: name))
        copy = CopyState()
        mode = .copy
    }

    private func copyData(_ batch: inout TextBatch) throws(InputError) {
        while batch.byteCount < BatchLimits.bytes {
            if copy.atLineStart {
                guard let b = try peek() else {
                    problems.append(InputError(path: path, code: .parseFailed,
                        message: "the dump ends inside the COPY data of \(table.display) without its closing \\. line (truncated file?)",
                        line: position.line))
                    mode = .done
                    return
                }
                let third = try peek(2)
                if b == 0x5C, try peek(1) == 0x2E, third == 0x0A || third == 0x0D || third == nil {
                    while let c = try peek(), c != 0x0A { advance() }
                    if try peek() == 0x0A { advance() }
                    mode = .top
                    return
                }
                copy.atLineStart = false
                copy.column = 0
                copy.row = nextRow()
                copyFieldStart()
            }
            if try copyField(&batch) { return }
        }
    }

    private func copyFieldStart() {
        copy.inField = true
        builder.begin(at: position, row: copy.row)
        builder.anchored = true
    }

    /// Reads one COPY field (or the rest of it); true when suspended with the batch full.
    private func copyField(_ batch: inout TextBatch) throws(InputError) -> Bool {
        let capture = !schemaOnly
        while let b = try peek() {
            switch b {
            case 0x09, 0x0A:
                let isNull = builder.bytes == [0x5C, 0x4E] && builder.emitFrom == 0 && nullMarker
                let id = columnID(copy.column, &batch)
                if capture {
                    if isNull || builder.bytes.isEmpty && builder.emitFrom == 0 {
                        batch.appendEmpty(field: id)
                    } else if !builder.isBlank || builder.emitFrom > 0 {
                        builder.finish(into: &batch, field: id)
                    }
                }
                nullMarker = false
                advance()
                if b == 0x0A {
                    copy.atLineStart = true
                    copy.inField = false
                    return false
                }
                copy.column += 1
                copyFieldStart()
            case 0x0D where try peek(1) == 0x0A:
                advance()
            case 0x5C:
                guard let e = try peek(1) else { advance(); continue }
                advance(2)
                if e == 0x4E, builder.bytes.isEmpty {  // \N: NULL, kept as a marker until the field ends
                    builder.bytes += [0x5C, 0x4E]
                    nullMarker = true
                    continue
                }
                nullMarker = false
                switch e {
                case 0x6E: builder.bytes.append(0x0A)
                case 0x74: builder.bytes.append(0x09)
                case 0x72: builder.bytes.append(0x0D)
                case 0x62, 0x66, 0x76: builder.bytes.append(0x20)
                case 0x78:  // \xHH
                    var v: UInt8 = 0
                    var n = 0
                    while n < 2, let h = try peek(), let d = Hex.nibble(h) { v = v << 4 | d; advance(); n += 1 }
                    builder.bytes.append(n > 0 ? v : 0x78)
                case 0x30...0x37:  // \ooo
                    var v = UInt32(e - 0x30)
                    var n = 1
                    while n < 3, let o = try peek(), o >= 0x30, o <= 0x37 { v = v * 8 + UInt32(o - 0x30); advance(); n += 1 }
                    builder.bytes.append(UInt8(truncatingIfNeeded: v))
                default: builder.bytes.append(e)
                }
            default:
                nullMarker = false
                advance()
                builder.bytes.append(b)
            }
            if builder.isFull, capture {
                builder.flushPiece(into: &batch, field: columnID(copy.column, &batch))
                if batch.byteCount >= BatchLimits.bytes { return true }
            } else if builder.isFull {
                builder.bytes.removeAll(keepingCapacity: true)
            }
        }
        // End of input in the middle of a row: keep the last field, copyData reports the missing `\.`.
        if capture, !nullMarker, !builder.bytes.isEmpty || builder.emitFrom > 0, !builder.isBlank || builder.emitFrom > 0 {
            builder.finish(into: &batch, field: columnID(copy.column, &batch))
        }
        nullMarker = false
        builder.bytes.removeAll(keepingCapacity: true)
        copy.atLineStart = true
        copy.inField = false
        return false
    }

    private var nullMarker = false
    private var numberBytes: [UInt8] = []

    /// True when the first bytes look like a SQL dump: a dump banner, or a line that starts with
    /// a `CREATE TABLE`, `INSERT`, `COPY ... FROM stdin` or a `SET`/`PRAGMA` preamble.
    /// Compares ASCII bytes without case (the head is not decoded: this runs once per file, and
    /// a Foundation search over 64 KiB was 3 % of a scan of a few log files).
    public static func looksLikeSQL(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = UnsafeBufferPointer(rebasing: head[0..<min(head.count, 64 * 1024)])
        func at(_ i: Int, _ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= head.count else { return false }
            let w = word.utf8Start
            for k in 0..<n where head[i + k] | (head[i + k] &- 0x41 < 26 ? 0x20 : 0) != w[k] { return false }
            return true
        }
        for i in head.indices where head[i] == UInt8(ascii: "-") {
            if at(i, "-- mysql dump") || at(i, "-- postgresql database dump") || at(i, "-- dumping data for table") { return true }
        }
        var hits = 0, lines = 0
        var start = 0
        while start < head.count && lines < 2000 {
            var end = start
            while end < head.count, head[end] != 0x0A { end += 1 }
            var t = start
            while t < end, head[t] == 0x20 || head[t] == 0x09 { t += 1 }
            if t < end {
                lines += 1
                if at(t, "create table") || at(t, "insert into") { return true }
                if at(t, "copy ") {
                    var k = t
                    while k < end, !at(k, "from stdin") { k += 1 }
                    if k < end { return true }
                }
                if at(t, "set ") || at(t, "pragma ") || at(t, "begin transaction;") || at(t, "drop table") || at(t, "create ") {
                    hits += 1
                    if hits >= 3 { return true }
                }
            }
            start = end + 1
        }
        return false
    }
}
