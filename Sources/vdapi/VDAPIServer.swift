import ArgumentParser
import Foundation
import Logging
import ReferenceServer
import ServiceLifecycle
import VolunteerAPI

/// `vdapi`: the reference implementation of the documented Volunteer Doctor API.
@main
struct VDAPIServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdapi",
        abstract: "A faithful reference server of the documented Volunteer Doctor API, for tests and demos.",
        discussion: """
            Serves every endpoint of the document over its own SQLite database. SMS and captcha \
            codes are fixed in development (123456 and 1234) unless --random-codes is given. \
            Fault injection and inspection are on a separate loopback admin port (--admin-port); \
            see docs/reference-server.md.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "API port (0 picks a free one).")
    var port = 8080

    @Option(help: "Loopback port of the admin listener (faults, clock, inspection); none when omitted.")
    var adminPort: Int?

    @Option(help: "SQLite database file; in memory when omitted.")
    var database: String?

    @Option(help: "Seed an empty database: 'demo' for a small realistic world, 'scale:N' for N projects.")
    var seed: SeedOption?

    @Option(help: "Seed number of 'scale:N' worlds, so the same number builds the same world.")
    var seedNumber: UInt64 = 1

    @Flag(help: "Random SMS and captcha codes, logged with the phone masked, instead of fixed ones.")
    var randomCodes = false

    @Option(help: "Base URL for uploaded files' URLs; http://HOST:PORT when omitted.")
    var publicURL: String?

    @Option(help: "Quirks mode: vary the JSON of answers as legacy PHP servers do, deterministically from this seed.")
    var quirks: UInt64?

    @Flag(help: "With --quirks, vary the choices per answer as well (the same record may read differently each time).")
    var quirksPerAnswer = false

    @Option(help: "HTTP compression: 'on' gzips JSON and text answers of 1 kB or more when the request accepts it (as nginx); 'off': plain.")
    var compression: Switch = .on

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Flag(help: "Print the documented endpoint catalogue as JSON and exit (input of scripts/openapi.py).")
    var printCatalogue = false

    func validate() throws {
        if quirksPerAnswer, quirks == nil { throw ValidationError("--quirks-per-answer needs --quirks SEED") }
    }

    mutating func run() async throws {
        if printCatalogue {
            say(try CatalogueExport.json())
            return
        }
        var logger = Logger(label: "vdapi")
        logger.logLevel = logLevel
        var configuration = ReferenceServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.adminPort = adminPort
        configuration.publicBaseURL = publicURL
        if randomCodes { configuration.codes = .random }
        configuration.compression = compression == .on
        if let quirks { configuration.quirks = QuirkSettings(seed: quirks, perAnswer: quirksPerAnswer) }

        let store = try ReferenceDatabase(database.map { .file($0) } ?? .memory)
        var summary: String?
        if let seed {
            summary = try await seed.apply(to: store, seedNumber: seedNumber, configuration: configuration)
        }
        // The summary's curl lines name the configured address; with port 0 the real one is
        // known only once the server listens, so the summary waits for it.
        let configured = Seed.baseURL(configuration)
        let seeded = summary
        let server = ReferenceServer(
            configuration: configuration, database: store, logger: logger,
            onListening: { addresses in
                let actual = addresses.api.absoluteString
                if let seeded { say(seeded.replacingOccurrences(of: configured, with: actual)) }
                var line = "vdapi listening on \(actual)"
                if let admin = addresses.admin { line += " (admin \(admin.absoluteString))" }
                say(line)
            })
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// `--seed demo` or `--seed scale:N`.
enum SeedOption: ExpressibleByArgument, Sendable {
    case demo
    case scale(Int)

    init?(argument: String) {
        if argument == "demo" {
            self = .demo
        } else if argument.hasPrefix("scale:"), let count = Int(argument.dropFirst(6)), count > 0 {
            self = .scale(count)
        } else {
            return nil
        }
    }

    func apply(to database: ReferenceDatabase, seedNumber: UInt64, configuration: ReferenceServerConfiguration) async throws -> String {
        switch self {
        case .demo: try await Seed.demo(into: database, configuration: configuration)
        case .scale(let count): try await Seed.scale(projects: count, seed: seedNumber, into: database, configuration: configuration)
        }
    }
}

/// `on` or `off`, as an option's value.
enum Switch: String, ExpressibleByArgument, CaseIterable, Sendable {
    case on, off
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes a line to standard output at once (it is read by scripts waiting for the server).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
