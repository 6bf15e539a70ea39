import Foundation
import Testing
import TrawlTestSupport

/// Images and recordings through the built binary (issue 8, part 1): tiny synthetic files written
/// at test time, recognised by content whatever their names.
@Suite("trawl scan: images and recordings", .serialized)
struct MediaCLITests {
    static func u32(_ v: Int, little: Bool) -> [UInt8] {
        let bytes = (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) }
        return little ? bytes : bytes.reversed()
    }

    /// 8 kHz, mono, 8-bit PCM: `seconds` of silence.
    static func wav(seconds: Int) -> [UInt8] {
        let fmt: [UInt8] = [1, 0, 1, 0] + u32(8000, little: true) + u32(8000, little: true) + [1, 0, 8, 0]
        let data = [UInt8](repeating: 0x80, count: seconds * 8000)
        return Array("RIFF".utf8) + u32(36 + data.count, little: true) + Array("WAVEfmt ".utf8) + u32(16, little: true) + fmt
            + Array("data".utf8) + u32(data.count, little: true) + data
    }

    /// `ftyp isom`, an `mdat`, then `moov` holding a version-0 `mvhd` of `seconds` at 1/1000 s.
    static func mp4(seconds: Int) -> [UInt8] {
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { u32(8 + payload.count, little: false) + Array(type.utf8) + payload }
        let mvhd = box("mvhd", [0, 0, 0, 0] + u32(0, little: false) + u32(0, little: false) + u32(1000, little: false)
                       + u32(seconds * 1000, little: false) + [UInt8](repeating: 0, count: 80))
        return box("ftyp", Array("isom".utf8) + u32(512, little: false) + Array("isommp41".utf8))
            + box("mdat", [UInt8](repeating: 0, count: 64)) + box("moov", mvhd)
    }

    /// SOI, JFIF APP0, SOF0 of 800x600, EOI.
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        + [0xFF, 0xC0, 0, 17, 8, 0x02, 0x58, 0x03, 0x20, 3] + [UInt8](repeating: 1, count: 9) + [0xFF, 0xD9]

    /// A new temporary directory holding `files`; the caller removes it.
    static func tree(_ files: [String: [UInt8]]) throws -> URL {
        let dir = try TemporaryDirectory.make("cli")
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return dir
    }

    static func report(_ arguments: [String], cwd: URL) throws -> (status: Int32, findings: [[String: Any]], report: [String: Any]) {
        // Part 1's behaviour: images known by their headers and names only (OCR: OCRTests).
        let result = try CLI.run(["scan", ".", "--no-policy", "--format", "json", "--no-ocr"] + arguments, cwd: cwd)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        return (result.status, try #require(report["findings"] as? [[String: Any]]), report)
    }

    static func skipped(_ report: [String: Any]) -> [String: String] {
        let list = report["skipped"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.compactMap { s in (s["path"] as? String).map { ($0, s["reason"] as? String ?? "") } })
    }

    @Test func recordingsAreReportedWithTheirDurationAndIDScansByTheirPath() throws {
        let dir = try Self.tree([
            "cours/talk.wav": Self.wav(seconds: 2),
            "cours/session.bin": Self.mp4(seconds: 90),  // the name does not matter
            "uploads/piece_identite/dupont.jpg": Self.jpeg,
            "holiday.jpg": Self.jpeg,
        ])
        defer { TemporaryDirectory.remove(dir) }
        let low = try Self.report(["--min-confidence", "low"], cwd: dir)
        #expect(low.status == 1)
        let byPath = Dictionary(uniqueKeysWithValues: low.findings.map { ($0["path"] as? String ?? "", $0) })
        #expect(Set(byPath.keys) == ["./cours/talk.wav", "./cours/session.bin", "./uploads/piece_identite/dupont.jpg"])
        let wav = try #require(byPath["./cours/talk.wav"])
        #expect(wav["category"] as? String == "user.content.recordings")
        #expect(wav["detector"] as? String == "recording")
        #expect(wav["confidence"] as? String == "high")
        #expect(wav["masked"] as? String == "audio/wav, 00:00:02, 16.0 KB")
        #expect(wav["signals"] as? [String] == ["magic:wav", "duration:2s"])
        #expect(wav["line"] as? Int == 0)
        #expect(byPath["./cours/session.bin"]?["masked"] as? String == "video/mp4, 00:01:30, 212 bytes")
        #expect(byPath["./cours/session.bin"]?["signals"] as? [String] == ["magic:mp4", "duration:90s"])
        let scan = try #require(byPath["./uploads/piece_identite/dupont.jpg"])
        #expect(scan["category"] as? String == "user.government_id.identity_document")
        #expect(scan["confidence"] as? String == "low")
        #expect(scan["masked"] as? String == "image/jpeg, 800x600, 41 bytes")
        #expect(scan["signals"] as? [String] == ["magic:jpeg", "path-hint:piece_identite"])
        #expect(Self.skipped(low.report) == ["./holiday.jpg": "image"])
        let summary = try #require(low.report["summary"] as? [String: Any])
        #expect(summary["files_scanned"] as? Int == 3)
        #expect(summary["skipped"] as? [String: Int] == ["image": 1])
        #expect(summary["by_category"] as? [String: Int] == ["user.content.recordings": 2, "user.government_id.identity_document": 1])

        // At the default minimum (medium) the hint alone is not reported, so that image is listed
        // as skipped too.
        let medium = try Self.report([], cwd: dir)
        #expect(medium.findings.map { $0["detector"] as? String } == ["recording", "recording"])
        #expect(Self.skipped(medium.report) == ["./holiday.jpg": "image", "./uploads/piece_identite/dupont.jpg": "image"])

        // The text report lists them like any finding, at line 0, and the image among the skipped.
        let text = try CLI.run(["scan", ".", "--no-policy", "--min-confidence", "low", "--no-ocr"], cwd: dir)
        #expect(text.stdout.contains("0:0\thigh    user.content.recordings  audio/wav, 00:00:02, 16.0 KB  (recording: magic:wav, duration:2s)"))
        #expect(text.stdout.contains("  ./holiday.jpg: image"))

        // SARIF: the media detectors are rules of their own.
        let sarif = try CLI.run(["scan", "cours/talk.wav", "--no-policy", "--format", "sarif"], cwd: dir)
        let (rules, results, _) = try SARIF.results(sarif.stdout)
        let index = try #require(results.first?["ruleIndex"] as? Int)
        #expect(results.first?["ruleId"] as? String == "recording")
        #expect(rules[index]["id"] as? String == "recording")
    }

    @Test func insideAZipAndOnStandardInput() throws {
        let dir = try Self.tree(["talk.wav": Self.wav(seconds: 2), "dupont.jpg": Self.jpeg, "holiday.jpg": Self.jpeg])
        defer { TemporaryDirectory.remove(dir) }
        try Python.run("""
            import zipfile
            with zipfile.ZipFile('upload.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write('talk.wav', 'cours/talk.wav')
                z.write('dupont.jpg', 'passeports/dupont.jpg')
                z.write('holiday.jpg', 'photos/holiday.jpg')
            """, in: dir)
        let zipped = try CLI.run(["scan", "upload.zip", "--no-policy", "--min-confidence", "low", "--format", "json", "--no-ocr"], cwd: dir)
        let report = try CLI.json(zipped.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { $0["path"] as? String } == ["upload.zip!/cours/talk.wav", "upload.zip!/passeports/dupont.jpg"])
        #expect(findings.first?["masked"] as? String == "audio/wav, 00:00:02, 16.0 KB")
        #expect(findings.last?["signals"] as? [String] == ["magic:jpeg", "path-hint:passeport"])
        #expect(Self.skipped(report) == ["upload.zip!/photos/holiday.jpg": "image"])

        let piped = try CLI.runCommand("/bin/sh", ["-c", "'\(CLI.binary.path)' scan - --no-policy --format json < talk.wav"], cwd: dir)
        let stdinFindings = try #require(try CLI.json(piped.stdout)["findings"] as? [[String: Any]])
        #expect(stdinFindings.map { $0["masked"] as? String } == ["audio/wav, 00:00:02, 16.0 KB"])
    }

    /// An MP3 without ID3 whose second frame header is past the first 512 bytes read (320 kbit/s:
    /// 1,044-byte frames), and the same bytes piped: both recognised.
    @Test func anMP3WithoutTagsIsRecognisedByItsFrames() throws {
        let frame: [UInt8] = [0xFF, 0xFB, 0xE0, 0x00] + [UInt8](repeating: 0, count: 1040)
        let dir = try Self.tree(["voice": frame + frame + frame])
        defer { TemporaryDirectory.remove(dir) }
        let result = try Self.report([], cwd: dir)
        #expect(result.findings.map { $0["masked"] as? String } == ["audio/mpeg, 3.1 KB"])
        let piped = try CLI.runCommand("/bin/sh", ["-c", "'\(CLI.binary.path)' scan - --no-policy --format json < voice"], cwd: dir)
        #expect((try CLI.json(piped.stdout)["findings"] as? [[String: Any]])?.first?["signals"] as? [String] == ["magic:mp3"])
    }

    /// Cut anywhere, a medium is still recognised or treated as binary: no crash, no error, the
    /// scan completes, and a cut recording is reported without the duration it cannot know.
    @Test func truncatedMediaNeverCrash() throws {
        var files: [String: [UInt8]] = [:]
        for (name, bytes) in [("talk.wav", Self.wav(seconds: 1)), ("session.mp4", Self.mp4(seconds: 90)), ("passport.jpg", Self.jpeg)] {
            for cut in [2, 5, 11, 20, 30, 44, 60, 100] where cut < bytes.count {
                files["cut/\(cut)-\(name)"] = Array(bytes.prefix(cut))
            }
        }
        let dir = try Self.tree(files)
        defer { TemporaryDirectory.remove(dir) }
        let result = try Self.report(["--min-confidence", "low"], cwd: dir)
        #expect(result.status == 1)
        let summary = try #require(result.report["summary"] as? [String: Any])
        #expect(summary["complete"] as? Bool == true)
        let cutMP4 = result.findings.first { $0["path"] as? String == "./cut/30-session.mp4" }
        #expect(cutMP4?["masked"] as? String == "video/mp4, 30 bytes")
        #expect(cutMP4?["signals"] as? [String] == ["magic:mp4"])
    }
}
