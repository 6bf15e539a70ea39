import Foundation
import Testing
@testable import TrawlCore
import TrawlTestSupport

// MARK: - Hand-made headers (built at test time; none is a real medium)

enum MediaFixture {
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> (24 - 8 * $0) & 0xFF) } }
    static func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(v >> UInt64(56 - 8 * $0) & 0xFF) } }
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(v >> UInt64(8 * $0) & 0xFF) } }
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// SOI, a JFIF APP0, a comment, SOF0 (or SOF2) with the size, EOI.
    static func jpeg(width: Int, height: Int, progressive: Bool = false) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0] + be16(16) + ascii("JFIF") + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
            + [0xFF, 0xFE] + be16(7) + ascii("hello")
            + [0xFF, progressive ? 0xC2 : 0xC0] + be16(17) + [8] + be16(height) + be16(width) + [3] + [UInt8](repeating: 1, count: 9)
            + [0xFF, 0xD9]
    }

    static func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + ascii("IHDR") + be32(width) + be32(height) + [8, 2, 0, 0, 0] + [0, 0, 0, 0]
    }

    /// A TIFF header and one IFD with ImageWidth (SHORT) and ImageLength (LONG).
    static func tiff(width: Int, height: Int, littleEndian: Bool) -> [UInt8] {
        let u16 = littleEndian ? le16 : be16, u32 = littleEndian ? le32 : be32
        let entry = { (tag: Int, type: Int, value: [UInt8]) in u16(tag) + u16(type) + u32(1) + value }
        return (littleEndian ? ascii("II") : ascii("MM")) + u16(42) + u32(8) + u16(2)
            + entry(256, 3, u16(width) + [0, 0]) + entry(257, 4, u32(height)) + u32(0)
    }

    static func webp(_ chunk: String, _ payload: [UInt8]) -> [UInt8] {
        ascii("RIFF") + le32(4 + 8 + payload.count) + ascii("WEBP") + ascii(chunk) + le32(payload.count) + payload
    }
    static func webpLossy(width: Int, height: Int) -> [UInt8] { webp("VP8 ", [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A] + le16(width) + le16(height) + [0, 0]) }
    static func webpLossless(width: Int, height: Int) -> [UInt8] { webp("VP8L", [0x2F] + le32((width - 1) | (height - 1) << 14) + [0]) }
    static func webpExtended(width: Int, height: Int) -> [UInt8] {
        webp("VP8X", [0, 0, 0, 0] + Array(le32(width - 1).prefix(3)) + Array(le32(height - 1).prefix(3)))
    }

    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(8 + payload.count) + ascii(type) + payload }
    static func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] { box("ftyp", ascii(major) + be32(0) + compatible.flatMap(ascii)) }
    static func mvhd(seconds: Int, timescale: Int, version: UInt8) -> [UInt8] {
        let times = version == 1 ? be64(0) + be64(0) + be32(timescale) + be64(UInt64(seconds * timescale))
                                 : be32(0) + be32(0) + be32(timescale) + be32(seconds * timescale)
        return box("mvhd", [version, 0, 0, 0] + times + [UInt8](repeating: 0, count: 80))
    }
    /// `ftyp`, then `mdat` (before or after `moov`, as cameras and web encoders write them).
    static func mp4(seconds: Int, timescale: Int = 600, version: UInt8 = 0, brand: String = "isom", moovFirst: Bool = false) -> [UInt8] {
        let moov = box("moov", mvhd(seconds: seconds, timescale: timescale, version: version) + box("trak", [0, 0, 0, 0]))
        let mdat = box("mdat", [UInt8](repeating: 0xAB, count: 200))
        return ftyp(brand, [brand, "mp41"]) + (moovFirst ? moov + mdat : mdat + moov)
    }

    /// EBML element with a 1-byte or 8-byte size.
    static func ebml(_ id: [UInt8], _ payload: [UInt8], longSize: Bool = false) -> [UInt8] {
        id + (longSize ? [0x01] + Array(be64(UInt64(payload.count)).dropFirst()) : [0x80 | UInt8(payload.count)]) + payload
    }
    static func matroska(docType: String, seconds: Double?) -> [UInt8] {
        let header = ebml([0x1A, 0x45, 0xDF, 0xA3], ebml([0x42, 0x86], [1]) + ebml([0x42, 0x82], ascii(docType)))
        var info = ebml([0x2A, 0xD7, 0xB1], be32(1_000_000)) + ebml([0x4D, 0x80], ascii("a muxing app name over 8 bytes"))
        if let seconds { info += ebml([0x44, 0x89], be64((seconds * 1000).bitPattern)) }
        let seek = ebml([0x11, 0x4D, 0x9B, 0x74], [UInt8](repeating: 0, count: 20))
        let cluster = ebml([0x1F, 0x43, 0xB6, 0x75], [0xE7, 0x81, 0x00])
        return header + ebml([0x18, 0x53, 0x80, 0x67], seek + ebml([0x15, 0x49, 0xA9, 0x66], info) + cluster, longSize: true)
    }

    /// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo: 417-byte frames.
    static let mp3Header: [UInt8] = [0xFF, 0xFB, 0x90, 0x00]
    static func mp3Frame(_ body: [UInt8] = []) -> [UInt8] {
        mp3Header + body + [UInt8](repeating: 0, count: 417 - 4 - body.count)
    }
    /// An ID3v2.4 tag, a Xing frame with `frames`, then two audio frames.
    static func mp3(frames: Int?) -> [UInt8] {
        let id3 = ascii("ID3") + [4, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0, count: 10)
        let xing = frames.map { [UInt8](repeating: 0, count: 32) + ascii("Xing") + be32(1) + be32($0) } ?? []
        return id3 + mp3Frame(xing) + mp3Frame() + mp3Frame()
    }

    static func wav(seconds: Int, rate: Int = 8000, declaredData: Int? = nil) -> [UInt8] {
        let fmt = le16(1) + le16(1) + le32(rate) + le32(rate) + le16(1) + le16(8)
        let data = [UInt8](repeating: 0x80, count: seconds * rate)
        return ascii("RIFF") + le32(4 + 8 + fmt.count + 8 + data.count) + ascii("WAVE")
            + ascii("LIST") + le32(3) + ascii("abc") + [0]  // odd-sized chunk: padded
            + ascii("fmt ") + le32(fmt.count) + fmt + ascii("data") + le32(declaredData ?? data.count) + data
    }

    static func avi(microsecondsPerFrame: Int, frames: Int) -> [UInt8] {
        let avih = le32(microsecondsPerFrame) + le32(0) + le32(0) + le32(0) + le32(frames) + [UInt8](repeating: 0, count: 36)
        let hdrl = ascii("hdrl") + ascii("avih") + le32(avih.count) + avih
        return ascii("RIFF") + le32(4 + 8 + hdrl.count) + ascii("AVI ") + ascii("LIST") + le32(hdrl.count) + hdrl
    }

    static func oggPage(granule: UInt64, serial: Int = 0x1234, sequence: Int, packet: [UInt8]) -> [UInt8] {
        ascii("OggS") + [0, sequence == 0 ? 2 : 0] + le64(granule) + le32(serial) + le32(sequence) + le32(0) + [1, UInt8(packet.count)] + packet
    }
    /// A Vorbis identification page at `rate`, filler pages, and a last page at `samples`.
    static func oggVorbis(rate: Int, samples: UInt64) -> [UInt8] {
        let id = [0x01] + ascii("vorbis") + le32(0) + [2] + le32(rate) + [UInt8](repeating: 0, count: 13)
        return oggPage(granule: 0, sequence: 0, packet: id) + oggPage(granule: 0, sequence: 1, packet: [UInt8](repeating: 7, count: 200))
            + oggPage(granule: samples / 2, sequence: 2, packet: [UInt8](repeating: 9, count: 200))
            + oggPage(granule: samples, sequence: 3, packet: [UInt8](repeating: 9, count: 100))
    }
    static func oggOpus(seconds: Int) -> [UInt8] {
        let id = ascii("OpusHead") + [1, 2] + le16(312) + le32(48000) + [0, 0, 0]
        return oggPage(granule: 0, sequence: 0, packet: id) + oggPage(granule: UInt64(seconds * 48000 + 312), sequence: 1, packet: [1, 2, 3])
    }

    /// Every kind with a sample of it.
    static let samples: [(MediaKind, [UInt8])] = [
        (.jpeg, jpeg(width: 640, height: 480)),
        (.png, png(width: 32, height: 16)),
        (.tiff, tiff(width: 300, height: 200, littleEndian: true)),
        (.tiff, tiff(width: 300, height: 200, littleEndian: false)),
        (.webp, webpLossy(width: 400, height: 300)),
        (.heic, ftyp("heic", ["mif1", "heic"]) + box("meta", [0, 0, 0, 0])),
        (.heic, ftyp("mif1", ["mif1", "miaf"])),
        (.avif, ftyp("avif", ["avif", "mif1"])),
        (.pdf, ascii("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n<<>>\nendobj\n")),
        (.mp4, mp4(seconds: 90)),
        (.m4a, mp4(seconds: 30, brand: "M4A ")),
        (.quicktime, mp4(seconds: 5, brand: "qt  ")),
        (.quicktime, box("moov", mvhd(seconds: 12, timescale: 600, version: 0)) + box("mdat", [1, 2, 3])),
        (.quicktime, box("mdat", [UInt8](repeating: 0, count: 64)) + box("moov", mvhd(seconds: 12, timescale: 600, version: 0))),
        (.webm, matroska(docType: "webm", seconds: 61.5)),
        (.matroska, matroska(docType: "matroska", seconds: 3600)),
        (.mp3, mp3(frames: 1000)),
        (.mp3, mp3Frame() + mp3Frame() + mp3Frame()),
        (.wav, wav(seconds: 2)),
        (.avi, avi(microsecondsPerFrame: 40_000, frames: 250)),
        (.ogg, oggVorbis(rate: 44100, samples: 441_000)),
    ]
}

