import Foundation
import Testing
@testable import TrawlCore

/// Files that change or are swapped while Trawl reads them.
@Suite struct FileSourceTests {
    static func temporaryFile(_ bytes: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-source-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: bytes)))
        return path
    }

    /// Read until the end, in 64 KiB reads.
    static func drain(_ source: FileSource) throws(InputError) -> Int {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { (b) throws(InputError) -> Int in try source.read(into: b.baseAddress!, count: b.count) }
            if n == 0 { return total }
            total += n
        }
    }

    @Test func aFileThatShrinksWhileReadIsAnError() throws {
        let path = try Self.temporaryFile(1 << 20)
        defer { unlink(path) }
        let source = try FileSource(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let first = try buffer.withUnsafeMutableBufferPointer { (b) throws(InputError) -> Int in try source.read(into: b.baseAddress!, count: b.count) }
        #expect(first == 1 << 16)
        #expect(truncate(path, 100_000) == 0)
        do {
            _ = try Self.drain(source)
            Issue.record("no error for a file cut from 1 MiB to 100000 bytes")
        } catch {
            #expect(error.code == .readFailed)
            #expect(error.message.contains("shrank from 1048576 to 100000 bytes"))
        }
    }

    @Test func aFileThatGrowsOrIsDeletedIsReadToItsEnd() throws {
        let path = try Self.temporaryFile(1000)
        let source = try FileSource(path: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        handle.write(Data(repeating: 0x62, count: 500))
        try handle.close()
        unlink(path)
        #expect(try Self.drain(source) == 1500)
    }

    @Test func aFIFOIsNeverOpenedForABlockingRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(throws: InputError.self) { _ = try FileSource(path: path) }
        #expect(throws: InputError.self) { _ = try FileSource.readText(path: path) }
    }

    @Test func configurationFilesAreReadWithALimit() throws {
        let path = try Self.temporaryFile(5000)
        defer { unlink(path) }
        #expect(try FileSource.readText(path: path).count == 5000)
        #expect(throws: InputError.self) { _ = try FileSource.readText(path: path, limit: 4096) }
    }
}
