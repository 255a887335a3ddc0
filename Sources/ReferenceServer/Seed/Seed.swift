import Foundation

/// Seed worlds for an empty database: `demo` (small and realistic, for people) and
/// `scale` (large and deterministic, for benchmarks). Each returns a summary to print.
public enum Seed {
    public static func demo(into database: ReferenceDatabase, configuration: ReferenceServerConfiguration) async throws -> String {
        try await DemoSeed(configuration: configuration).run(database)
    }

    /// The API's base URL as the summaries print it (a wildcard host shown as 127.0.0.1).
    public static func baseURL(_ configuration: ReferenceServerConfiguration) -> String {
        SeedSupport.baseURL(configuration)
    }

    public static func scale(projects: Int, seed: UInt64, into database: ReferenceDatabase, configuration: ReferenceServerConfiguration) async throws -> String
    {
        try await ScaleSeed(projects: projects, seed: seed, configuration: configuration).run(database)
    }
}
