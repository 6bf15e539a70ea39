import Foundation
import Yams

/// The detectors in use: the built-in ones shipped as package resources, plus or overridden by
/// the files of `--detectors DIR` (same id replaces).
public struct DetectorCatalog: Sendable {
    public let detectors: [Detector]

    public init(detectors: [Detector]) {
        self.detectors = detectors
    }

    /// The directory holding the built-in detector files.
    public static var builtinDirectory: URL? {
        Bundle.module.url(forResource: "Detectors", withExtension: nil)
    }

    public static func builtin() throws(CatalogError) -> DetectorCatalog {
        try load(extraDirectories: [])
    }

    public static func load(extraDirectories: [URL], includeBuiltin: Bool = true) throws(CatalogError) -> DetectorCatalog {
        var byID: [String: Detector] = [:]
        var order: [String] = []
        var directories: [URL] = []
        if includeBuiltin {
            guard let builtin = builtinDirectory else {
                throw CatalogError(file: "Detectors", message: "the built-in detector resources are missing from this build")
            }
            directories.append(builtin)
        }
        directories += extraDirectories
        for directory in directories {
            for detector in try loadDirectory(directory) {
                if byID[detector.id] == nil { order.append(detector.id) }
                byID[detector.id] = detector
            }
        }
        return DetectorCatalog(detectors: order.compactMap { byID[$0] })
    }

    static func loadDirectory(_ directory: URL) throws(CatalogError) -> [Detector] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CatalogError(file: directory.path, message: "not a directory of detector files (*.yaml)")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw CatalogError(file: directory.path, message: "cannot list the directory: check its permissions")
        }
        var seen: Set<String> = []
        var result: [Detector] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let url = directory.appendingPathComponent(name)
            let detector = try loadFile(url)
            let stem = (name as NSString).deletingPathExtension
            guard detector.id == stem else {
                throw CatalogError(file: url.path, message: "id '\(detector.id)' must equal the file name '\(stem)'")
            }
            guard seen.insert(detector.id).inserted else {
                throw CatalogError(file: url.path, message: "duplicate id '\(detector.id)'")
            }
            result.append(detector)
        }
        return result
    }

    public static func loadFile(_ url: URL) throws(CatalogError) -> Detector {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CatalogError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        let definition: DetectorDefinition
        do {
            definition = try YAMLDecoder().decode(DetectorDefinition.self, from: text)
        } catch let error as DecodingError {
            throw CatalogError(file: url.path, message: describe(error))
        } catch {
            throw CatalogError(file: url.path, message: "\(error)")
        }
        return try Detector(definition, source: url.path)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing key '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(path(context)): \(context.debugDescription)\(underlying)"
        @unknown default:
            return "\(error)"
        }
    }

    public func detector(id: String) -> Detector? { detectors.first { $0.id == id } }
}
