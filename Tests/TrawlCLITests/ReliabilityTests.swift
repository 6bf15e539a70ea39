import Foundation
import Testing
import TrawlTestSupport

/// Issue 7: nothing touched, nothing leaked, reports written whole, file-system faults survived.
@Suite struct ReliabilityTests {
    // MARK: Reports are written whole, or not at all

    /// A scan reading a standard input that never ends is interrupted: it exits 128 + the
    /// signal, and the previous report is still there, with no temporary file beside it.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func anInterruptedScanLeavesThePreviousReport(signal: Int32, expected: Int32) throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let report = dir.appendingPathComponent("report.json")
        try Data("previous report\n".utf8).write(to: report)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["scan", "-", "-o", report.path, "--format", "json", "--no-policy"]
        process.currentDirectoryURL = dir
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Some data, then nothing more: the scan waits on its input.
        input.fileHandleForWriting.write(Data("contact: jeanne.martin@orange.fr\n".utf8))
        let temporary = dir.appendingPathComponent(".report.json.trawl-\(process.processIdentifier)")
        #expect(waitUntil { FileManager.default.fileExists(atPath: temporary.path) }, "the report is written to a temporary file first")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(process.terminationReason == .exit && process.terminationStatus == expected)
        #expect(try String(contentsOf: report, encoding: .utf8) == "previous report\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
    }

    @Test func reportsBaselinesAndInventoriesAreWrittenPrivately() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let report = dir.appendingPathComponent("report.sarif"), baseline = dir.appendingPathComponent("baseline.json")
        let inventory = dir.appendingPathComponent("inventory.html")
        // A previous world-readable report is replaced by a private one.
        try Data("old".utf8).write(to: report)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: report.path)
        let scan = try CLI.run(["scan", CLI.samples.path, "--format", "sarif", "-o", report.path, "--write-baseline", baseline.path], cwd: dir)
        #expect(scan.status == 1, "\(scan.stderr)")
        let map = try CLI.run(["inventory", CLI.samples.path, "--format", "html", "-o", inventory.path], cwd: dir)
        #expect(map.status == 0, "\(map.stderr)")
        for file in [report, baseline, inventory] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file.lastPathComponent)")
            #expect(((attributes[.size] as? Int) ?? 0) > 1000, "\(file.lastPathComponent)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".trawl") || $0 == ".trawl" }
        #expect(Set(names) == [".trawl", "report.sarif", "baseline.json", "inventory.html"], "no temporary file is left: \(names)")
    }

    /// A merge that fails after its output file is opened (a detectors folder or a policy that
    /// does not load) leaves the previous report and no temporary file beside it.
    @Test func aFailedMergeLeavesNoTemporaryFile() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let shard = dir.appendingPathComponent("shard.json"), report = dir.appendingPathComponent("out.sarif")
        let scan = try CLI.run(["scan", CLI.samples.path, "--format", "json", "--no-policy", "-o", shard.path], cwd: dir)
        #expect(scan.status == 1, "\(scan.stderr)")
        try Data("previous report\n".utf8).write(to: report)
        let bad = dir.appendingPathComponent("bad.yaml")
        try Data("not: [a, policy\n".utf8).write(to: bad)
        let runs = [["--format", "sarif", "--detectors", dir.appendingPathComponent("missing").path],
                    ["--format", "csv", "--policy", bad.path]]
        for arguments in runs {
            let merge = try CLI.run(["merge", shard.path, "-o", report.path] + arguments, cwd: dir)
            #expect(merge.status == 64, "\(arguments): \(merge.stderr)")
            #expect(try String(contentsOf: report, encoding: .utf8) == "previous report\n")
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != ".trawl" }
            #expect(Set(names) == ["shard.json", "out.sarif", "bad.yaml"], "\(arguments): \(names)")
        }
    }

    @Test func anUnwritableReportIsAClearErrorBeforeTheScan() throws {
        let result = try CLI.run(["scan", "Samples/exports", "-o", "/nonexistent-dir/report.json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("/nonexistent-dir/report.json") && result.stderr.contains("No such file or directory"))
    }

    // MARK: Nothing touched

    /// Contents, sizes, modes, modification and access times of every file of a copy of the
    /// Samples are the same after scans in every format (access times were set in the past, so a
    /// plain read would move them under `relatime`; Trawl opens with `O_NOATIME`).
    @Test func theScannedTreeIsUnchanged() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.copyItem(at: CLI.samples, to: tree)
        let contents = try Self.contents(tree)
        // Listed once: listing a folder moves its access time.
        let paths = try Self.files(under: tree) + [tree.path]
        // Access times before modification times: under `relatime` any plain read moves them.
        for path in paths {
            var times = [timespec(tv_sec: 1_600_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_100, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0)
        }
        let before = Self.metadata(paths)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for format in ["text", "json", "sarif", "markdown"] {
            let result = try CLI.run(["scan", tree.path, "--format", format, "-o", out.appendingPathComponent("r.\(format)").path, "--write-baseline", out.appendingPathComponent("b.json").path], cwd: out)
            #expect(result.status == 1, "\(result.stderr)")
        }
        _ = try CLI.run(["inventory", tree.path, "--format", "csv"], cwd: out)
        let after = Self.metadata(paths)
        #expect(before.count > 15)
        #expect(after == before, "changed: \(after.filter { before[$0.key] != $0.value }.keys.sorted())")
        #expect(try Self.contents(tree) == contents)
    }

    // MARK: Nothing leaked

    /// Every byte Trawl writes, in every format and every output, holds none of the planted
    /// values (unless --show-values, which is checked to print them, so the search can fail).
    @Test func noRawValueInAnyOutput() throws {
        let secrets = try Manifest.load().secrets
        #expect(secrets.count > 100)
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        var written: [String: String] = [:]
        func record(_ name: String, _ arguments: [String]) throws {
            let result = try CLI.run(arguments, cwd: dir)
            written[name + " stdout"] = result.stdout
            written[name + " stderr"] = result.stderr
        }
        for format in ["text", "json", "sarif", "markdown"] {
            try record("scan \(format)", ["scan", CLI.samples.path, "--format", format])
            try record("scan \(format) colour", ["scan", CLI.samples.path, "--format", format, "--color", "always", "--no-policy"])
        }
        let report = dir.appendingPathComponent("r.json").path, baseline = dir.appendingPathComponent("b.json").path
        try record("scan to file", ["scan", CLI.samples.path, "--format", "json", "-o", report, "--write-baseline", baseline])
        for format in ["csv", "json", "html", "fides"] {
            try record("inventory \(format)", ["inventory", CLI.samples.path, "--format", format])
        }
        try record("merge", ["merge", report, "--format", "csv"])
        try record("diff", ["diff", report, report])
        for file in [report, baseline] {
            written[file] = try String(contentsOfFile: file, encoding: .utf8)
        }
        let everything = written.values.joined(separator: "\n")
        #expect(everything.count > 500_000)
        let leaked = secrets.filter { everything.contains($0) }
        let where_ = leaked.prefix(3).map { value in written.filter { $0.value.contains(value) }.keys.sorted().joined(separator: ", ") }
        #expect(leaked.isEmpty, "\(leaked.count) raw values written, in: \(where_)")
        let shown = try CLI.run(["scan", CLI.samples.path, "--format", "json", "--show-values"], cwd: dir)
        #expect(secrets.filter { shown.stdout.contains($0) }.count > secrets.count / 2, "the search finds values when they are printed")
    }

    /// `trawl.yaml` and `.trawlignore` in the scanned folder are read as data: keys naming
    /// files, URLs or commands do nothing (a FIFO outside the root would hang the scan if opened,
    /// a listener on the loopback sees no connection), and a YAML alias bomb is refused quickly.
    @Test func configurationInTheScannedTreeIsData() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        let fifo = dir.appendingPathComponent("outside.fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let listener = try LoopbackListener()
        let url = "http://127.0.0.1:\(listener.port)/x"
        try Data("email: jeanne.martin@orange.fr\n".utf8).write(to: tree.appendingPathComponent("good.txt"))
        try Data("""
            schema: trawl.config/v1
            include: \(fifo)
            policy: \(fifo)
            detectors: \(url)
            command: "sh -c 'touch \(dir.path)/pwned'"
            datasets:
              - match: { path: "\(fifo)" }
                subjects: [students]
                purposes: [\(url)]
            """.utf8).write(to: tree.appendingPathComponent("trawl.yaml"))
        try Data("\(fifo)\n\(url)\n../outside.fifo\n".utf8).write(to: tree.appendingPathComponent(".trawlignore"))
        let run = try Child.run(["scan", tree.path, "--format", "json"], timeout: 60)
        #expect(!run.timedOut && run.seconds < 30)
        #expect(run.status == 0 || run.status == 1 || run.status == 64, "\(run.stderr)")
        #expect(!listener.wasContacted())
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))

        var bomb = ["schema: trawl.config/v1", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in 1..<12 { bomb.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        bomb.append("datasets: *a11")
        try Data(bomb.joined(separator: "\n").utf8).write(to: tree.appendingPathComponent("trawl.yaml"))
        let refused = try Child.run(["scan", tree.path], timeout: 60)
        #expect(!refused.timedOut && refused.seconds < 30 && refused.maxResidentBytes < 500 << 20)
        #expect(refused.status == 64 && refused.stderr.contains("trawl.yaml"), "\(refused.stderr)")
    }

    // MARK: File-system faults

    /// An unreadable file and an unreadable folder are per-input errors, a FIFO and a character
    /// device are skipped without being opened (a blocking read would hang), and the rest is read.
    @Test func unreadableAndSpecialFilesDoNotStopTheScan() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("locked"), withIntermediateDirectories: true)
        try Data("email: jeanne.martin@orange.fr\n".utf8).write(to: tree.appendingPathComponent("good.txt"))
        try Data("email: paul.durand@orange.fr\n".utf8).write(to: tree.appendingPathComponent("secret.txt"))
        try Data("email: anne.petit@orange.fr\n".utf8).write(to: tree.appendingPathComponent("locked/inside.txt"))
        #expect(mkfifo(tree.appendingPathComponent("pipe").path, 0o644) == 0)
        let device = tree.appendingPathComponent("zero").path
        let haveDevice = getuid() == 0 && mknod(device, S_IFCHR | 0o644, (1 << 8) | 5) == 0  // /dev/zero
        chmod(tree.appendingPathComponent("secret.txt").path, 0o000)
        chmod(tree.appendingPathComponent("locked").path, 0o000)
        // Searchable again at the end, or a user other than root could not remove the folder.
        defer { chmod(tree.appendingPathComponent("locked").path, 0o755) }
        for path in [dir.path, tree.path] { chmod(path, 0o755) }
        // Root reads everything: drop to nobody for the scan, which then needs to run the binary.
        let arguments = ["scan", tree.path, "--format", "json", "--no-policy"]
        let result = getuid() == 0
            ? try CLI.runCommand("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path] + arguments, cwd: dir)
            : try CLI.run(arguments, cwd: dir)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.compactMap { $0["path"] as? String }.map { URL(fileURLWithPath: $0).lastPathComponent } == ["good.txt"])
        let errors = try #require(report["errors"] as? [[String: Any]])
        let denied = errors.filter { $0["code"] as? String == "permission-denied" }.compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }
        #expect(denied.sorted() == ["locked", "secret.txt"], "\(errors)")
        let skipped = try #require(report["skipped"] as? [[String: Any]])
        let special = skipped.filter { $0["reason"] as? String == "not-a-regular-file" }.compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }
        #expect(special.sorted() == (haveDevice ? ["pipe", "zero"] : ["pipe"]), "\(skipped)")
    }

    /// Devices and FIFOs named on the command line are skipped too (never read: /dev/zero has no end).
    @Test func specialFilesGivenAsRootsAreNotRead() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try CLI.run(["scan", "/dev/zero", fifo, "Samples/exports", "--format", "json", "--no-policy"])
        #expect(result.status == 1, "\(result.stderr)")
        let skipped = try #require(try CLI.json(result.stdout)["skipped"] as? [[String: Any]])
        #expect(Set(skipped.compactMap { $0["path"] as? String }) == ["/dev/zero", fifo])
    }

    /// Symbolic-link loops end; a link out of the root is not followed, even with --follow-symlinks.
    @Test func symlinkLoopsAndLinksOutOfTheRoot() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        let tree = dir.appendingPathComponent("tree"), outside = dir.appendingPathComponent("outside")
        for folder in [tree.appendingPathComponent("sub"), outside] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data("email: jeanne.martin@orange.fr\n".utf8).write(to: tree.appendingPathComponent("sub/in.txt"))
        try Data("email: paul.durand@orange.fr\n".utf8).write(to: outside.appendingPathComponent("out.txt"))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("sub/up").path, withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("a").path, withDestinationPath: "b")
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("b").path, withDestinationPath: "a")
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("escape").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("escape.txt").path, withDestinationPath: outside.appendingPathComponent("out.txt").path)
        for follow in [false, true] {
            let result = try CLI.run(["scan", tree.path, "--format", "json", "--no-policy"] + (follow ? ["--follow-symlinks"] : []))
            #expect(result.status == 1, "\(result.stderr)")
            let report = try CLI.json(result.stdout)
            let findings = try #require(report["findings"] as? [[String: Any]])
            #expect(findings.compactMap { $0["path"] as? String } == [tree.appendingPathComponent("sub/in.txt").path], "follow \(follow)")
            let skipped = try #require(report["skipped"] as? [[String: Any]])
            let links = Set(skipped.filter { $0["reason"] as? String == "symlink" }.compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } })
            #expect(links.isSuperset(of: ["escape", "escape.txt"]), "follow \(follow): \(skipped)")
        }
    }

    /// What is left unread is counted: inputs by reason, and the bytes of those on disk.
    @Test func skippedInputsAndBytesAreCounted() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        try Data(repeating: 0x61, count: 2000).write(to: dir.appendingPathComponent("big.txt"))
        try Data(repeating: 0x62, count: 300).write(to: dir.appendingPathComponent("left-out.log"))
        try Data([0x00, 0x01, 0x02] + [UInt8](repeating: 0, count: 497)).write(to: dir.appendingPathComponent("blob.bin"))
        try Data("email: jeanne.martin@orange.fr\n".utf8).write(to: dir.appendingPathComponent("good.txt"))
        let result = try CLI.run(["scan", dir.path, "--format", "json", "--no-policy", "--max-file-size", "1K", "--exclude", "*.log"])
        #expect(result.status == 1, "\(result.stderr)")
        let summary = try #require(try CLI.json(result.stdout)["summary"] as? [String: Any])
        #expect(summary["skipped"] as? [String: Int] == ["too-large": 1, "excluded": 1, "binary": 1])
        #expect(summary["bytes_skipped"] as? Int == 2800)
        let text = try CLI.run(["scan", dir.path, "--no-policy", "--max-file-size", "1K", "--exclude", "*.log", "--color", "never"])
        #expect(text.stdout.contains("Skipped 3 input(s), 2800 bytes unread"))
    }

    /// Column statistics stop at 10,000 distinct fields per input: that is said, and the
    /// findings past it are still reported.
    @Test func theColumnLimitIsReported() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        var json = "{" + (0..<10_050).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        json += ", \"last\": \"jeanne.martin@orange.fr\"}\n"
        try Data(json.utf8).write(to: dir.appendingPathComponent("wide.json"))
        let result = try CLI.run(["scan", dir.path, "--format", "json", "--no-policy", "--fail-on", "never"])
        #expect(result.status == 2, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.map { $0["code"] as? String } == ["column-limit"])
        #expect((report["findings"] as? [[String: Any]])?.map { $0["field"] as? String } == ["$.last"])
    }

    /// More inputs than `ulimit -n` allows descriptors: files are opened one per worker at a time.
    @Test func moreFilesThanTheDescriptorLimit() throws {
        let dir = try TemporaryDirectory.make("cli")
        defer { TemporaryDirectory.remove(dir) }
        for i in 0..<400 {
            try Data("id;email\n\(i);user\(i)@orange.fr\n".utf8).write(to: dir.appendingPathComponent("f\(i).csv"))
        }
        let result = try CLI.runCommand("/usr/bin/prlimit", ["--nofile=64:64", CLI.binary.path, "scan", dir.path, "--format", "json", "--no-policy", "--jobs", "8"], cwd: dir)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect((report["findings"] as? [[String: Any]])?.count == 400)
        #expect((report["errors"] as? [[String: Any]])?.isEmpty == true)
    }

    // MARK: Helpers

    static func files(under root: URL) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        return enumerator.compactMap { $0 as? String }.map { root.appendingPathComponent($0).path }.sorted()
    }

    /// Path → type, mode, size, inode, modification and access times (read with `lstat` only).
    static func metadata(_ paths: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for path in paths {
            var st = stat()
            #expect(lstat(path, &st) == 0)
            out[path] = "\(st.st_mode) \(st.st_size) \(st.st_ino) m\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) a\(st.st_atim.tv_sec).\(st.st_atim.tv_nsec)"
        }
        return out
    }

    /// Path → contents, for every regular file (the Samples are small).
    static func contents(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try files(under: root) {
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            out[path] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return out
    }
}

/// Polls `condition` every 20 ms for up to 20 s.
func waitUntil(_ condition: () -> Bool) -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
