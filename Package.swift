// swift-tools-version: 6.2
// vdsync: an offline-first sync agent for the Volunteer Doctor API.
// The layout follows ../shared/DESIGN.md: one library per part, thin executables on top.
import PackageDescription

/// Every target of our own is built in Swift 6 mode with warnings treated as errors,
/// so `swift build` stays warning-free for the project's own code.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error)
]

let package = Package(
    name: "vdsync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vdsyncd", targets: ["vdsyncd"]),
        .executable(name: "vdsync", targets: ["vdsync"]),
        .executable(name: "vdapi", targets: ["vdapi"]),
        .executable(name: "vdkiosk", targets: ["vdkiosk"]),
        .library(name: "VolunteerAPI", targets: ["VolunteerAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // The wire model of the documented API: values only, no I/O.
        .target(name: "VolunteerAPI", swiftSettings: strict),
        .target(
            name: "UpstreamClient",
            dependencies: [
                "VolunteerAPI", "Redaction",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MirrorStore",
            dependencies: [
                "VolunteerAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SyncEngine",
            dependencies: ["VolunteerAPI", "UpstreamClient", "MirrorStore"],
            swiftSettings: strict
        ),
        // JSON-RPC 2.0 over a Unix socket: framing, dispatch, subscriptions, peer credentials,
        // limits. Generic: nothing of vdsync's domain.
        .target(
            name: "LocalRPC",
            dependencies: [
                "VolunteerAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The methods front ends call, over the engine and the mirror, and their OpenRPC document.
        .target(
            name: "LocalAPI",
            dependencies: ["LocalRPC", "VolunteerAPI", "MirrorStore", "SyncEngine", "UpstreamClient", "Redaction"],
            swiftSettings: strict
        ),
        // A client of the socket for vdsync, the kiosk and tests: the transport's messages and
        // NIO, never the store or the HTTP client.
        .target(
            name: "SocketClient",
            dependencies: [
                "LocalRPC", "VolunteerAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // What never reaches a log line or a screen: secret and personal keys, numbers and
        // tokens in text. Foundation only, so every layer may use it.
        .target(name: "Redaction", swiftSettings: strict),
        // sd_notify, the watchdog, socket activation and journald-friendly logging, on plain Glibc
        // sockets: no libsystemd to link or ship.
        .target(
            name: "Systemd",
            dependencies: ["Redaction", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The clinic's screens: a loopback web app over the socket (server-rendered HTML, SSE),
        // with its guards against other local users. Reaches vdsyncd through SocketClient only.
        .target(
            name: "Kiosk",
            dependencies: [
                "SocketClient", "LocalRPC", "VolunteerAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ReferenceServer",
            dependencies: [
                "VolunteerAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),

        // Starts vdapi in-process for tests of any module that needs "the upstream" (and an
        // image host on another port, for the image cache's).
        .target(
            name: "ReferenceServerTestKit",
            dependencies: [
                "ReferenceServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "vdsyncd",
            dependencies: [
                "SyncEngine", "LocalRPC", "LocalAPI", "Systemd", "MirrorStore", "UpstreamClient", "VolunteerAPI", "Redaction",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vdsync",
            dependencies: [
                "SocketClient", "LocalRPC", "Redaction", "VolunteerAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // vdkiosk: the clinic's screens on loopback; flags, lifecycle and sd_notify only.
        .executableTarget(
            name: "vdkiosk",
            dependencies: [
                "Kiosk", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vdapi",
            dependencies: [
                "ReferenceServer",
                "VolunteerAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The benchmark harness of bench/ (issue #8): drives vdapi, the sync engine, vdsyncd and
        // the floors, and prints what they measure. Built in release mode by bench/run.
        .executableTarget(
            name: "vdbench",
            dependencies: [
                "SyncEngine", "MirrorStore", "UpstreamClient", "VolunteerAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .testTarget(
            name: "VolunteerAPITests",
            dependencies: ["VolunteerAPI"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UpstreamClientTests",
            dependencies: [
                "UpstreamClient", "Redaction", "VolunteerAPI", "ReferenceServer", "ReferenceServerTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MirrorStoreTests",
            dependencies: ["MirrorStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: [
                "SyncEngine", "MirrorStore", "UpstreamClient", "ReferenceServer", "ReferenceServerTestKit",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LocalRPCTests",
            dependencies: [
                "LocalRPC", "LocalAPI", "SocketClient", "vdsync", "VolunteerAPI", "MirrorStore", "SyncEngine", "UpstreamClient", "ReferenceServer",
                "ReferenceServerTestKit", "Kiosk",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SystemdTests",
            dependencies: ["Systemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RedactionTests",
            dependencies: ["Redaction"],
            swiftSettings: strict
        ),
        // vdsyncd as a real child process (the binary next to the test bundle) against an
        // in-process vdapi, with a NOTIFY_SOCKET of the test's own.
        .testTarget(
            name: "vdsyncdTests",
            dependencies: [
                "vdsyncd", "ReferenceServer", "ReferenceServerTestKit", "VolunteerAPI", "SyncEngine",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReferenceServerTests",
            dependencies: [
                "ReferenceServer", "ReferenceServerTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
