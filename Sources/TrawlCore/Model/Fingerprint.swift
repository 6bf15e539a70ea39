import Crypto
import Foundation

/// Stable identities for findings and violations: HMAC-SHA256 under a per-project key over the
/// detector, the normalised value and the field (never the line, so re-ordering a dump does not
/// change them). Without the key nobody can test a guessed value against a fingerprint; no raw
/// value and no unkeyed hash of one is ever written.
public struct Fingerprinter: Sendable {
    /// The key's bytes (`SymmetricKey` is not `Sendable`; one is made per fingerprint).
    private let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    /// ASCII letters lower-cased, digits and other scalars kept, separators (spaces, dots,
    /// dashes, slashes, parentheses) dropped: `06 12 34 56 78` and `06.12.34.56.78` agree.
    static func normalise(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for b in value {
            switch b {
            case 0x41...0x5A: out.append(b | 0x20)
            case 0x20, 0x09, 0x0A, 0x0D, 0x2E, 0x2D, 0x2F, 0x28, 0x29, 0x5F: continue
            default: out.append(b)
            }
        }
        return out
    }

    private func mac(_ parts: [[UInt8]]) -> String {
        var h = HMAC<SHA256>(key: SymmetricKey(data: key))
        for part in parts {
            h.update(data: part)
            h.update(data: [0])
        }
        return Data(h.finalize()).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    public func finding(detector: String, value: UnsafeBufferPointer<UInt8>, field: String?) -> String {
        mac([Array("finding".utf8), Array(detector.utf8), Self.normalise(value), Array((field ?? "").utf8)])
    }

    public func violation(_ v: Violation) -> String {
        mac([Array("violation".utf8), Array(v.kind.rawValue.utf8), Array(v.path.utf8), Array((v.table ?? "").utf8),
             Array((v.field ?? "").utf8), Array((v.category ?? "").utf8)])
    }

    /// The project key: `TRAWL_FINGERPRINT_KEY` if set, else the key file, created on first use
    /// (32 random bytes, hex, mode 0600 in a 0700 folder).
    public static func loadKey(environment: [String: String], keyFile: String) throws -> [UInt8] {
        if let text = environment["TRAWL_FINGERPRINT_KEY"], !text.isEmpty { return Array(text.utf8) }
        let fm = FileManager.default
        if let data = fm.contents(atPath: keyFile) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 32 else { throw KeyError(message: "the fingerprint key file \(keyFile) is too short (32 characters at least)") }
            return Array(text.utf8)
        }
        let folder = (keyFile as NSString).deletingLastPathComponent
        if !folder.isEmpty { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        guard fm.createFile(atPath: keyFile, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw KeyError(message: "cannot create the fingerprint key file \(keyFile); set TRAWL_FINGERPRINT_KEY instead")
        }
        return Array(key.utf8)
    }

    public struct KeyError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// Fingerprints and counts of a scan's findings and violations (`--write-baseline`), versioned,
/// without values: what a later `--baseline` scan compares against.
public struct Baseline: Sendable, Codable, Equatable {
    public static let schemaID = "trawl.baseline/v1"
    public var schema: String
    public var findings: [String: Int]
    public var violations: [String: Int]

    public init(findings: [String: Int] = [:], violations: [String: Int] = [:]) {
        self.schema = Self.schemaID
        self.findings = findings
        self.violations = violations
    }
}

/// What a `--baseline` scan found against its baseline.
public struct BaselineReport: Sendable, Codable, Equatable {
    public var file: String
    public var newFindings = 0
    public var unchangedFindings = 0
    public var newViolations = 0
    public var unchangedViolations = 0
    /// Baseline entries nothing matched any more: fingerprint and how many are gone.
    public var stale: [String: Int] = [:]

    public init(file: String) { self.file = file }

    enum CodingKeys: String, CodingKey {
        case file
        case newFindings = "new_findings"
        case unchangedFindings = "unchanged_findings"
        case newViolations = "new_violations"
        case unchangedViolations = "unchanged_violations"
        case stale
    }
}
