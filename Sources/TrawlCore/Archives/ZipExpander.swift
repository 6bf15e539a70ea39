import Foundation
import ZIPFoundation

/// Zip archives through ZIPFoundation: members in central-directory order, each extracted into
/// memory under the limits, then handed over as a `MemorySource`.
enum ZipExpander {
    static let chunk = 1 << 16

    static func forEachMember(source: ByteSource, filePath: String?, displayPath: String, budget: ArchiveBudget,
                              onMemberError: (InputError) -> Void,
                              body: (ArchiveMember) throws(InputError) -> Void) throws(InputError) {
        let archive: Archive
        let archiveBytes: Int64
        do {
            if let filePath {
                archiveBytes = (try? FileManager.default.attributesOfItem(atPath: filePath)[.size] as? NSNumber)?.int64Value ?? 0
                archive = try Archive(url: URL(fileURLWithPath: filePath), accessMode: .read)
            } else {
                let data = try readAll(source, displayPath: displayPath, budget: budget)
                archiveBytes = Int64(data.count)
                archive = try Archive(data: data, accessMode: .read)
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(path: displayPath, code: .parseFailed, message: "not a readable zip archive (\(error))")
        }

        var archiveProduced: Int64 = 0
        for entry in archive {
            try budget.addMember(path: displayPath)
            guard entry.type == .file else { continue }  // directories and symlinks
            let name = normalisedMemberName(entry.path)
            let memberPath = displayPath + "!/" + name
            if isEncrypted(entry) {
                onMemberError(InputError(path: memberPath, code: .unsupported,
                    message: "encrypted zip member: not scanned (Trawl does not decrypt archives)"))
                continue
            }
            let compressed = Int64(clamping: entry.compressedSize)
            let declared = Int64(clamping: entry.uncompressedSize)
            try budget.checkMemberBytes(declared, what: "zip member '\(name)' (declared size)", path: displayPath)

            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(min(declared, Int64(chunk) * 16)))
            var limitError: InputError?
            let checksum: CRC32
            do {
                checksum = try archive.extract(entry, bufferSize: chunk, skipCRC32: false, progress: nil) { data in
                    do throws(InputError) {
                        let n = Int64(data.count)
                        archiveProduced += n
                        try budget.checkMemberBytes(Int64(bytes.count) + n, what: "zip member '\(name)'", path: displayPath)
                        try budget.addBytes(n, path: displayPath)
                        try budget.checkRatio(produced: Int64(bytes.count) + n, compressed: compressed,
                                              what: "zip member '\(name)'", path: displayPath)
                        try budget.checkRatio(produced: archiveProduced, compressed: archiveBytes,
                                              what: "zip archive", path: displayPath)
                    } catch {
                        limitError = error
                        throw error
                    }
                    bytes.append(contentsOf: data)
                }
            } catch {
                if let limitError { throw limitError }
                onMemberError(memberError(error, path: memberPath))
                continue
            }
            if checksum != entry.checksum {
                onMemberError(InputError(path: memberPath, code: .decodeFailed,
                    message: "corrupt zip member: CRC-32 mismatch (not scanned)"))
                continue
            }
            try body(ArchiveMember(name: name, source: MemorySource(bytes), size: Int64(bytes.count)))
        }
    }

    /// A zip that is not a file on disk (standard input, a member of another archive) is read
    /// into memory, up to `maxMemberBytes`.
    static func readAll(_ source: ByteSource, displayPath: String, budget: ArchiveBudget) throws(InputError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { (p) throws(InputError) -> Int in
                try source.read(into: p.baseAddress!, count: p.count)  // safe: non-empty buffer
            }
            if n == 0 { return data }
            try budget.checkMemberBytes(Int64(data.count + n), what: "zip archive read into memory", path: displayPath)
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Encryption flag (general-purpose bit 0) of the central directory record. ZIPFoundation
    /// 0.9.x keeps it internal, so it is read by reflection; if that ever fails, an encrypted
    /// member still fails its CRC check or decompression and is reported as corrupt.
    static func isEncrypted(_ entry: Entry) -> Bool {
        guard let record = Mirror(reflecting: entry).descendant("centralDirectoryStructure"),
              let flags = Mirror(reflecting: record).descendant("generalPurposeBitFlag") as? UInt16 else { return false }
        return flags & 0x1 != 0 || flags & 0x40 != 0  // traditional / strong encryption
    }

    static func memberError(_ error: Error, path: String) -> InputError {
        if let archiveError = error as? Archive.ArchiveError, archiveError == .invalidCompressionMethod {
            return InputError(path: path, code: .unsupported, message: "zip member uses a compression method Trawl cannot read (only stored and deflate): not scanned")
        }
        return InputError(path: path, code: .decodeFailed, message: "corrupt zip member (\(error)): not scanned")
    }
}
