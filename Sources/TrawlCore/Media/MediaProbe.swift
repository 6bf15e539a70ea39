/// What an image's or a recording's headers say, read without decoding any media.
public struct MediaInfo: Sendable, Hashable {
    public var kind: MediaKind
    /// Bytes, when known (a file on disk, or a stream read to its end).
    public var size: Int64?
    /// Seconds, when the container states it (recordings).
    public var duration: Double?
    /// Pixels, when the header states them (images).
    public var width: Int?
    public var height: Int?

    public init(kind: MediaKind, size: Int64? = nil, duration: Double? = nil, width: Int? = nil, height: Int? = nil) {
        self.kind = kind
        self.size = size
        self.duration = duration
        self.width = width
        self.height = height
    }
}

/// Random access to an input for reading media headers, with a budget: once `budget` bytes were
/// read (every read costs at least 16, so a hostile chain of tiny boxes ends too), reads return
/// nothing and the probe gives up with what it has.
public final class MediaBytes {
    /// The input's size, when known.
    public let size: Int64?
    private let fetch: (Int64, Int) throws(InputError) -> [UInt8]
    public private(set) var spent = 0
    public let budget: Int

    public static let defaultBudget = 1 << 20

    public init(size: Int64?, budget: Int = MediaBytes.defaultBudget, fetch: @escaping (Int64, Int) throws(InputError) -> [UInt8]) {
        self.size = size
        self.budget = budget
        self.fetch = fetch
    }

    /// Bytes in memory: the whole input, or its first bytes when `size` says it is longer (reads
    /// past them give nothing).
    public convenience init(_ bytes: [UInt8], size: Int64? = nil, budget: Int = MediaBytes.defaultBudget) {
        self.init(size: size ?? Int64(bytes.count), budget: budget) { offset, count in
            guard offset >= 0, offset < Int64(bytes.count) else { return [] }
            let start = Int(offset)
            return Array(bytes[start..<(start + min(count, bytes.count - start))])
        }
    }

    /// Up to `count` bytes at `offset`; fewer at the end of the input or of the budget.
    public func read(at offset: Int64, count: Int) throws(InputError) -> [UInt8] {
        guard offset >= 0, count > 0, spent < budget else { return [] }
        let n = min(count, budget - spent)
        spent += max(n, 16)
        if let size, offset >= size { return [] }
        return try fetch(offset, n)
    }
}

/// Reads what the headers of an image or recording say: pixel size, duration. Bounded by the
/// `MediaBytes` budget; a truncated or hostile header gives unknowns, never a trap.
public enum MediaProbe {
    public static func probe(_ kind: MediaKind, _ input: MediaBytes) throws(InputError) -> MediaInfo {
        var info = MediaInfo(kind: kind, size: input.size)
        switch kind {
        case .jpeg: (info.width, info.height) = try jpegSize(input)
        case .png: (info.width, info.height) = try pngSize(input)
        case .webp: (info.width, info.height) = try webpSize(input)
        case .tiff: (info.width, info.height) = try tiffSize(input)
        case .heic, .avif, .pdf: break
        case .wav: info.duration = try wavDuration(input)
        case .avi: info.duration = try aviDuration(input)
        case .mp4, .m4a, .quicktime: info.duration = try isoDuration(input)
        case .webm, .matroska: info.duration = try matroskaDuration(input)
        case .ogg: info.duration = try oggDuration(input)
        case .mp3: info.duration = try mp3Duration(input)
        }
        return info
    }

    /// A duration only when it is a finite, non-negative number of seconds below ten years.
    static func seconds(_ value: Double) -> Double? {
        value.isFinite && value >= 0 && value < 315_360_000 ? value : nil
    }

    static func pixels(_ w: UInt64?, _ h: UInt64?) -> (Int?, Int?) {
        guard let w, let h, w > 0, h > 0, w <= 1 << 20, h <= 1 << 20 else { return (nil, nil) }
        return (Int(w), Int(h))
    }

    // MARK: - Images

    /// ITU-T T.81 B.1.1.4 and B.2.2: markers with a 2-byte length, up to a start-of-frame
    /// (SOF0-SOF15 but DHT C4, JPG C8, DAC CC) holding height then width.
    static func jpegSize(_ input: MediaBytes) throws(InputError) -> (Int?, Int?) {
        var at: Int64 = 2
        while true {
            let h = try input.read(at: at, count: 9)
            guard h.count >= 4, h[0] == 0xFF else { return (nil, nil) }
            let marker = h[1]
            if marker == 0xFF { at += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { at += 2; continue }  // no length
            if marker == 0xD9 || marker == 0xDA { return (nil, nil) }  // end of image, start of scan
            let length = Int64(h[2]) << 8 | Int64(h[3])
            guard length >= 2 else { return (nil, nil) }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard h.count >= 9 else { return (nil, nil) }
                return pixels(UInt64(h[7]) << 8 | UInt64(h[8]), UInt64(h[5]) << 8 | UInt64(h[6]))
            }
            at += 2 + length
        }
    }

