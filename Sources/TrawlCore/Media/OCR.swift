import Foundation

/// Reads the text of images and PDFs through external tools: Tesseract for pixels, poppler's
/// `pdftotext` for a PDF's text layer and `pdftoppm` to render a page that has none.
///
/// The command-line tools rather than libtesseract's C API: each image is read in its own
/// process, so a decoder crash or a pixel bomb ends that process under its own time and memory
/// limits instead of the scan, and Trawl builds and runs without Tesseract (OCR is optional).
/// Starting a process costs a few milliseconds; recognising a page costs about a second.
public final class OCREngine: Sendable {
    public let tesseract: String
    /// `fra+eng`, or whichever of the two are installed.
    public let languages: String
    let pdftotext: String?
    let pdftoppm: String?
    /// Longest a single tool run may take before it is killed (`--ocr-timeout`).
    public let timeout: Duration
    /// Recognitions running at once, at most (a bounded pool shared by every worker).
    private let pool: DispatchSemaphore

    /// Pixels above which an image is not handed to Tesseract (a decompression bomb or a poster).
    static let maxPixels = 40_000_000
    /// Bytes of an image or PDF handed to a reader, at most (larger ones are reported from their
    /// path alone).
    static let maxInputBytes = 64 << 20
    /// Pages of a PDF without a text layer that are rendered and read, at most.
    static let maxOCRPages = 5
    /// Resolution at which such pages are rendered (enough for 8-point text and an MRZ).
    static let renderDPI = 200

    init(tesseract: String, languages: String, pdftotext: String?, pdftoppm: String?, timeout: Duration, concurrency: Int) {
        self.tesseract = tesseract
        self.languages = languages
        self.pdftotext = pdftotext
        self.pdftoppm = pdftoppm
        self.timeout = timeout
        self.pool = DispatchSemaphore(value: max(1, concurrency))
    }

    /// Why OCR cannot run on this machine, for the one note the command line prints.
    public struct Unavailable: Error, Sendable, Equatable {
        public let reason: String
    }

    /// Finds Tesseract (with French and/or English) and poppler on `PATH`.
    public static func discover(timeout: Duration = .seconds(30), concurrency: Int) -> Result<OCREngine, Unavailable> {
        guard let tesseract = ExternalTool.find("tesseract") else {
            return .failure(Unavailable(reason: "tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng)"))
        }
        let listed: ExternalTool.Output
        do {
            listed = try ExternalTool.run(tesseract, ["--list-langs"], input: [], timeout: .seconds(10))
        } catch {
            return .failure(Unavailable(reason: "tesseract cannot be run"))
        }
        let installed = Set(String(decoding: listed.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init))
        let languages = ["fra", "eng"].filter(installed.contains)
        guard !languages.isEmpty else {
            return .failure(Unavailable(reason: "tesseract has neither French nor English data (apt-get install tesseract-ocr-fra tesseract-ocr-eng)"))
        }
        return .success(OCREngine(tesseract: tesseract, languages: languages.joined(separator: "+"), pdftotext: ExternalTool.find("pdftotext"),
                                  pdftoppm: ExternalTool.find("pdftoppm"), timeout: timeout, concurrency: concurrency))
    }

    /// Can read a PDF's text layer (poppler is installed).
    var readsPDF: Bool { pdftotext != nil }

    /// The text Tesseract reads in an image (PNG, JPEG, TIFF, WebP, GIF, BMP). With `mrzOnly`,
    /// a second reading restricted to the MRZ alphabet, which reads `<` fillers that a general
    /// reading turns into `c`, `e` or `«`.
    func recognize(_ image: [UInt8], path: String, mrzOnly: Bool = false) throws(InputError) -> String {
        var arguments = ["stdin", "stdout", "-l", mrzOnly ? "eng" : languages]
        if mrzOnly { arguments += ["--psm", "6", "-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"] }
        let output = try pooled(tesseract, arguments, input: image, path: path, what: "OCR")
        return String(decoding: output, as: UTF8.self)
    }

    /// A PDF's text layer, page by page (empty strings for pages without text).
    func pdfPages(_ pdf: [UInt8], path: String) throws(InputError) -> [String] {
        guard let pdftotext else { return [] }
        let output = try pooled(pdftotext, ["-enc", "UTF-8", "-q", "-", "-"], input: pdf, path: path, what: "PDF text extraction")
        var pages = String(decoding: output, as: UTF8.self).components(separatedBy: "\u{0C}")
        if pages.last?.allSatisfy(\.isWhitespace) == true, pages.count > 1 { pages.removeLast() }
        return pages
    }

    /// One page of a PDF rendered as a greyscale PNG, for a page without a text layer.
    func renderPage(_ pdf: [UInt8], page: Int, path: String) throws(InputError) -> [UInt8]? {
        guard let pdftoppm else { return nil }
        return try pooled(pdftoppm, ["-r", "\(Self.renderDPI)", "-gray", "-png", "-f", "\(page)", "-l", "\(page)", "-"],
                          input: pdf, path: path, what: "PDF page rendering")
    }

    /// Runs a tool once a pool slot is free; a failure is this input's error, never the scan's.
    private func pooled(_ tool: String, _ arguments: [String], input: [UInt8], path: String, what: String) throws(InputError) -> [UInt8] {
        pool.wait()
        defer { pool.signal() }
        let output: ExternalTool.Output
        do {
            output = try ExternalTool.run(tool, arguments, input: input, timeout: timeout)
        } catch {
            throw InputError(path: path, code: .ocrFailed, message: "\(what) could not start: \(error.message)")
        }
        if output.timedOut {
            throw InputError(path: path, code: .ocrFailed,
                message: "\(what) took longer than \(output.seconds(timeout)) s and was stopped; raise --ocr-timeout to read it, or pass --no-ocr")
        }
        guard output.status == 0 else {
            let detail = output.stderr.split(whereSeparator: \.isNewline).last.map { ": \($0)" } ?? ""
            throw InputError(path: path, code: .ocrFailed,
                message: "\(what) failed (\((tool as NSString).lastPathComponent) exit \(output.status))\(detail); the file may be damaged or in a variant the tool cannot read")
        }
        return output.stdout
    }
}

/// Looks for the OCR engine once, when the first image or PDF needs it (a scan without images
/// never starts Tesseract), and remembers the answer for every worker.
public final class OCRProvider: Sendable {
    private let timeout: Duration
    private let concurrency: Int
    private let found = Locked<Result<OCREngine, OCREngine.Unavailable>?>(nil)

    public init(timeout: Duration = .seconds(30), concurrency: Int) {
        self.timeout = timeout
        self.concurrency = concurrency
    }

    /// The engine, or nil when it is unavailable.
    public var engine: OCREngine? {
        found.withLock { found in
            if found == nil { found = OCREngine.discover(timeout: timeout, concurrency: concurrency) }
            return try? found?.get()
        }
    }

    /// Why OCR is unavailable, once it has been looked for and not found.
    public var unavailable: String? {
        found.withLock { found in
            guard case let .failure(reason)? = found else { return nil }
            return reason.reason
        }
    }
}

private extension ExternalTool.Output {
    func seconds(_ duration: Duration) -> Int { Int(duration.components.seconds) }
}
