/// Words in a path that say an image or PDF is an identity document (`uploads/piece_identite/`,
/// `passport_scan.jpg`, `CarteIdentite.pdf`): matched on whole words after accents and case are
/// folded and camelCase is split, so `cni` matches `scan_cni.png` and not `cnil.png`.
enum IdentityDocumentHint {
    /// Each hint's name (the `path-hint:` signal) and the word sequences that spell it; the last
    /// word may take a plural `s`.
    static let hints: [(name: String, spellings: [[String]])] = [
        ("piece_identite", [["piece", "identite"], ["piece", "d", "identite"]]),
        ("carte_identite", [["carte", "identite"], ["carte", "d", "identite"]]),
        ("passport", [["passport"]]),
        ("passeport", [["passeport"]]),
        ("id_card", [["id", "card"], ["idcard"]]),
        ("scan_id", [["scan", "id"]]),
        ("cni", [["cni"]]),
        ("identity", [["identity"]]),
    ]

    /// The first hint found in `path`, nil without one.
    static func find(in path: String) -> String? {
        let words = FieldName.snake(path).split(separator: "_").map(String.init)
        for (name, spellings) in hints {
            for spelling in spellings where words.count >= spelling.count {
                for start in 0...(words.count - spelling.count) where zip(spelling.indices, spelling).allSatisfy({ i, word in
                    let w = words[start + i]
                    return w == word || (i == spelling.count - 1 && w == word + "s")
                }) {
                    return name
                }
            }
        }
        return nil
    }
}

/// What says an image or PDF is an identity document.
struct DocumentEvidence {
    /// The identity-document word in its path or field name (`passport`, `piece_identite`).
    var hint: String?
    /// Title and field words read in it (`passeport`, `date de naiss`).
    var keywords: [String] = []
    /// A machine-readable zone read in it verified its check digits.
    var mrz = false
}

/// The detectors that read media headers rather than text: not YAML patterns, but reported,
/// baselined and described (SARIF rules) like the others.
public struct MediaDetector: Sendable {
    public let id: String
    public let name: String
    public let category: String
    public let description: String

    /// Recordings, in the policy's `user.content.recordings`.
    public static let recording = MediaDetector(id: "recording", name: "Video or audio recording", category: "user.content.recordings",
        description: "A video or audio container recognised by its magic bytes (MP4, QuickTime, WebM, Matroska, AVI, MP3, WAV, Ogg), with its duration and size when the header states them; nothing is decoded.")
    /// Images and PDFs whose path names an identity document.
    public static let identityScan = MediaDetector(id: "identity-scan", name: "Image or PDF named as an identity document",
        category: "user.government_id.identity_document",
        description: "An image or PDF recognised by its magic bytes that is an identity document: high confidence when OCR or its text layer reads a machine-readable zone whose check digits verify, medium when it reads a document title and field labels (RÉPUBLIQUE FRANÇAISE, PASSEPORT, Nom, Date de naiss.), low when only its path or field name says so (piece_identite, passport, id_card, cni...).")

    public static let all = [recording, identityScan]
}

extension DetectionWorker {

    /// A recording's finding (high: the container says what it is); none below `--min-confidence`.
    func finding(for media: MediaInfo, path: String) -> Finding? {
        var signals = ["magic:\(media.kind.rawValue)"]
        if let duration = media.duration { signals.append("duration:\(Self.seconds(duration))") }
        return mediaFinding(.recording, media: media, path: path, confidence: .high, signals: signals)
    }

    /// An image's or PDF's finding as an identity document, from the strongest evidence: a
    /// verified MRZ (high), document words read in it (medium), a path naming one (low). None
    /// without evidence or below `--min-confidence`. The masked value describes the file, never
    /// its content.
    func identityFinding(for media: MediaInfo, path: String, evidence: DocumentEvidence) -> Finding? {
        var signals = ["magic:\(media.kind.rawValue)"]
        if let hint = evidence.hint { signals.append("path-hint:\(hint)") }
        if !evidence.keywords.isEmpty { signals.append("document-words:" + evidence.keywords.joined(separator: ",")) }
        if evidence.mrz { signals.append("mrz:verified") }
        let confidence: Confidence
        if evidence.mrz { confidence = .high } else if !evidence.keywords.isEmpty { confidence = .medium } else if evidence.hint != nil { confidence = .low } else { return nil }
        return mediaFinding(.identityScan, media: media, path: path, confidence: confidence, signals: signals)
    }

    private func mediaFinding(_ detector: MediaDetector, media: MediaInfo, path: String, confidence: Confidence, signals: [String]) -> Finding? {
        guard confidence >= options.minConfidence else { return nil }
        let pathBytes = Array(path.utf8)
        return Finding(path: path, line: 0, column: 0, field: nil, category: detector.category, detector: detector.id,
                       confidence: confidence, masked: Self.describe(media), signals: signals,
                       fingerprint: pathBytes.withUnsafeBufferPointer { options.fingerprinter?.finding(detector: detector.id, value: $0, field: nil) })
    }

    /// `video/mp4, 00:12:31, 48.2 MB`, `image/jpeg, 1200x800, 245.3 KB`: what is known.
    static func describe(_ media: MediaInfo) -> String {
        var parts = [media.kind.mimeType]
        if let width = media.width, let height = media.height { parts.append("\(width)x\(height)") }
        if let duration = media.duration {
            let total = Int(duration.rounded())
            let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
            parts.append([h, m, s].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":"))
        }
        if let size = media.size { parts.append(ByteCount.decimal(size)) }
        return parts.joined(separator: ", ")
    }

    /// `90s`, `2.5s`: tenths of a second at most.
    static func seconds(_ duration: Double) -> String {
        let tenths = Int((duration * 10).rounded())
        return "\(tenths / 10)" + (tenths % 10 == 0 ? "" : ".\(tenths % 10)") + "s"
    }
}
