import Foundation
import Testing
@testable import TrawlCore

/// What OCR does to machine-readable zones, and how it is put right before the check digits
/// decide; document words; which images are read; blobs inside data; the external tools' limits.
@Suite("OCR text, blobs and external tools")
struct OCRTextTests {
    static let td1 = ["IDFRAX4RTBPFW46<<<<<<<<<<<<<<<", "9007138F3002119FRA<<<<<<<<<<<6", "MARTIN<<MAELYS<GAELLE<MARIE<<<"]
    static let td3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]

    @Test func specimensVerifyAsTheyAre() {
        #expect(MRZCheck.hasValidBlock(Self.td1.joined(separator: "\n")))
        #expect(MRZCheck.hasValidBlock(Self.td3.joined(separator: "\n")))
        #expect(MRZRepair.repair(Self.td1.joined(separator: "\n")).text == Self.td1.joined(separator: "\n"))
    }

    /// Readings Tesseract really gave for the test images (fillers as `c`/`e`, spaces, a stray
    /// `§`, `O` read as `0` in a nationality, fillers dropped).
    @Test(arguments: [
        ("IDFRAX4RTBPFW46<<<ccccccccccce\n9007138F3002119FRAc<<ccccacc6\nMARTIN<<MAELYS<GAELLE<MARIE<<<", true),
        ("IDFRAX4RTBPFW46<<<<<<<<<<<<<<<\n9007138F3002119FRA<<<<<<<<<<<6§\nMART IN<<MAELYS<GAELLE<MARIE<<<", true),
        ("IDFRAX4RTBPFW46<<<\n\n9007138F3002119FRA<<<6\nMARTIN<<MAELYS<GAELLE<MARIE<<<", true),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UT07408122F1204159ZE184226B<<<<<10", true),
        ("P<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F12O4159ZE184226B<<<<<10", true),
        // A wrong check digit stays wrong: repair never invents a valid MRZ.
        ("IDFRAX4RTBPFW46<<<ccccccccccce\n9007133F3002119FRAc<<ccccacc6\nMARTIN<<MAELYS<GAELLE<MARIE<<<", false),
        ("IDFRAXARTBPFW46<cccececececece\n9007138F3002119FRAcccececcee<6\nMARTIN<<MAELYS<GAELLE<MARIE<<<", false),
    ])
    func ocrReadingsAreRepairedOnlyIntoWhatVerifies(reading: String, valid: Bool) {
        let (text, hadMRZ) = MRZRepair.repair("RÉPUBLIQUE FRANÇAISE\n" + reading + "\n")
        #expect(hadMRZ)
        #expect(MRZCheck.hasValidBlock(text) == valid, "\(text)")
        #expect(text.hasPrefix("RÉPUBLIQUE FRANÇAISE\n"), "other lines are left alone")
    }

    @Test func ordinaryTextIsNotTakenForAnMRZ() {
        for text in ["« Attestation de scolarité » délivrée le 12 mars", "Nom <<< séparateur", "a < b and c < d in the formula x<y<z"] {
            let (repaired, hadMRZ) = MRZRepair.repair(text)
            #expect(!hadMRZ, "\(text)")
            #expect(repaired == text)
        }
    }

    @Test func documentWordsNeedATitleAndALabel() {
        #expect(IdentityDocumentText.keywords(in: "RÉPUBLIQUE FRANÇAISE\nNom / Surname: MARTIN\nDate de naiss.: 13 07 1990") == ["republique francaise", "nom", "surname", "date de naiss"])
        #expect(IdentityDocumentText.keywords(in: "PASSEPORT\nDate of birth 12 AUG 1974") == ["passeport", "date of birth"])
        #expect(IdentityDocumentText.keywords(in: "Nom: Martin\nDate de naissance: 1990") == nil, "a form is not an identity document")
        #expect(IdentityDocumentText.keywords(in: "Le passeport est à renouveler") == nil)
        #expect(IdentityDocumentText.keywords(in: "passeports nominatifs") == nil, "whole words only")
    }

    @Test func onlyDocumentShapedImagesAreRead() {
        func info(_ kind: MediaKind, _ w: Int?, _ h: Int?) -> MediaInfo { MediaInfo(kind: kind, width: w, height: h) }
        #expect(OCRCandidate.isCandidate(info(.png, 1400, 880), hinted: false), "ID-1 card")
        #expect(OCRCandidate.isCandidate(info(.jpeg, 1240, 1754), hinted: false), "A4 portrait")
        #expect(OCRCandidate.isCandidate(info(.jpeg, 800, 600), hinted: false), "a 4:3 photo is read (nothing is then reported)")
        #expect(!OCRCandidate.isCandidate(info(.png, 200, 200), hinted: false), "avatar")
        #expect(!OCRCandidate.isCandidate(info(.png, 1000, 1000), hinted: false), "square")
        #expect(OCRCandidate.isCandidate(info(.png, 1000, 1000), hinted: true), "square but named as an ID")
        #expect(!OCRCandidate.isCandidate(info(.png, 1600, 200), hinted: false), "banner")
        #expect(!OCRCandidate.isCandidate(info(.png, 100, 64), hinted: true), "thumbnail, even named")
        #expect(!OCRCandidate.isCandidate(info(.png, 100_000, 70_000), hinted: true), "pixel bomb")
        #expect(!OCRCandidate.isCandidate(info(.heic, 4032, 3024), hinted: true), "Tesseract cannot read HEIC")
        #expect(!OCRCandidate.isCandidate(info(.jpeg, nil, nil), hinted: false))
        #expect(OCRCandidate.isCandidate(info(.jpeg, nil, nil), hinted: true))
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 0x05, 0x78, 0, 0, 0x03, 0x70, 8, 2, 0, 0, 0] + [UInt8](repeating: 7, count: 100)

    static func sniff(_ text: String) -> BlobSniffer.Encoding? { sniff(Array(text.utf8)) }
    static func sniff(_ bytes: [UInt8]) -> BlobSniffer.Encoding? { bytes.withUnsafeBufferPointer { BlobSniffer.sniff($0)?.encoding } }

    @Test func blobsAreRecognisedByWhatTheyDecodeTo() {
        let base64 = Data(Self.png).base64EncodedString()
        #expect(Self.sniff(base64) == .base64)
        #expect(Self.sniff("data:image/png;base64," + base64) == .base64)
        #expect(Self.sniff("\\x" + Self.png.map { String(format: "%02x", $0) }.joined()) == .hex)
        #expect(Self.sniff("0x" + Self.png.map { String(format: "%02X", $0) }.joined()) == .hex)
        #expect(Self.sniff(Self.png) == .raw)
        // Text, hashes and tokens are not blobs.
        #expect(Self.sniff(String(repeating: "QUJD", count: 40)) == nil, "base64 of text")
        #expect(Self.sniff(String(repeating: "a3f9", count: 32)) == nil, "a hex digest")
        #expect(Self.sniff("0x" + String(repeating: "00", count: 64)) == nil)
        #expect(Self.sniff("data:text/plain;base64," + Data(String(repeating: "x", count: 90).utf8).base64EncodedString()) == nil)
        #expect(Self.sniff(String(base64.prefix(40))) == nil, "too short")

        let decoded = BlobSniffer.decode(Array(base64.utf8).prefix(64) + Array("\n".utf8) + Array(base64.utf8).dropFirst(64), .base64)
        #expect(decoded == Self.png, "line breaks inside base64 are skipped")
        #expect(BlobSniffer.decode(Array("89504e47zz".utf8), .hex) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test func externalToolsAreStoppedAtTheirTimeLimit() throws {
        let start = ContinuousClock.now
        let output = try ExternalTool.run("/bin/sleep", ["30"], input: [], timeout: .milliseconds(300))
        #expect(output.timedOut)
        #expect(ContinuousClock.now - start < .seconds(10))
        let cat = try ExternalTool.run("/bin/cat", [], input: Array("héllo".utf8), timeout: .seconds(10))
        #expect(cat.stdout == Array("héllo".utf8))
        #expect(cat.status == 0)
        #expect(!cat.timedOut)
    }
}
