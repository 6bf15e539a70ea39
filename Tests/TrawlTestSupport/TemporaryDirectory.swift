import Foundation

/// A directory of a test's own, `trawl-<label>-<UUID>` in the system's temporary directory. Whoever
/// makes one removes it on the next line, so that a run leaves nothing in /tmp, whether the test
/// passes, fails or throws:
///
///     let dir = try TemporaryDirectory.make("xlsx")
///     defer { TemporaryDirectory.remove(dir) }
///
/// (A target of its own: both test targets use it, and test targets share no source.)
public enum TemporaryDirectory {
    public static func make(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes the directory and everything in it.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}
