import Foundation
import Testing
import TrawlTestSupport

/// Identity documents, letters and photos read with OCR through the built binary (issue 8, part
/// 2). The images are drawn at test time by ImageMagick (`Tests/Fixtures/media/make-fixtures.py`):
/// a French identity card and a passport with valid MRZs, a card whose MRZ fails a check digit, a
/// photo without text, a small avatar, a letter with a NIR, the card scanned into a PDF without a
/// text layer and a PDF with one; the same images as base64 in a JSON export and as bytea hex in a
/// pg_dump.
@Suite("trawl scan: OCR of images, PDFs and blobs", .serialized, OCRFixtures())
struct OCRTests {
    /// The fixtures, drawn once for the suite (`OCRFixtures`).
    static var fixtures: Result<URL, Error> { OCRFixtures.drawn }

    static func scan(_ extra: [String] = [], environment: [String] = []) throws -> (status: Int32, stderr: String, report: [String: Any], byPath: [String: [[String: Any]]]) {
        let dir = try fixtures.get()
        let result = try CLI.runCommand("/usr/bin/env", environment + [CLI.binary.path, "scan", ".", "--no-policy", "--format", "json"] + extra, cwd: dir)
        let report = try CLI.json(result.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]], "\(result.stderr) \(result.stdout.prefix(300))")
        // Paths relative to the scanned folder, without its `./`.
        return (result.status, result.stderr, report, Dictionary(grouping: findings) { String(($0["path"] as? String ?? "").dropFirst(2)) })
    }

    static func only(_ findings: [[String: Any]]?, _ path: String) throws -> [String: Any] {
        let list = try #require(findings, "no finding for \(path)")
        try #require(list.count == 1, "\(path): \(list.map { $0["detector"] ?? "" })")
        return list[0]
    }

    static func signals(_ finding: [String: Any]) -> [String] { finding["signals"] as? [String] ?? [] }

    @Test func identityDocumentsAreToldFromPhotosAndLetters() throws {
        let (status, stderr, report, byPath) = try Self.scan()
        #expect(status == 1, "findings gate the scan; \(stderr)")
        #expect((report["errors"] as? [Any])?.isEmpty == true, "\(report["errors"] ?? "")")

        // Valid MRZs: high, the file itself is the location.
        for path in ["id-card.png", "passport.jpg", "scan.pdf"] {
            let document = try Self.only(byPath[path], path)
            #expect(document["category"] as? String == "user.government_id.identity_document")
            #expect(document["detector"] as? String == "identity-scan")
            #expect(document["confidence"] as? String == "high", "\(path)")
            #expect(document["line"] as? Int == 0)
            #expect(Self.signals(document).contains("mrz:verified"))
            #expect(!(document["masked"] as? String ?? "").contains("MARTIN"))
        }
        // A broken check digit: the document words alone, medium.
        let broken = try Self.only(byPath["id-broken.png"], "id-broken.png")
        #expect(broken["confidence"] as? String == "medium")
        #expect(!Self.signals(broken).contains("mrz:verified"))
        #expect(Self.signals(broken).contains { $0.hasPrefix("document-words:") })

        // The letter's NIR, read by OCR, on its line of the text read.
        let nir = try Self.only(byPath["letter.png"], "letter.png")
        #expect(nir["category"] as? String == "user.government_id.social_security_number" || (nir["detector"] as? String) == "fr-nir")
        #expect(nir["confidence"] as? String == "high")
        #expect((nir["line"] as? Int ?? 0) >= 1)
        #expect(Self.signals(nir).contains("ocr"))
        // A PDF's text layer, located by page.
        let layer = try Self.only(byPath["attestation.pdf"], "attestation.pdf")
        #expect(layer["detector"] as? String == "fr-nir")
        #expect(layer["location"] as? String == "page 1")
        #expect(Self.signals(layer).contains("pdf-text"))

        // A long procedure naming a passport and a surname is not a document.
        #expect(byPath["procedure.pdf"] == nil)
        // Nothing for the photo (read, nothing found) or the avatar (not a candidate: skipped).
        #expect(byPath["photo.jpg"] == nil)
        #expect(byPath["avatar.png"] == nil)
        let skipped = (report["skipped"] as? [[String: Any]] ?? []).map { ($0["path"] as? String ?? "", $0["reason"] as? String ?? "") }
        #expect(skipped.map(\.0) == ["./avatar.png"])
        #expect(skipped.first?.1 == "image")
        let media = try #require((report["summary"] as? [String: Any])?["media"] as? [String: Int])
        #expect(media["non_candidates"] == 1)
        #expect(media["read"] == 19, "8 files, 11 blobs")
        #expect(media["ocr_pages"] == 17, "all but the text-layer PDF")
    }

    @Test func blobsAreReportedAtTheirCell() throws {
        let (_, _, _, byPath) = try Self.scan()
        // JSON: base64 in `piece_identite` (line 5 of the export), a data: URI photo (nothing),
        // the letter's base64 in `justificatif`.
        let json = byPath["export.json"] ?? []
        #expect(json.count == 3, "\(json.map { $0["detector"] ?? "" })")
        let audio = try #require(json.first { $0["detector"] as? String == "recording" })
        #expect(audio["field"] as? String == "$[*].soutenance_audio")
        #expect(audio["masked"] as? String == "audio/wav, 00:00:03, 24.0 KB")
        #expect(audio["line"] as? Int == 17)
        let card = try #require(json.first { $0["detector"] as? String == "identity-scan" })
        #expect(card["field"] as? String == "$[*].piece_identite")
        #expect(card["line"] as? Int == 5)
        #expect(card["confidence"] as? String == "high")
        #expect(Self.signals(card).contains("blob:base64"))
        #expect(Self.signals(card).contains("path-hint:piece_identite"), "the field name is the blob's hint")
        let letter = try #require(json.first { $0["detector"] as? String == "fr-nir" })
        #expect(letter["field"] as? String == "$[*].justificatif")
        #expect(letter["line"] as? Int == 13)

        // pg_dump: bytea hex in COPY rows 1 (the card), 2 (the photo: nothing) and 3 (the letter).
        let dump = byPath["documents.sql"] ?? []
        #expect(dump.count == 2)
        for finding in dump {
            #expect(finding["field"] as? String == "public.documents.scan")
            #expect(Self.signals(finding).contains("blob:hex"))
        }
        let rows = Dictionary(uniqueKeysWithValues: dump.map { ($0["detector"] as? String ?? "", $0) })
        #expect(rows["identity-scan"]?["row"] as? Int == 1)
        #expect(rows["identity-scan"]?["line"] as? Int == 12)
        #expect(rows["identity-scan"]?["confidence"] as? String == "high")
        #expect(rows["fr-nir"]?["row"] as? Int == 3)
        #expect(rows["fr-nir"]?["line"] as? Int == 14)
        // mysqldump: a --hex-blob 0x literal (row 1) and a _binary string with MySQL's escapes (row 2).
        let mysql = byPath["documents-mysql.sql"] ?? []
        #expect(mysql.map { $0["row"] as? Int } == [1, 2], "\(mysql)")
        #expect(mysql.allSatisfy { $0["field"] as? String == "scans.piece" && $0["confidence"] as? String == "high" && $0["line"] as? Int == 5 })
        #expect(mysql.map { Self.signals($0).last } == ["blob:hex", "blob:raw"])
        // SQLite BLOB, XML element, CSV cell.
        let sqlite = try Self.only(byPath["documents.sqlite"], "documents.sqlite")
        #expect(sqlite["field"] as? String == "uploads.file")
        #expect(sqlite["location"] as? String == "uploads rowid 7")
        #expect(sqlite["confidence"] as? String == "high")
        let xml = try Self.only(byPath["export.xml"], "export.xml")
        #expect(xml["field"] as? String == "/learners/learner/scan")
        #expect(xml["line"] as? Int == 4)
        let csv = try Self.only(byPath["export.csv"], "export.csv")
        #expect(csv["field"] as? String == "document")
        #expect(csv["line"] as? Int == 2)
        #expect(csv["confidence"] as? String == "high")

        // The base64 text itself is not scanned as text (no card-number or CNI pattern in it).
        #expect(!(byPath["export.json"] ?? []).contains { ["fr-cni", "payment-card", "iban"].contains($0["detector"] as? String ?? "") })
    }

    @Test func withoutOCRImagesAreReportedByTheirNamesAndTheScanSaysWhyOnce() throws {
        // No Tesseract on PATH: one note, hinted blobs still reported (low), the rest skipped.
        let (status, stderr, report, byPath) = try Self.scan(["--min-confidence", "low"], environment: ["PATH=/nonexistent"])
        #expect(status == 1)
        let notes = stderr.split(separator: "\n").filter { $0.contains("OCR is unavailable") }
        #expect(notes.count == 1, "\(stderr)")
        #expect(notes.first?.contains("tesseract is not installed") == true)
        let card = try Self.only(byPath["export.json"]?.filter { $0["detector"] as? String == "identity-scan" }, "export.json")
        #expect(card["confidence"] as? String == "low")
        #expect(card["field"] as? String == "$[*].piece_identite")
        #expect(byPath["id-card.png"]?.first?["confidence"] as? String == "low", "named id-card")
        #expect(byPath["letter.png"] == nil && byPath["id-broken.png"] == nil, "not named: nothing to go on")
        let media = try #require((report["summary"] as? [String: Any])?["media"] as? [String: Int])
        #expect(media["unread_without_ocr"] == 20, "9 files and 11 blobs, each counted once (a text-layer PDF read as text is not its own blob)")
        #expect(media["read"] == 0)

        // --no-ocr: the same, without the note.
        let off = try Self.scan(["--no-ocr", "--min-confidence", "low"], environment: ["PATH=/nonexistent"])
        #expect(!off.stderr.contains("OCR"), "\(off.stderr)")
        #expect(off.byPath["export.json"]?.map { $0["detector"] as? String } == ["identity-scan", "recording"], "recordings need no OCR")
    }

    @Test func aDamagedImageIsAClearErrorAndTheScanGoesOn() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        // A PNG header of a 1200x800 image, then garbage: Tesseract cannot decode it.
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        png += [0, 0, 0x04, 0xB0, 0, 0, 0x03, 0x20, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        png += [UInt8](repeating: 0x41, count: 4000)
        try Data(png).write(to: dir.appendingPathComponent("passport_scan.png"))
        try "contact: jeanne.martin@example.org\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", ".", "--no-policy", "--format", "json", "--min-confidence", "low"], cwd: dir)
        #expect(result.status == 1, "the name alone is a finding at --min-confidence low: \(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect((report["summary"] as? [String: Any])?["complete"] as? Bool == false)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["path"] as? String == "./passport_scan.png")
        #expect(errors.first?["code"] as? String == "ocr-failed")
        let message = errors.first?["message"] as? String
        #expect(message?.contains("OCR failed") == true, "\(message ?? "")")
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["path"] as? String == "./passport_scan.png" && $0["confidence"] as? String == "low" }, "still reported from its name")
        #expect(findings.contains { $0["path"] as? String == "./notes.txt" })
    }

    @Test func identityScansAreCheckedAgainstThePolicy() throws {
        let fixtures = try Self.fixtures.get()
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        for folder in ["recrutement", "dossiers"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("id-card.png"), to: dir.appendingPathComponent("\(folder)/scan-0042.png"))
        }
        try """
        schema: trawl.config/v1
        datasets:
          - match: "recrutement/*"
            subjects: [recruiters]
            purposes: [user-accounts-management]
          - match: "dossiers/*"
            subjects: [students]
            purposes: [students-administrative-management]
        """.write(to: dir.appendingPathComponent("trawl.yaml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["scan", ".", "--format", "json"], cwd: dir)
        let report = try CLI.json(result.stdout)
        let violations = try #require(report["violations"] as? [[String: Any]])
        // Identity documents are documented for students and mentors only.
        let recruiters = violations.filter { ($0["path"] as? String)?.hasPrefix("./recrutement/") == true }
        #expect(!recruiters.isEmpty && recruiters.allSatisfy { $0["category"] as? String == "user.government_id.identity_document" }, "\(violations)")
        #expect(recruiters.contains { $0["kind"] as? String == "subject-mismatch" }, "\(recruiters.map { $0["kind"] ?? "" })")
        #expect(!violations.contains { ($0["path"] as? String)?.hasPrefix("./dossiers/") == true }, "students' files are documented")
        #expect(result.status == 1)
    }
}

/// Draws the OCR fixtures into a temporary directory before the suite's tests and removes it
/// after them; the tests find it in `OCRTests.fixtures`.
struct OCRFixtures: SuiteTrait, TestScoping {
    @TaskLocal static var drawn: Result<URL, Error> = .failure(CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no OCR fixtures outside OCRTests"]))

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let drawn = Result {
            let script = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/media/make-fixtures.py").path
            let made = try CLI.runCommand("/usr/bin/env", ["python3", script, dir.path])
            guard made.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: made.stderr]) }
            return dir
        }
        try await Self.$drawn.withValue(drawn) { try await function() }
    }
}
