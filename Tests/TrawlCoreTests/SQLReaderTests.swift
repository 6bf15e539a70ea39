import Testing
@testable import TrawlCore

/// A SQL cell as the reader produced it: value, `table.column`, physical line, row in its table.
struct SQLCell: Equatable, CustomStringConvertible {
    var text: String
    var field: String
    var line: Int
    var row: Int
    var description: String { "\(field)#\(row)@\(line)=\(text.debugDescription)" }

    init(_ text: String, _ field: String, line: Int, row: Int) {
        self.text = text
        self.field = field
        self.line = line
        self.row = row
    }
}

enum SQLRead {
    struct Result {
        var cells: [SQLCell] = []
        /// Empty or NULL cells per field.
        var empty: [String: Int] = [:]
        var problems: [InputError] = []
        var batches = 0
        var maxBatchBytes = 0
    }

    static func read(_ bytes: [UInt8], schema: SQLSchema = SQLSchema()) throws -> Result {
        let reader = SQLReader(input: try BufferedInput(source: MemorySource(bytes)), path: "dump.sql", schema: schema)
        var result = Result()
        var batch = TextBatch()
        var more = true
        while more {
            batch.removeAll()
            more = try reader.fill(&batch)
            result.batches += 1
            result.maxBatchBytes = max(result.maxBatchBytes, batch.byteCount)
            for s in batch.segments {
                result.cells.append(SQLCell(batch.text(of: s), batch.fields[Int(s.field)], line: s.line, row: s.row))
            }
            for (id, n) in batch.emptyCells { result.empty[batch.fields[Int(id)], default: 0] += n }
        }
        result.problems = reader.problems
        return result
    }

    static func read(_ text: String, schema: SQLSchema = SQLSchema()) throws -> Result {
        try read(Array(text.utf8), schema: schema)
    }
}

