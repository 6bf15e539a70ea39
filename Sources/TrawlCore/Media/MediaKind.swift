/// Images, PDFs and recordings, recognised by their magic bytes (never by name). Trawl does not
/// decode them: it reports what they are, with what their headers say (`MediaProbe`).
public enum MediaKind: String, Sendable, CaseIterable {
    case jpeg, png, tiff, webp, heic, avif, pdf
    case mp4, m4a, quicktime, webm, matroska, avi, mp3, wav, ogg

    public enum Family: String, Sendable {
        /// Images and PDFs: possibly scans of identity documents.
        case image
        case video, audio
    }

    public var family: Family {
        switch self {
        case .jpeg, .png, .tiff, .webp, .heic, .avif, .pdf: .image
        case .mp4, .quicktime, .webm, .matroska, .avi: .video
        case .m4a, .mp3, .wav, .ogg: .audio
        }
    }

    /// The media type reports show (`video/mp4`).
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .tiff: "image/tiff"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .avif: "image/avif"
        case .pdf: "application/pdf"
        case .mp4: "video/mp4"
        case .m4a: "audio/mp4"
        case .quicktime: "video/quicktime"
        case .webm: "video/webm"
        case .matroska: "video/x-matroska"
        case .avi: "video/x-msvideo"
        case .mp3: "audio/mpeg"
        case .wav: "audio/wav"
        case .ogg: "audio/ogg"
        }
    }

    /// Bytes `detect` looks at: enough for an ID3-less MP3's second frame header (a frame is at
    /// most 1,728 bytes) and a Matroska EBML header.
    public static let headLength = 4096

    /// Recognises a medium from the first bytes of an input (raw, before any BOM removal),
    /// ideally `headLength` of them; nil when it is none of them, or too short to tell.
    public static func detect(head: UnsafeBufferPointer<UInt8>) -> MediaKind? {
        let h = Bytes(head)
        // ITU-T T.81 (JPEG) B.1.1.3: every file opens with SOI `FF D8`, then a marker `FF xx`.
        if h.matches([0xFF, 0xD8, 0xFF]) { return .jpeg }
        // PNG (ISO/IEC 15948, W3C PNG 3rd ed.) 5.2: the 8-byte signature.
        if h.matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        // TIFF 6.0 section 2, Image File Header: `II` 42 little-endian or `MM` 42 big-endian
        // (43 is BigTIFF).
        if h.matches([0x49, 0x49, 0x2A, 0x00]) || h.matches([0x4D, 0x4D, 0x00, 0x2A])
            || h.matches([0x49, 0x49, 0x2B, 0x00]) || h.matches([0x4D, 0x4D, 0x00, 0x2B]) {
            return .tiff
        }
        // ISO 32000-1 7.5.2: the header line `%PDF-1.n`.
        if h.matches("%PDF-") { return .pdf }
        // RIFF (Microsoft, Multimedia Programming Interface and Data Specifications 1.0):
        // `RIFF` size form-type; WebP is RFC 9649 section 2.4, WAVE and AVI are RIFF forms; RF64
        // (EBU Tech 3306) is WAVE beyond 4 GiB.
        if h.matches("RIFF") || h.matches("RF64") {
            if h.matches("WAVE", at: 8) { return .wav }
            if h.matches("WEBP", at: 8) { return .webp }
            if h.matches("AVI ", at: 8) { return .avi }
            return nil
        }
        // Ogg (RFC 3533 section 6): every page starts `OggS` with stream structure version 0.
        if h.matches("OggS") && h.count > 4 && h[4] == 0 { return .ogg }
        // EBML (RFC 8794) header; its DocType says Matroska (RFC 9559) or WebM.
        if h.matches([0x1A, 0x45, 0xDF, 0xA3]) { return ebmlDocType(h) }
        // ISO base media file format (ISO/IEC 14496-12) 4.3: a leading `ftyp` box with brands.
        if h.matches("ftyp", at: 4) { return isoBrand(h) }
        if isQuickTimeWithoutFtyp(h) { return .quicktime }
        // ID3v2 (id3.org, ID3 tag version 2.4.0 - Main Structure, 3.1): `ID3`, a version below
        // 0xFF, then a synchsafe size (high bits clear).
        if h.matches("ID3") && h.count >= 10 && h[3] < 0xFF && h[4] < 0xFF
            && (h[6] | h[7] | h[8] | h[9]) & 0x80 == 0 {
            return .mp3
        }
        if let frame = MPEGFrame(h, at: 0), let next = MPEGFrame(h, at: frame.length), next.sameStream(as: frame) { return .mp3 }
        return nil
    }

    /// True when `head` is shorter than `headLength`, may be longer, and could be a medium whose
    /// magic needs more bytes to tell (an MPEG frame sync without ID3, an EBML header).
    public static func needsLongerHead(_ head: [UInt8]) -> Bool {
        guard head.count < headLength, head.count >= 4 else { return false }
        return (head[0] == 0xFF && head[1] & 0xE0 == 0xE0) || head.starts(with: [0x1A, 0x45, 0xDF, 0xA3])
    }

    /// Convenience for callers holding an array.
    public static func detect(head: [UInt8]) -> MediaKind? {
        head.withUnsafeBufferPointer { detect(head: $0) }
    }

    /// HEIF (ISO/IEC 23008-12 annex B), AVIF (AV1 Image File Format 1.1), MP4 (ISO/IEC 14496-14),
    /// 3GPP (TS 26.244) and QuickTime brands: the major brand decides, else the first known
    /// compatible brand.
    static func isoBrand(_ h: Bytes) -> MediaKind? {
        guard h.count >= 12 else { return nil }
        let size = Int(h.be32(0) ?? 0)
        var brands = [h.fourCC(8)]
        var at = 16
        while at + 4 <= min(size, h.count, 256) {
            brands.append(h.fourCC(at))
            at += 4
        }
        for brand in brands {
            switch brand {
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1": return .heic
            case "avif", "avis": return .avif
            case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ": return .m4a
            case "qt  ": return .quicktime
            case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9", "mp41", "mp42", "mp71",
                 "avc1", "M4V ", "M4VH", "M4VP", "dash", "f4v ", "mmp4", "MSNV", "NDAS", "XAVC":
                return .mp4
            default:
                if brand.hasPrefix("3gp") || brand.hasPrefix("3g2") { return .mp4 }
            }
        }
        return nil
    }

    /// QuickTime File Format (Apple), "Atoms": files older than `ftyp` open with a top-level
    /// `moov`, `mdat`, `wide`, `free`, `skip` or `pnot` atom. The size must be plausible and not
    /// all printable (so `abcdmdat` in a text file is not a movie).
    static func isQuickTimeWithoutFtyp(_ h: Bytes) -> Bool {
        guard h.count >= 8, let size = h.be32(0) else { return false }
        guard ["moov", "mdat", "wide", "free", "skip", "pnot"].contains(h.fourCC(4)) else { return false }
        guard size == 0 || size == 1 || size >= 8 else { return false }
        return (0..<4).contains { h[$0] < 0x20 || h[$0] >= 0x7F }
    }

    /// The EBML header's DocType (RFC 8794 11.2.5, ID `42 82`): `webm` or `matroska`.
    static func ebmlDocType(_ h: Bytes) -> MediaKind? {
        guard let header = EBML.element(h, at: 0), header.id == 0x1A45DFA3 else { return nil }
        let end = min(h.count, header.dataStart + Int(clamping: header.size ?? UInt64(h.count)))
        var at = header.dataStart
        while at < end, let child = EBML.element(h, at: at), let size = child.size {
            if child.id == 0x4282 {
                let text = h.slice(child.dataStart, Int(clamping: size)).map { String(decoding: $0, as: UTF8.self) }
                switch text?.trimmingNULs() {
                case "webm": return .webm
                case "matroska": return .matroska
                default: return nil
                }
            }
            at = child.dataStart + Int(clamping: size)
        }
        return nil
    }
}

