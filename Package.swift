// swift-tools-version: 6.2
// vdsync: an offline-first sync agent for the Volunteer Doctor API.
// The layout follows ../shared/DESIGN.md: one library per part, thin executables on top.
import PackageDescription

/// Every target of our own is built in Swift 6 mode with warnings treated as errors,
/// so `swift build` stays warning-free for the project's own code.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "vdsync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vdsyncd", targets: ["vdsyncd"]),
        .executable(name: "vdsync", targets: ["vdsync"]),
        .executable(name: "vdapi", targets: ["vdapi"]),
        .library(name: "VolunteerAPI", targets: ["VolunteerAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The wire model of the documented API: values only, no I/O.
        .target(name: "VolunteerAPI", swiftSettings: strict),
        .target(name: "UpstreamClient", dependencies: ["VolunteerAPI"], swiftSettings: strict),
        .target(name: "MirrorStore", dependencies: ["VolunteerAPI"], swiftSettings: strict),
        .target(
            name: "SyncEngine",
            dependencies: ["VolunteerAPI", "UpstreamClient", "MirrorStore"],
            swiftSettings: strict
        ),
        .target(name: "LocalRPC", dependencies: ["VolunteerAPI", "MirrorStore"], swiftSettings: strict),
        .target(name: "Systemd", swiftSettings: strict),
        .target(name: "ReferenceServer", dependencies: ["VolunteerAPI"], swiftSettings: strict),

        .executableTarget(
            name: "vdsyncd",
            dependencies: [
                "SyncEngine", "LocalRPC", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vdsync",
            dependencies: [
                "LocalRPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vdapi",
            dependencies: [
                "ReferenceServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .testTarget(
            name: "VolunteerAPITests",
            dependencies: ["VolunteerAPI"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "UpstreamClientTests", dependencies: ["UpstreamClient"], swiftSettings: strict),
        .testTarget(name: "MirrorStoreTests", dependencies: ["MirrorStore"], swiftSettings: strict),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine"], swiftSettings: strict),
        .testTarget(name: "LocalRPCTests", dependencies: ["LocalRPC"], swiftSettings: strict),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd"], swiftSettings: strict),
        .testTarget(name: "ReferenceServerTests", dependencies: ["ReferenceServer"], swiftSettings: strict),
    ]
)