@Suite("SQL dump reader")
struct SQLReaderTests {
    @Test func mysqldumpExtendedInsertWithEscapesBinaryAndNull() throws {
        let dump = """
        -- MySQL dump 10.13  Distrib 8.0.36
        /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
        DROP TABLE IF EXISTS `students`;
        CREATE TABLE `students` (
          `id` int NOT NULL AUTO_INCREMENT,
          `nom` varchar(64) DEFAULT NULL COMMENT 'family name, (see doc)',
          `email` varchar(255) NOT NULL,
          `photo` blob,
          `note` text,
          PRIMARY KEY (`id`),
          KEY `idx_email` (`email`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        LOCK TABLES `students` WRITE;
        INSERT INTO `students` VALUES (1,'O\\'Brien','a@x.fr',_binary '\\0\\0',NULL),(2,'D''Arc','b@x.fr',0x89504E47,'line1\\nline2 \\\\ end'),(-3,'Zoé','c@x.fr',NULL,'');
        UNLOCK TABLES;
        """
        let r = try SQLRead.read(dump)
        #expect(r.problems.isEmpty)
        #expect(r.cells == [
            SQLCell("1", "students.id", line: 14, row: 1),
            SQLCell("O'Brien", "students.nom", line: 14, row: 1),
            SQLCell("a@x.fr", "students.email", line: 14, row: 1),
            SQLCell("2", "students.id", line: 14, row: 2),
            SQLCell("D'Arc", "students.nom", line: 14, row: 2),
            SQLCell("b@x.fr", "students.email", line: 14, row: 2),
            SQLCell("0x89504E47", "students.photo", line: 14, row: 2),
            SQLCell("line1\nline2 \\ end", "students.note", line: 14, row: 2),
            SQLCell("-3", "students.id", line: 14, row: 3),
            SQLCell("Zoé", "students.nom", line: 14, row: 3),
            SQLCell("c@x.fr", "students.email", line: 14, row: 3),
        ])
        // _binary '\0\0' is two NULs once decoded, blank; a 0x... literal is kept as written (the scanner
        // decodes it when it holds a file); NULL and '' are empty.
        #expect(r.empty == ["students.photo": 2, "students.note": 2])
    }

    /// A table's rows are numbered across its INSERT statements, whatever comes between them.
    @Test func rowsAreCountedPerTableAcrossStatements() throws {
        let r = try SQLRead.read("INSERT INTO a VALUES (1),(2);\nINSERT INTO b VALUES (7);\nINSERT INTO a VALUES (3);\nINSERT INTO b VALUES (8),(9);")
        #expect(r.cells == [
            SQLCell("1", "a.#1", line: 1, row: 1), SQLCell("2", "a.#1", line: 1, row: 2),
            SQLCell("7", "b.#1", line: 2, row: 1),
            SQLCell("3", "a.#1", line: 3, row: 3),
            SQLCell("8", "b.#1", line: 4, row: 2), SQLCell("9", "b.#1", line: 4, row: 3),
        ])
    }

    @Test func explicitColumnListsWinOverCreateTable() throws {
        let dump = """
        CREATE TABLE t (a int, b text, c text);
        INSERT INTO t (c, a) VALUES ('x@y.fr', 1);
        INSERT IGNORE INTO t(`b`) VALUE ('only b');
        """
        let r = try SQLRead.read(dump)
        #expect(r.cells == [
            SQLCell("x@y.fr", "t.c", line: 2, row: 1),
            SQLCell("1", "t.a", line: 2, row: 1),
            SQLCell("only b", "t.b", line: 3, row: 2),
        ])
    }

    @Test func pgDumpCopyBlocksWithEscapesNullsAndQualifiedNames() throws {
        let dump = """
        --
        -- PostgreSQL database dump
        --
        SET standard_conforming_strings = on;
        CREATE FUNCTION public.f() RETURNS trigger
            LANGUAGE plpgsql
            AS $$
        BEGIN
            INSERT INTO audit VALUES ('not data; really');
        END $$;
        COPY public."Customer" ("Id", "Email", "Note") FROM stdin;
        1\tjo@x.fr\ttab\\there\\nand newline
        2\t\\N\tback\\\\slash \\x41\\101
        \\.
        INSERT INTO public.customer VALUES (3, 'C:\\temp', 'x');

        """
        let r = try SQLRead.read(dump)
        #expect(r.problems.isEmpty)
        #expect(r.cells == [
            SQLCell("1", "public.Customer.Id", line: 12, row: 1),
            SQLCell("jo@x.fr", "public.Customer.Email", line: 12, row: 1),
            SQLCell("tab\there\nand newline", "public.Customer.Note", line: 12, row: 1),
            SQLCell("2", "public.Customer.Id", line: 13, row: 2),
            SQLCell("back\\slash AA", "public.Customer.Note", line: 13, row: 2),
            // standard_conforming_strings: a backslash is a character; no column names known.
            SQLCell("3", "public.customer.#1", line: 15, row: 1),
            SQLCell("C:\\temp", "public.customer.#2", line: 15, row: 1),
            SQLCell("x", "public.customer.#3", line: 15, row: 1),
        ])
        #expect(r.empty == ["public.Customer.Email": 1])
    }

    @Test func quotedIdentifiersOfEveryDialect() throws {
        let dump = #"""
        CREATE TABLE "Odd ""Name""" ("first name" TEXT, [e-mail] TEXT, `x``y` TEXT);
        INSERT INTO "Odd ""Name""" VALUES ('Ann', 'ann@x.fr', 'z');
        INSERT INTO [dbo].[People] ([Given Name]) VALUES (N'Bob');
        """#
        let r = try SQLRead.read(dump)
        #expect(r.cells.map(\.field) == ["Odd \"Name\".first name", "Odd \"Name\".e-mail", "Odd \"Name\".x`y", "dbo.People.Given Name"])
    }

    @Test func scriptsWithoutSemicolonsAndFunctionValues() throws {
        // SQL Server scripts end statements with GO or nothing; Oracle wraps dates in TO_DATE
        // and builds strings with ||chr(38)||; sqlite .dump writes replace(...,char(10)).
        let dump = """
        CREATE TABLE "Employees" ("Id" int, "Name" nvarchar(40), "BirthDate" datetime)
        GO
        INSERT "Employees"("Id","Name","BirthDate") VALUES(1,N'Nancy','12/8/1948')
        INSERT "Employees"("Id","Name","BirthDate") VALUES(2,'Barnes '||chr(38)||' Noble',TO_DATE('1952-2-19 00:00:00','yyyy-mm-dd hh24:mi:ss'))
        insert Employees values(3, replace('a\\nb','\\n',char(10)), null)
        go
        """
        let r = try SQLRead.read(dump)
        #expect(r.problems.isEmpty)
        #expect(r.cells.map(\.text) == ["1", "Nancy", "12/8/1948", "2", "Barnes & Noble", "1952-2-19 00:00:00", "3", "a\\nb"])
        #expect(r.cells.map(\.row) == [1, 1, 1, 2, 2, 2, 3, 3])
        #expect(r.cells.last?.field == "Employees.Name")
    }

    @Test func multiLineValuesKeepTheLineWhereTheyStart() throws {
        let dump = "INSERT INTO notes VALUES\n(1,'first line\nsecond line: x@y.fr'),\n(2,\n'z@y.fr');\n"
        let r = try SQLRead.read(dump)
        #expect(r.cells == [
            SQLCell("1", "notes.#1", line: 2, row: 1),
            SQLCell("first line\nsecond line: x@y.fr", "notes.#2", line: 2, row: 1),
            SQLCell("2", "notes.#1", line: 4, row: 2),
            SQLCell("z@y.fr", "notes.#2", line: 5, row: 2),
        ])
    }

    @Test func findingsInSQLCarryTableColumnLineAndRow() throws {
        let dump = "CREATE TABLE s (nom text, email text);\nINSERT INTO s VALUES ('Dupont','jean.dupont@gmail.com'),('Martin','lea.martin@free.fr');\n"
        let findings = try TestDetectors.scan(dump, format: .sql, catalog: DetectorCatalog.builtin(), options: DetectionOptions(minConfidence: .medium))
        let emails = findings.filter { $0.category == "user.contact.email" }
        #expect(emails.map(\.field) == ["s.email", "s.email"])
        #expect(emails.map(\.line) == [2, 2])
        #expect(emails.map(\.row) == [1, 2])
        #expect(emails.map(\.column) == [33, 68])
        #expect(findings.contains { $0.field == "s.nom" && $0.category == "user.name" })
    }

    @Test func schemaFromAnotherFileNamesDataOnlyDumps() throws {
        let reader = SQLReader(input: try BufferedInput(source: MemorySource("CREATE TABLE actor (actor_id int, first_name text);\nINSERT INTO actor VALUES (9,'Zed');")), path: "s.sql")
        var batch = TextBatch()
        while try reader.fill(&batch) {}
        let r = try SQLRead.read("INSERT INTO actor VALUES (1,'PENELOPE');", schema: reader.schema)
        #expect(r.cells.map(\.field) == ["actor.actor_id", "actor.first_name"])
    }

    @Test func aTruncatedDumpKeepsWhatWasReadAndSaysWhere() throws {
        let r = try SQLRead.read("INSERT INTO t VALUES (1,'a@b.fr'),(2,'unterminated")
        #expect(r.cells.map(\.text) == ["1", "a@b.fr", "2", "unterminated"])
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.code == .parseFailed)
        #expect(r.problems.first?.message.contains("truncated") == true)
        let copy = try SQLRead.read("COPY t (a) FROM stdin;\nx\n")
        #expect(copy.cells.map(\.text) == ["x"])
        #expect(copy.problems.first?.message.contains("\\.") == true)
    }

    @Test func reviewedEdgeCases() throws {
        // COPY data ending without a newline (or in a backslash) ends with a problem, not a hang.
        let copy = try SQLRead.read("COPY t (email) FROM stdin;\nbob@example.com")
        #expect(copy.cells.map(\.text) == ["bob@example.com"])
        #expect(copy.problems.count == 1)
        #expect(try SQLRead.read("COPY t (email) FROM stdin;\nv@example.com\\").problems.count == 1)
        // MySQL double-quoted strings close on their own quote.
        let dq = try SQLRead.read("LOCK TABLES `t` WRITE;\nINSERT INTO `t` VALUES (1,\"alice@example.com\"),(2,\"it's\");\nINSERT INTO `t` VALUES (3,'dave@example.com');\n")
        #expect(dq.cells.map(\.text) == ["1", "alice@example.com", "2", "it's", "3", "dave@example.com"])
        #expect(dq.problems.isEmpty)
        // A tuple cut after a complete value keeps it.
        #expect(try SQLRead.read("INSERT INTO t (email) VALUES ('bob@example.com'").cells.map(\.text) == ["bob@example.com"])
        // One-word statements without `;` do not swallow the next line.
        #expect(try SQLRead.read("BEGIN\nINSERT INTO t (email) VALUES ('e@example.com')\nCOMMIT\n").cells.map(\.text) == ["e@example.com"])
        // A MySQL `#` comment with an apostrophe.
        #expect(try SQLRead.read("# it's a comment\nINSERT INTO t (email) VALUES ('m@example.com');\n").cells.map(\.text) == ["m@example.com"])
        // standard_conforming_strings = off: backslashes escape.
        let off = try SQLRead.read("SET standard_conforming_strings = off;\nINSERT INTO t (a, b) VALUES ('it\\'s', 't@example.com');\n")
        #expect(off.cells.map(\.text) == ["it's", "t@example.com"])
        #expect(off.problems.isEmpty)
    }

    @Test func aHugeSingleInsertLineIsReadInBoundedBatches() throws {
        // 40,000 rows on one line (about 2.4 MB), one 3 MiB value: batches stay near 1 MiB and
        // every row keeps its index.
        var dump = "INSERT INTO `big` (`id`,`email`) VALUES "
        for i in 1...40_000 { dump += "(\(i),'user\(i)@example.org')," }
        dump += "(40001,'" + String(repeating: "a", count: 3 << 20) + " tail@example.org');\n"
        let r = try SQLRead.read(dump)
        #expect(r.problems.isEmpty)
        #expect(r.maxBatchBytes < 3 * BatchLimits.bytes)
        #expect(r.batches > 3)
        let emails = r.cells.filter { $0.field == "big.email" && $0.row <= 40_000 }
        #expect(emails.count == 40_000)
        #expect(emails.last?.text == "user40000@example.org")
        #expect(emails.allSatisfy { $0.line == 1 })
        let pieces = r.cells.filter { $0.row == 40_001 && $0.field == "big.email" }
        #expect(pieces.count >= 3)
        #expect(pieces.last?.text.hasSuffix(" tail@example.org") == true)
    }

    @Test func columnHitsCountCellsNotPiecesOfALongCell() throws {
        // One 3 MB value with an e-mail every kilobyte is one cell with a hit, whatever the pieces.
        var value = ""
        for i in 0..<3000 { value += "user\(i)@example.org " + String(repeating: "x", count: 1000) + " " }
        let dump = "INSERT INTO t (notes) VALUES ('\(value)'),('plain');\n"
        let engine = DetectionEngine(catalog: try DetectorCatalog.builtin(), options: DetectionOptions(minConfidence: .low))
        let worker = engine.makeWorker()
        let reader = SQLReader(input: try BufferedInput(source: MemorySource(dump)), path: "t.sql")
        var tally = ColumnTally(path: "t.sql")
        var batch = TextBatch()
        var findings: [Finding] = []
        var more = true
        while more {
            batch.removeAll()
            more = try reader.fill(&batch)
            worker.scan(batch, path: "t.sql", into: &findings, tally: &tally)
        }
        let column = try #require(tally.columns.first)
        #expect(column.rows == 2)
        #expect(column.nonEmpty == 2)
        #expect(column.hits["user.contact.email"] == 1)
        #expect(column.detectors["email"] == 3000)
    }

    @Test func contentSniffingFindsDumpsWithoutTheirExtension() {
        func sniff(_ text: String, path: String = "export.txt") -> InputFormat {
            Array(text.utf8).withUnsafeBufferPointer { InputFormat.sniff(path: path, head: $0) }
        }
        #expect(sniff("-- MySQL dump 10.13\n") == .sql)
        #expect(sniff("--\n-- PostgreSQL database dump\n--\n") == .sql)
        #expect(sniff("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n") == .sql)
        #expect(sniff("  insert into authors values('1')\n") == .sql)
        #expect(sniff("Please insert into the form your name\n") == .text)
        #expect(sniff("anything", path: "x.sql") == .sql)
        #expect(sniff("-- Dumping data for TABLE `users`\n") == .sql)
        #expect(sniff("\tCOPY public.actor (actor_id) FROM stdin;\n") == .sql)
        #expect(sniff("copy the files from stdin\nnothing\n") == .sql)
        #expect(sniff("copy the files\nfrom stdin\n") == .text)
        #expect(sniff("SET NAMES utf8;\r\nSET x = 1;\r\nDROP TABLE IF EXISTS t;\r\n") == .sql)
        #expect(sniff("set up the board\nset the clock\n") == .text)
        #expect(sniff("-- mysql dum") == .text)
    }
}