/// One MPEG audio frame header (ISO/IEC 11172-3 2.4.2.3, ISO/IEC 13818-3 for MPEG-2 and the
/// MPEG-2.5 extension): 11 sync bits, version, layer, bit rate and sample rate indexes.
struct MPEGFrame {
    /// 1 for MPEG-1, 2 for MPEG-2, 25 for MPEG-2.5.
    let version: Int
    let layer: Int
    let bitRate: Int
    let sampleRate: Int
    let channels: Int
    /// Bytes to the next frame header.
    let length: Int

    init?(_ h: Bytes, at offset: Int) {
        guard offset >= 0, offset + 4 <= h.count, h[offset] == 0xFF, h[offset + 1] & 0xE0 == 0xE0 else { return nil }
        let b1 = h[offset + 1], b2 = h[offset + 2], b3 = h[offset + 3]
        switch (b1 >> 3) & 3 {
        case 0: version = 25
        case 2: version = 2
        case 3: version = 1
        default: return nil
        }
        switch (b1 >> 1) & 3 {
        case 1: layer = 3
        case 2: layer = 2
        case 3: layer = 1
        default: return nil
        }
        let bitIndex = Int(b2 >> 4), rateIndex = Int((b2 >> 2) & 3)
        guard bitIndex != 0, bitIndex != 15, rateIndex != 3 else { return nil }  // free format not supported
        let rates = [44100, 48000, 32000]
        sampleRate = rates[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4)
        let kbps: [Int]
        switch (version == 1, layer) {
        case (true, 1): kbps = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (true, 2): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (true, _): kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (false, 1): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        case (false, _): kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        bitRate = kbps[bitIndex] * 1000
        channels = (b3 >> 6) == 3 ? 1 : 2
        let padding = Int((b2 >> 1) & 1)
        if layer == 1 {
            length = (12 * bitRate / sampleRate + padding) * 4
        } else {
            length = (layer == 3 && version != 1 ? 72 : 144) * bitRate / sampleRate + padding
        }
    }

    /// Samples each frame decodes to.
    var samplesPerFrame: Int { layer == 1 ? 384 : (layer == 3 && version != 1 ? 576 : 1152) }

    func sameStream(as other: MPEGFrame) -> Bool {
        version == other.version && layer == other.layer && sampleRate == other.sampleRate
    }
}

/// EBML variable-size integers and element headers (RFC 8794 sections 4 and 6).
enum EBML {
    struct Element {
        /// The ID with its length marker, as the specifications write it (`0x1A45DFA3`).
        let id: UInt32
        /// nil: unknown size (all value bits set).
        let size: UInt64?
        let dataStart: Int
    }

