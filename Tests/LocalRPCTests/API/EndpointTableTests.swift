import Foundation
import Logging
import MirrorStore
import SyncEngine
import Testing
import UpstreamClient
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// docs/local-api.md, "Every documented endpoint", has one row per endpoint of the catalogue,
/// and every socket method a row names is one the daemon serves.
@Suite("Every documented endpoint")
struct EndpointTableTests {
    static let page = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/local-api.md")

    /// The rows of the section's first table: endpoint (`METHOD /path`) → the socket method cell.
    static func rows() throws -> [(endpoint: String, methods: String)] {
        let text = try String(contentsOf: page, encoding: .utf8)
        guard let start = text.range(of: "### Every documented endpoint\n") else { return [] }
        var rows: [(String, String)] = []
        var inTable = false
        for line in text[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                if inTable { break }
                continue
            }
            inTable = true
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 4, cells[2].hasPrefix("`") else { continue }
            rows.append((cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[4]))
        }
        return rows
    }

    @Test("each endpoint of the catalogue has exactly one row")
    func everyEndpointHasARow() throws {
        let rows = try Self.rows()
        let documented = rows.map(\.endpoint)
        for endpoint in Endpoint.all {
            let key = "\(endpoint.method.rawValue) \(endpoint.path.template)"
            #expect(documented.filter { $0 == key }.count == 1, "\(key) (§\(endpoint.section)) needs one row")
        }
        #expect(rows.count == Endpoint.all.count, "rows: \(rows.count), endpoints: \(Endpoint.all.count)")
    }

    @Test("every method a row names is served by the socket")
    func namedMethodsExist() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "endpoint-table")
        let store = try MirrorStore(path: directory + "/mirror.sqlite")
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!), logger: logger)
        let agent = SyncAgent(store: store, client: client, configuration: .init(), logger: logger)
        let served = Set(try LocalAPI(agent: agent).registry().names)
        try await client.shutdown()
        let pattern = /`([a-z_]+\.[a-zA-Z_]+)`/
        var named = Set<String>()
        for row in try Self.rows() {
            for match in row.methods.matches(of: pattern) { named.insert(String(match.1)) }
        }
        #expect(named.count > 40)
        #expect(named.subtracting(served).isEmpty, "named but not served: \(named.subtracting(served).sorted())")
        // The count the Methods section states is the registry's.
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let stated = try #require(text.firstMatch(of: /authoritative list: (\d+) application methods/)).1
        #expect(Int(stated) == served.count, "docs/local-api.md says \(stated) application methods; the registry serves \(served.count)")
    }
}