@Suite("Media sniffing and headers")
struct MediaTests {
    static func probe(_ bytes: [UInt8], size: Int64? = nil) throws -> MediaInfo? {
        guard let kind = MediaKind.detect(head: Array(bytes.prefix(MediaKind.headLength))) else { return nil }
        return try MediaProbe.probe(kind, MediaBytes(bytes, size: size))
    }

    @Test(arguments: MediaFixture.samples.indices)
    func everyKindIsRecognisedFromItsHead(index: Int) {
        let (kind, bytes) = MediaFixture.samples[index]
        #expect(MediaKind.detect(head: bytes) == kind)
    }

    @Test func notMedia() {
        let rejected: [(String, [UInt8])] = [
            ("text", Array("nom,email\nDurand,paul.durand@laposte.net\n".utf8)),
            ("zip", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 40)),
            ("gzip", [0x1F, 0x8B, 0x08, 0x00]),
            ("ELF", [0x7F, 0x45, 0x4C, 0x46, 0, 0, 0x01]),
            ("empty", []),
            ("a lone JPEG SOI", [0xFF, 0xD8]),
            ("half a PNG signature", [0x89, 0x50, 0x4E, 0x47]),
            ("RIFF of another form", MediaFixture.ascii("RIFF") + MediaFixture.le32(4) + MediaFixture.ascii("CDXA")),
            ("ftyp with unknown brands", MediaFixture.ftyp("abcd", ["efgh"])),
            ("text that spells a box type", Array("abcdmdat and more text here".utf8)),
            ("EBML of another doc type", MediaFixture.matroska(docType: "other", seconds: 1)),
            ("a lone MPEG frame header", MediaFixture.mp3Header + [UInt8](repeating: 0, count: 40)),
            ("UTF-16LE text with a BOM", [0xFF, 0xFE] + Array("Nom;Prénom;Email\r\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
            ("ID3 without a synchsafe size", MediaFixture.ascii("ID3") + [4, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
            ("an Ogg page of version 1", MediaFixture.ascii("OggS") + [1, 0]),
        ]
        for (name, bytes) in rejected { #expect(MediaKind.detect(head: bytes) == nil, "\(name)") }
        var state: UInt64 = 42
        for _ in 0..<2000 {
            let bytes = (0..<64).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407  // a fixed LCG: the same bytes every run
                return UInt8(state >> 56)
            }
            if let kind = MediaKind.detect(head: bytes) { Issue.record("random bytes taken for \(kind): \(bytes.prefix(8))") }
        }
    }

    @Test func imagePixelSizes() throws {
        let cases: [([UInt8], Int, Int)] = [
            (MediaFixture.jpeg(width: 640, height: 480), 640, 480),
            (MediaFixture.jpeg(width: 1200, height: 800, progressive: true), 1200, 800),
            (MediaFixture.png(width: 32, height: 16), 32, 16),
            (MediaFixture.tiff(width: 300, height: 200, littleEndian: true), 300, 200),
            (MediaFixture.tiff(width: 300, height: 200, littleEndian: false), 300, 200),
            (MediaFixture.webpLossy(width: 400, height: 300), 400, 300),
            (MediaFixture.webpLossless(width: 4000, height: 3000), 4000, 3000),
            (MediaFixture.webpExtended(width: 5000, height: 70000), 5000, 70000),
        ]
        for (bytes, width, height) in cases {
            let info = try #require(try Self.probe(bytes))
            #expect(info.width == width && info.height == height, "\(info.kind)")
        }
    }

    @Test func recordingDurations() throws {
        let cases: [([UInt8], Double)] = [
            (MediaFixture.wav(seconds: 2), 2),
            (MediaFixture.mp4(seconds: 90), 90),
            (MediaFixture.mp4(seconds: 90, moovFirst: true), 90),
            (MediaFixture.mp4(seconds: 751, timescale: 90000, version: 1), 751),
            (MediaFixture.mp4(seconds: 30, brand: "M4A "), 30),
            (MediaFixture.box("mdat", [UInt8](repeating: 0, count: 64)) + MediaFixture.box("moov", MediaFixture.mvhd(seconds: 12, timescale: 600, version: 0)), 12),
            (MediaFixture.matroska(docType: "webm", seconds: 61.5), 61.5),
            (MediaFixture.matroska(docType: "matroska", seconds: 3600), 3600),
            (MediaFixture.avi(microsecondsPerFrame: 40_000, frames: 250), 10),
            (MediaFixture.oggVorbis(rate: 44100, samples: 441_000), 10),
            (MediaFixture.oggOpus(seconds: 7), 7),
            (MediaFixture.mp3(frames: 1000), 26.122),
        ]
        for (bytes, seconds) in cases {
            let info = try #require(try Self.probe(bytes))
            let duration = try #require(info.duration, "\(info.kind): no duration")
            #expect(abs(duration - seconds) < 0.01, "\(info.kind): \(duration) s")
            #expect(info.size == Int64(bytes.count))
        }
    }

    @Test func unknownDurationsStayUnknown() throws {
        // No Xing header; a Matroska without Duration; an MP4 whose moov is past what a stream
        // holds; an Ogg whose end is out of reach.
        #expect(try Self.probe(MediaFixture.mp3(frames: nil))?.duration == nil)
        #expect(try Self.probe(MediaFixture.matroska(docType: "webm", seconds: nil))?.duration == nil)
        let mp4 = MediaFixture.mp4(seconds: 90)
        #expect(try Self.probe(Array(mp4.prefix(100)), size: Int64(mp4.count) + 10_000_000)?.duration == nil)
        let ogg = MediaFixture.oggVorbis(rate: 44100, samples: 441_000)
        #expect(try Self.probe(Array(ogg.prefix(300)), size: 50_000_000)?.duration == nil)
    }

    /// Cut at every length, and with hostile sizes: no trap, no huge read, unknowns at worst.
    @Test func truncatedAndHostileHeaders() throws {
        for (kind, bytes) in MediaFixture.samples {
            for cut in 0...min(bytes.count, 600) {
                let prefix = Array(bytes.prefix(cut))
                _ = MediaKind.detect(head: prefix)
                _ = try MediaProbe.probe(kind, MediaBytes(prefix))
                // Every other kind's reader on these bytes too (a WAV read as an MP4...).
                if cut % 7 == 0 { for other in MediaKind.allCases { _ = try MediaProbe.probe(other, MediaBytes(prefix)) } }
            }
        }
        let hostile: [(MediaKind, [UInt8])] = [
            // A box claiming a 64-bit size past everything, and a box of size 0 then nothing.
            (.mp4, MediaFixture.ftyp("isom", []) + MediaFixture.be32(1) + MediaFixture.ascii("mdat") + MediaFixture.be64(.max)),
            (.mp4, MediaFixture.ftyp("isom", []) + MediaFixture.be32(0) + MediaFixture.ascii("moov")),
            // mvhd with a zero timescale, and one with an all-ones duration.
            (.mp4, MediaFixture.ftyp("isom", []) + MediaFixture.box("moov", MediaFixture.mvhd(seconds: 1, timescale: 0, version: 0))),
            (.mp4, MediaFixture.ftyp("isom", []) + MediaFixture.box("moov", MediaFixture.box("mvhd", [1, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 28)))),
            // WAV with a zero byte rate and a streaming data size.
            (.wav, MediaFixture.wav(seconds: 0, rate: 0)),
            (.wav, MediaFixture.wav(seconds: 1, declaredData: 0xFFFF_FFFF)),
            // EBML sizes of 2^56.
            (.webm, [0x1A, 0x45, 0xDF, 0xA3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x42, 0x82]),
            // JPEG segments of length 0 and 1; a TIFF IFD far away with 65,535 entries.
            (.jpeg, [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF, 0xC0]),
            (.jpeg, [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]),
            (.tiff, MediaFixture.ascii("II") + MediaFixture.le16(42) + MediaFixture.le32(0x7FFF_FFFF)),
            (.tiff, MediaFixture.ascii("MM") + MediaFixture.be16(42) + MediaFixture.be32(8) + [0xFF, 0xFF]),
            // MP3 whose ID3 size points past the end; an Ogg page with a 255-segment table and nothing.
            (.mp3, MediaFixture.ascii("ID3") + [4, 0, 0, 0x7F, 0x7F, 0x7F, 0x7F]),
            (.ogg, MediaFixture.ascii("OggS") + [0, 2] + [UInt8](repeating: 0, count: 20) + [255]),
        ]
        for (kind, bytes) in hostile {
            let input = MediaBytes(bytes, size: Int64.max / 4)
            _ = try MediaProbe.probe(kind, input)
            #expect(input.spent <= input.budget, "\(kind)")
        }
        // The WAV whose data size runs past the end counts what is there.
        #expect(try Self.probe(MediaFixture.wav(seconds: 1, declaredData: 0xFFFF_FFFF))?.duration == 1)
    }

    /// A chain of empty boxes costs reads, not time: the budget ends it.
    @Test func theReadBudgetBoundsAWalk() throws {
        let chain = MediaFixture.ftyp("isom", []) + (0..<200_000).flatMap { _ in MediaFixture.box("free", []) }
        let input = MediaBytes(chain, budget: 64 << 10)
        #expect(try MediaProbe.probe(.mp4, input).duration == nil)
        #expect(input.spent <= input.budget)
    }

    @Test func identityDocumentHintsInPaths() {
        let hinted: [(String, String)] = [
            ("uploads/piece_identite/dupont.jpg", "piece_identite"),
            ("scans/Pièce d'identité - Dupont.pdf", "piece_identite"),
            ("a/piece-identite.png", "piece_identite"),
            ("dossiers/2026/passport_scan.jpg", "passport"),
            ("dossiers/passports/x.png", "passport"),
            ("PASSEPORT.JPG", "passeport"),
            ("docs/idCard.heic", "id_card"),
            ("docs/IDCARD_front.jpg", "id_card"),
            ("docs/id_card_back.jpg", "id_card"),
            ("candidats/CarteIdentite.pdf", "carte_identite"),
            ("candidats/carte d'identité recto.jpg", "carte_identite"),
            ("x/scan_cni_recto.png", "cni"),
            ("x/scan-id.png", "scan_id"),
            ("kyc/identity/selfie.jpg", "identity"),
            ("exports.zip!/uploads/passeport/a.jpg", "passeport"),
        ]
        for (path, hint) in hinted { #expect(IdentityDocumentHint.find(in: path) == hint, "\(path)") }
        for path in ["holiday.jpg", "logo@2x.png", "cnil/rapport.pdf", "identification.png", "passportal.png", "video_id.jpg", "scan.jpg"] {
            #expect(IdentityDocumentHint.find(in: path) == nil, "\(path)")
        }
    }

    @Test func findingsDescribeTheFileNeverItsContent() throws {
        let engine = DetectionEngine(catalog: try DetectorCatalog.builtin(), options: DetectionOptions(minConfidence: .low))
        let worker = engine.makeWorker()
        let video = MediaInfo(kind: .mp4, size: 48_234_567, duration: 751.4)
        let recording = try #require(worker.finding(for: video, path: "cours/session.mp4"))
        #expect(recording.category == "user.content.recordings" && recording.detector == "recording" && recording.confidence == .high)
        #expect(recording.masked == "video/mp4, 00:12:31, 48.2 MB")
        #expect(recording.signals == ["magic:mp4", "duration:751.4s"])
        #expect(recording.line == 0 && recording.column == 0 && recording.value == nil)
        func named(_ path: String) -> DocumentEvidence { DocumentEvidence(hint: IdentityDocumentHint.find(in: path)) }
        let scan = try #require(worker.identityFinding(for: MediaInfo(kind: .jpeg, size: 245_300, width: 1200, height: 800), path: "uploads/passport/a.jpg",
                                                       evidence: named("uploads/passport/a.jpg")))
        #expect(scan.category == "user.government_id.identity_document" && scan.confidence == .low)
        #expect(scan.masked == "image/jpeg, 1200x800, 245.3 KB")
        #expect(scan.signals == ["magic:jpeg", "path-hint:passport"])
        #expect(worker.identityFinding(for: MediaInfo(kind: .jpeg), path: "holiday.jpg", evidence: named("holiday.jpg")) == nil)
        // Read evidence ranks above a name: document words medium, a verified MRZ high.
        var read = named("holiday.jpg")
        read.keywords = ["passeport", "nom"]
        #expect(worker.identityFinding(for: MediaInfo(kind: .jpeg), path: "holiday.jpg", evidence: read)?.confidence == .medium)
        read.mrz = true
        #expect(worker.identityFinding(for: MediaInfo(kind: .jpeg), path: "holiday.jpg", evidence: read)?.confidence == .high)
        #expect(worker.identityFinding(for: MediaInfo(kind: .jpeg), path: "holiday.jpg", evidence: read)?.signals == ["magic:jpeg", "document-words:passeport,nom", "mrz:verified"])
        // The default minimum (medium) keeps recordings and drops hints alone.
        let medium = DetectionEngine(catalog: try DetectorCatalog.builtin()).makeWorker()
        #expect(medium.identityFinding(for: MediaInfo(kind: .jpeg), path: "uploads/passport/a.jpg", evidence: named("uploads/passport/a.jpg")) == nil)
        #expect(medium.finding(for: MediaInfo(kind: .wav), path: "a.wav")?.masked == "audio/wav")
    }
}

/// A recording or a hinted scan found by a scan is judged by the policy like any other finding
/// of its category: in a place no `trawl.yaml` declares, an undeclared dataset; in a dataset
/// whose purposes do not need it, a purpose mismatch.
@Suite("Media against the policy")
struct MediaPolicyTests {
    final class Collector: Reporter {
        var findings: [Finding] = []
        var columns: [ColumnStats] = []
        var skipped: [SkippedInput] = []
        func begin(tool: ToolInfo) {}
        func findings(_ findings: [Finding]) { self.findings += findings }
        func columns(_ columns: [ColumnStats]) { self.columns = columns }
        func violations(_ violations: [Violation]) {}
        func baseline(_ report: BaselineReport) {}
        func suppressions(_ report: SuppressionReport) {}
        func end(summary: ScanSummary, errors: [InputError], skipped: [SkippedInput]) { self.skipped = skipped }
    }

    /// Writes `files` into `dir` and scans it.
    static func scan(_ files: [String: [UInt8]], in dir: URL) throws -> Collector {
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let engine = DetectionEngine(catalog: try DetectorCatalog.builtin(), options: DetectionOptions(minConfidence: .low))
        let collector = Collector()
        _ = Scanner(engine: engine, configuration: ScanConfiguration(roots: [dir.path], jobs: 1)).run(reporter: collector)
        return collector
    }

    @Test func recordingsAndScansAreCheckedLikeOtherCategories() throws {
        let dir = try TemporaryDirectory.make("media")
        defer { TemporaryDirectory.remove(dir) }
        let root = dir.path
        let scan = try Self.scan([
            "talks/session.wav": MediaFixture.wav(seconds: 2),
            "uploads/passport/dupont.jpg": MediaFixture.jpeg(width: 640, height: 480),
            "holiday.jpg": MediaFixture.jpeg(width: 640, height: 480),
        ], in: dir)
        #expect(Set(scan.findings.map(\.category)) == ["user.content.recordings", "user.government_id.identity_document"])
        #expect(scan.skipped.map(\.reason) == [.image])
        let policy = try PolicyDocument.builtin().policy
        let day = try #require(Day(year: 2026, month: 11, day: 27))
        let undeclared = PolicyEvaluator(policy: policy, asOf: day).evaluate(scan.columns)
        #expect(Set(undeclared.map(\.kind)) == [.undeclaredDataset])
        #expect(undeclared.contains { $0.path.hasSuffix("talks/session.wav") && $0.message.contains("user.content.recordings") })
        // Declared for newsletters: recordings are not what that purpose needs; declared for
        // image and voice rights, they are.
        for (purpose, expected) in [("communications-and-events", true), ("image-voice-rights", false)] {
            let config = ProjectConfig(datasets: [DatasetDeclaration(match: .init(path: "talks/*.wav"), subjects: ["students"], purposes: [purpose])], root: root)
            let violations = PolicyEvaluator(policy: policy, config: config, asOf: day).evaluate(scan.columns)
            let recording = violations.filter { $0.category == "user.content.recordings" }
            #expect(recording.map(\.kind).contains(.purposeMismatch) == expected, "\(purpose): \(recording.map(\.kind))")
        }
    }
}