    /// The element header at `offset`, nil when it is cut or invalid.
    static func element(_ h: Bytes, at offset: Int) -> Element? {
        guard offset >= 0, offset < h.count else { return nil }
        let idLength = vintLength(h[offset])
        guard idLength <= 4, offset + idLength <= h.count else { return nil }
        var id: UInt32 = 0
        for i in 0..<idLength { id = id << 8 | UInt32(h[offset + i]) }
        let sizeAt = offset + idLength
        guard sizeAt < h.count else { return nil }
        let sizeLength = vintLength(h[sizeAt])
        guard sizeLength <= 8, sizeAt + sizeLength <= h.count else { return nil }
        var value = UInt64(h[sizeAt]) & (0xFF >> UInt64(sizeLength))
        var allOnes = value == (0xFF >> UInt64(sizeLength))
        for i in 1..<sizeLength {
            value = value << 8 | UInt64(h[sizeAt + i])
            allOnes = allOnes && h[sizeAt + i] == 0xFF
        }
        return Element(id: id, size: allOnes ? nil : value, dataStart: sizeAt + sizeLength)
    }

    /// Leading zero bits + 1 of the first byte; 9 for a zero byte (invalid).
    static func vintLength(_ first: UInt8) -> Int { first.leadingZeroBitCount + 1 }
}

/// Bounds-checked reads over a buffer: out-of-range reads give nil or `false`, never a trap.
struct Bytes {
    let base: UnsafeBufferPointer<UInt8>
    init(_ base: UnsafeBufferPointer<UInt8>) { self.base = base }

    var count: Int { base.count }
    subscript(_ i: Int) -> UInt8 { base[i] }

    func matches(_ magic: [UInt8], at offset: Int = 0) -> Bool {
        magic.withUnsafeBufferPointer { matches($0, at: offset) }
    }

    /// The same for an ASCII magic, without making an array of it (this runs on every long cell).
    func matches(_ magic: StaticString, at offset: Int = 0) -> Bool {
        matches(UnsafeBufferPointer(start: magic.utf8Start, count: magic.utf8CodeUnitCount), at: offset)
    }

    func matches(_ magic: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset >= 0, offset + magic.count <= base.count else { return false }
        return RunScan.same(UnsafeBufferPointer(rebasing: base[offset..<(offset + magic.count)]), magic)
    }

    func slice(_ offset: Int, _ length: Int) -> UnsafeBufferPointer<UInt8>? {
        guard offset >= 0, length >= 0, length <= base.count - offset else { return nil }
        return UnsafeBufferPointer(rebasing: base[offset..<(offset + length)])
    }

    func fourCC(_ offset: Int) -> String {
        slice(offset, 4).map { String(decoding: $0, as: Unicode.ASCII.self) } ?? ""
    }

    func be16(_ o: Int) -> UInt16? { uint(o, 2, bigEndian: true).map { UInt16($0) } }
    func be32(_ o: Int) -> UInt32? { uint(o, 4, bigEndian: true).map { UInt32($0) } }
    func be64(_ o: Int) -> UInt64? { uint(o, 8, bigEndian: true) }
    func le16(_ o: Int) -> UInt16? { uint(o, 2, bigEndian: false).map { UInt16($0) } }
    func le32(_ o: Int) -> UInt32? { uint(o, 4, bigEndian: false).map { UInt32($0) } }
    func le64(_ o: Int) -> UInt64? { uint(o, 8, bigEndian: false) }

    func uint(_ offset: Int, _ width: Int, bigEndian: Bool) -> UInt64? {
        guard let s = slice(offset, width) else { return nil }
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(s[bigEndian ? i : width - 1 - i]) << UInt64(8 * (width - 1 - i)) }
        return v
    }
}

extension [UInt8] {
    /// Bounds-checked reads over the array's bytes.
    func reading<R>(_ body: (Bytes) -> R) -> R { withUnsafeBufferPointer { body(Bytes($0)) } }
}

extension String {
    fileprivate func trimmingNULs() -> String {
        var s = Substring(self)
        while s.last == "\0" { s = s.dropLast() }
        return String(s)
    }
}