    /// PNG 11.2.2: IHDR is the first chunk; width and height are big-endian at 16 and 20.
    static func pngSize(_ input: MediaBytes) throws(InputError) -> (Int?, Int?) {
        try input.read(at: 0, count: 24).reading { h in
            guard h.matches("IHDR", at: 12) else { return (nil, nil) }
            return pixels(h.be32(16).map(UInt64.init), h.be32(20).map(UInt64.init))
        }
    }

    /// RFC 9649: the first chunk is `VP8 ` (RFC 6386 9.1: start code `9D 01 2A`, then 14-bit
    /// width and height), `VP8L` (signature 0x2F, then 14-bit width-1 and height-1) or `VP8X`
    /// (24-bit canvas width-1 and height-1 at 24 and 27).
    static func webpSize(_ input: MediaBytes) throws(InputError) -> (Int?, Int?) {
        try input.read(at: 0, count: 30).reading { h in
            switch h.fourCC(12) {
            case "VP8 ":
                guard h.matches([0x9D, 0x01, 0x2A], at: 23), let w = h.le16(26), let ht = h.le16(28) else { return (nil, nil) }
                return pixels(UInt64(w & 0x3FFF), UInt64(ht & 0x3FFF))
            case "VP8L":
                guard h.count > 20, h[20] == 0x2F, let bits = h.le32(21) else { return (nil, nil) }
                return pixels(UInt64(bits & 0x3FFF) + 1, UInt64((bits >> 14) & 0x3FFF) + 1)
            case "VP8X":
                guard let w = h.uint(24, 3, bigEndian: false), let ht = h.uint(27, 3, bigEndian: false) else { return (nil, nil) }
                return pixels(w + 1, ht + 1)
            default:
                return (nil, nil)
            }
        }
    }

    /// TIFF 6.0 section 2: the first IFD's ImageWidth (256) and ImageLength (257) entries, SHORT
    /// or LONG. BigTIFF is not read.
    static func tiffSize(_ input: MediaBytes) throws(InputError) -> (Int?, Int?) {
        let header = try input.read(at: 0, count: 8)
        let little = header.first == 0x49
        func uint(_ b: [UInt8], _ o: Int, _ w: Int) -> UInt64? { b.reading { $0.uint(o, w, bigEndian: !little) } }
        guard uint(header, 2, 2) == 42, let ifd = uint(header, 4, 4) else { return (nil, nil) }
        let countBytes = try input.read(at: Int64(ifd), count: 2)
        guard let entries = uint(countBytes, 0, 2) else { return (nil, nil) }
        let table = try input.read(at: Int64(ifd) + 2, count: Int(min(entries, 512)) * 12)
        var width: UInt64?, height: UInt64?
        for e in 0..<(table.count / 12) {
            let o = e * 12
            guard let tag = uint(table, o, 2), let type = uint(table, o + 2, 2) else { break }
            let value = type == 3 ? uint(table, o + 8, 2) : type == 4 ? uint(table, o + 8, 4) : nil
            if tag == 256 { width = value }
            if tag == 257 { height = value }
        }
        return pixels(width, height)
    }

    // MARK: - Recordings

    /// RIFF chunks after the 12-byte header, in order, each with its size (padded to even):
    /// `body` returns true to stop. At most 1,024 chunks.
    static func forEachRIFFChunk(_ input: MediaBytes, _ body: (String, Int64, Int64) throws(InputError) -> Bool) throws(InputError) {
        var at: Int64 = 12
        for _ in 0..<1024 {
            let h = try input.read(at: at, count: 8)
            guard h.count == 8 else { return }
            let id = String(decoding: h[0..<4], as: Unicode.ASCII.self)
            let size = Int64(le32(h, 4))
            if try body(id, at + 8, size) { return }
            at += 8 + size + (size & 1)
        }
    }

