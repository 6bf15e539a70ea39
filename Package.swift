// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "Trawl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trawl", targets: ["trawl"]),
        .library(name: "TrawlCore", targets: ["TrawlCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CTrawlZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The prefilter's loops that Swift compiles poorly: SSE2 or AVX2 classification, the line
        // measurement, the anchor walk (each header says why).
        .target(name: "CTrawlKernels"),
        .target(
            name: "TrawlCore",
            dependencies: [
                "CPCRE2", "CLibXML2", "CSQLite", "CTrawlZlib", "CTrawlKernels",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Detectors"), .copy("Policies")],
            // The engine's hot loops mutate worker and reader state held by classes; dynamic
            // exclusivity checks cost ~18 % of a release scan (Benchmarks/RESULTS.md, issue 6).
            // Static checking still applies, and debug builds (the tests) keep the dynamic one.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "trawl",
            dependencies: ["TrawlCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What both test targets use (test targets share no source).
        .target(name: "TrawlTestSupport", path: "Tests/TrawlTestSupport"),
        .testTarget(
            name: "TrawlCoreTests",
            dependencies: [
                "TrawlCore", "TrawlTestSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "TrawlCLITests",
            dependencies: ["TrawlCore", "trawl", "TrawlTestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer executable (issue 7), declared only when TRAWL_FUZZ=1: it calls libFuzzer's driver,
// which only `-sanitize=fuzzer` links, so it would break a plain `swift build`. `make fuzz` builds
// it in its own scratch path (Sources/TrawlFuzz/main.swift says why not `-parse-as-library`):
//   TRAWL_FUZZ=1 swift build -c release --product TrawlFuzz --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
if ProcessInfo.processInfo.environment["TRAWL_FUZZ"] == "1" {
    package.products.append(.executable(name: "TrawlFuzz", targets: ["TrawlFuzz"]))
    package.targets += [
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(name: "TrawlFuzz", dependencies: ["TrawlCore", "CLibFuzzer"]),
    ]
}