    /// WAVE: the `fmt ` chunk's byte rate (offset 8) and the `data` chunk's size; RF64's `ds64`
    /// chunk carries the 64-bit data size (EBU Tech 3306). A data size past the end of the file
    /// (a recording cut short, or a streaming 0xFFFFFFFF) counts what is there.
    static func wavDuration(_ input: MediaBytes) throws(InputError) -> Double? {
        var byteRate: UInt32?
        var dataSize: Int64?
        var ds64: Int64?
        try forEachRIFFChunk(input) { (id, start, size) throws(InputError) -> Bool in
            switch id {
            case "ds64":
                let b = try input.read(at: start, count: 16)
                if b.count == 16 { ds64 = Int64(clamping: le64(b, 8)) }
            case "fmt ":
                let b = try input.read(at: start, count: 12)
                if b.count == 12 { byteRate = le32(b, 8) }
            case "data":
                var n = size == 0xFFFF_FFFF ? (ds64 ?? size) : size
                if let total = input.size { n = min(n, max(0, total - start)) }
                dataSize = n
                return true
            default: break
            }
            return false
        }
        guard let byteRate, byteRate > 0, let dataSize else { return nil }
        return seconds(Double(dataSize) / Double(byteRate))
    }

    /// AVI (OpenDML AVI File Format Extensions; Microsoft AVIMAINHEADER): the `avih` chunk
    /// right after `LIST hdrl` gives microseconds per frame (offset 32) and total frames (48).
    static func aviDuration(_ input: MediaBytes) throws(InputError) -> Double? {
        let b = try input.read(at: 0, count: 56)
        guard b.count == 56, String(decoding: b[24..<28], as: Unicode.ASCII.self) == "avih" else { return nil }
        return seconds(Double(le32(b, 32)) * Double(le32(b, 48)) / 1_000_000)
    }

    /// ISO/IEC 14496-12: boxes are a 32-bit size (1: a 64-bit size follows; 0: to the end) and a
    /// type. Walks the top level to `moov`, then its children to `mvhd` (8.2.2): version 0 has
    /// 32-bit times, timescale at 12 and duration at 16; version 1 64-bit ones, timescale at 20
    /// and duration at 24. A duration of all ones is unknown.
    static func isoDuration(_ input: MediaBytes) throws(InputError) -> Double? {
        guard let moov = try findBox("moov", in: input, from: 0, to: input.size ?? Int64.max),
              let mvhd = try findBox("mvhd", in: input, from: moov.lowerBound, to: moov.upperBound) else { return nil }
        return try input.read(at: mvhd.lowerBound, count: 32).reading { h -> Double? in
            let long = h.count > 0 && h[0] == 1
            guard let scale = h.be32(long ? 20 : 12), scale > 0,
                  let duration = long ? h.be64(24) : h.be32(16).map(UInt64.init),
                  duration != (long ? UInt64.max : UInt64(UInt32.max)) else { return nil }
            return seconds(Double(duration) / Double(scale))
        }
    }

    /// The payload range of the first box of `type` among the boxes from `start` to `end`.
    static func findBox(_ type: String, in input: MediaBytes, from start: Int64, to end: Int64) throws(InputError) -> Range<Int64>? {
        var at = start
        while at < end {
            let b = try input.read(at: at, count: 16)
            guard b.count >= 8 else { return nil }
            let (found, declared, large) = b.reading { h in (h.fourCC(4) == type, h.be32(0) ?? 0, h.be64(8)) }
            var size = Int64(declared)
            var header: Int64 = 8
            if size == 1 {
                guard let large else { return nil }
                size = Int64(clamping: large)
                header = 16
            } else if size == 0 {
                size = (end == Int64.max ? Int64.max / 2 : end) - at
            }
            guard size >= header else { return nil }
            // A size past the end is a cut file: the box's header can still be the one wanted.
            if found { return (at + header)..<(size <= end - at ? at + size : end) }
            guard size <= end - at else { return nil }
            at += size
        }
        return nil
    }

    /// Matroska (RFC 9559): in the Segment (`18 53 80 67`), the Info element (`15 49 A9 66`)
    /// holds TimestampScale (`2A D7 B1`, nanoseconds per tick, default 1,000,000) and Duration
    /// (`44 89`, a 4- or 8-byte float of ticks). Only what the first bytes read hold: elements
    /// are skipped by size, Clusters end the walk.
    static func matroskaDuration(_ input: MediaBytes) throws(InputError) -> Double? {
        let head = try input.read(at: 0, count: 64 << 10)
        return head.reading { h -> Double? in
            guard let ebml = EBML.element(h, at: 0), let ebmlSize = ebml.size, ebmlSize <= UInt64(h.count),
                  let segment = EBML.element(h, at: ebml.dataStart + Int(ebmlSize)), segment.id == 0x18538067 else { return nil }
            var at = segment.dataStart
            while let e = EBML.element(h, at: at) {
                if e.id == 0x1549A966 {
                    var scale: UInt64 = 1_000_000
                    var ticks: Double?
                    var c = e.dataStart
                    let end = min(h.count, e.dataStart + Int(clamping: e.size ?? UInt64(h.count)))
                    while c < end, let child = EBML.element(h, at: c), let size = child.size, size <= UInt64(h.count) {
                        let n = Int(size)
                        if child.id == 0x2AD7B1, n <= 8, let v = h.uint(child.dataStart, n, bigEndian: true), v > 0 { scale = v }
                        if child.id == 0x4489 {
                            if n == 4, let v = h.be32(child.dataStart) { ticks = Double(Float(bitPattern: v)) }
                            if n == 8, let v = h.be64(child.dataStart) { ticks = Double(bitPattern: v) }
                        }
                        c = child.dataStart + n
                    }
                    return ticks.flatMap { seconds($0 * Double(scale) / 1e9) }
                }
                guard e.id != 0x1F43B675, let size = e.size else { return nil }  // a Cluster: media data begins
                at = e.dataStart + Int(clamping: size)
            }
            return nil
        }
    }

    /// Ogg (RFC 3533): the first page's packet says the codec and its sample rate (Vorbis I 4.2.2:
    /// `\u{1}vorbis`, rate at 12; Opus RFC 7845 5.1: `OpusHead`, always 48 kHz, pre-skip at 10);
    /// the last page of that stream has the granule position (samples). The last page needs the
    /// end of the input: only for inputs whose end is within reach (files on disk, small streams).
    static func oggDuration(_ input: MediaBytes) throws(InputError) -> Double? {
        let first = try input.read(at: 0, count: 27 + 255 + 64)
        let codec: (rate: Double, preSkip: Double)? = first.reading { h in
            guard h.count > 27 else { return nil }
            let packet = 27 + Int(h[26])
            if h.matches([0x01] + Array("vorbis".utf8), at: packet), let rate = h.le32(packet + 12), rate > 0 { return (Double(rate), 0) }
            if h.matches("OpusHead", at: packet), let skip = h.le16(packet + 10) { return (48_000, Double(skip)) }
            return nil
        }
        guard let codec, let size = input.size, first.count > 18 else { return nil }
        let serial = Array(first[14..<18])
        let tailLength = Int(min(size, 64 << 10))
        let tail = try input.read(at: size - Int64(tailLength), count: tailLength)
        guard tail.count == tailLength, tail.count >= 27 else { return nil }
        return tail.reading { h -> Double? in
            var at = h.count - 27
            while at >= 0 {
                if h.matches("OggS", at: at), h[at + 4] == 0, h.matches(serial, at: at + 14),
                   let granule = h.le64(at + 6), granule != .max {
                    return seconds((Double(granule) - codec.preSkip) / codec.rate)
                }
                at -= 1
            }
            return nil
        }
    }

    /// MP3: after an ID3v2 tag (its synchsafe size at 6, plus a footer when flag 0x10 is set),
    /// the first frame may carry a Xing or Info header (LAME "Mp3 Info Tag" rev 1) after the
    /// side information, with the frame count when flag 1 is set. Without one: unknown.
    static func mp3Duration(_ input: MediaBytes) throws(InputError) -> Double? {
        var start: Int64 = 0
        let id3 = try input.read(at: 0, count: 10)
        if id3.count == 10, id3[0] == 0x49, id3[1] == 0x44, id3[2] == 0x33 {
            let size = id3[6..<10].reduce(Int64(0)) { $0 << 7 | Int64($1 & 0x7F) }
            start = 10 + size + (id3[5] & 0x10 != 0 ? 10 : 0)
        }
        let b = try input.read(at: start, count: 64)
        return b.reading { h -> Double? in
            guard let frame = MPEGFrame(h, at: 0) else { return nil }
            let side = frame.version == 1 ? (frame.channels == 1 ? 17 : 32) : (frame.channels == 1 ? 9 : 17)
            let tag = 4 + side
            guard h.matches("Xing", at: tag) || h.matches("Info", at: tag),
                  let flags = h.be32(tag + 4), flags & 1 != 0, let frames = h.be32(tag + 8) else { return nil }
            return seconds(Double(frames) * Double(frame.samplesPerFrame) / Double(frame.sampleRate))
        }
    }
}
