import Foundation
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// The built `vdsync` executable as a subprocess against the real local API (AgentWorld): the
/// exit statuses scripts rely on, `--json` output that parses, and the password kept off the
/// command line.
@Suite("vdsync executable")
struct VDSyncBinaryTests {
    /// What one run of `vdsync` did.
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The built `vdsync`, beside the test bundle (`.build/<triple>/debug`); `swift build
    /// --build-tests` builds it with the tests. `VDSYNC_BINARY` overrides.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let given = ProcessInfo.processInfo.environment["VDSYNC_BINARY"] { candidates.append(URL(fileURLWithPath: given)) }
        for bundle in [Bundle.main] + Bundle.allBundles {
            for directory in [bundle.bundleURL.deletingLastPathComponent(), bundle.executableURL?.deletingLastPathComponent()].compactMap({ $0 }) {
                candidates.append(directory.appendingPathComponent("vdsync"))
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/vdsync"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw BinaryMissing(searched: candidates.map(\.path))
        }
        return found
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "vdsync is not built (run `swift build --build-tests`); looked in \(searched.joined(separator: ", "))" }
    }

    /// Runs `vdsync arguments` to the end, output to files so a large output never blocks it, and
    /// without blocking a thread while it runs (the daemon under test shares the process).
    static func vdsync(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Run {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["VDSYNC_SOCKET"] = nil
        merged["VDSYNC_PASSWORD"] = nil
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let outPath = directory + "/out"
        let errPath = directory + "/err"
        let inPath = directory + "/in"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Run(
            status: status, stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }

    @Test("the documented exit statuses: 0 with parseable --json, 2 without a socket, 1 for a bad argument, 3 refused, 4 upstream")
    func exitStatuses() async throws {
        try await AgentWorld.with { world in
            let status = try await Self.vdsync(["status", "--json", "--socket", world.path])
            #expect(status.status == 0, "\(status.stderr)")
            let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(status.stdout.utf8))
            #expect(parsed["session"] == "logged_out")
            #expect(parsed["versions"]?["local_api"] == "1")

            let human = try await Self.vdsync(["--socket", world.path, "status"], environment: ["VDSYNC_SOCKET": "/nonexistent"])
            #expect(human.status == 0 && human.stdout.contains("session") && human.stdout.contains("logged_out"))
            let fromEnvironment = try await Self.vdsync(["status", "--json"], environment: ["VDSYNC_SOCKET": world.path])
            #expect(fromEnvironment.status == 0)

            let missing = try await Self.vdsync(["--socket", "/nonexistent", "status"])
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("does not exist"))

            let usage = try await Self.vdsync(["--socket", world.path, "diagnosis", "mark-done", "--diagnosis-id", "abc"])
            #expect(usage.status == 1)
            #expect(usage.stderr.contains("--diagnosis-id"))
            #expect(try await Self.vdsync(["no-such-command"]).status == 1)

            // Not logged in: the daemon refuses the mutation.
            let refused = try await Self.vdsync(["--socket", world.path, "diagnosis", "mark-done", "--diagnosis-id", "12"])
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("-32011"))
            let refusedJSON = try await Self.vdsync(["--socket", world.path, "--json", "call", "projects.get", "--params", #"{"project_id":999999}"#])
            #expect(refusedJSON.status == 3 && refusedJSON.stdout.isEmpty)
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(refusedJSON.stderr.utf8))["code"] == -32011, "no reads while logged out")

            // The upstream refuses a wrong password; the password came from the environment.
            let wrong = try await Self.vdsync(
                ["--socket", world.path, "login", "--phone", "13800000001", "--role", "doctor"], environment: ["VDSYNC_PASSWORD": "not-the-password"])
            #expect(wrong.status == 4)
            #expect(!wrong.stderr.contains("not-the-password") && !wrong.stdout.contains("13800000001"))
        }
    }

    @Test("login from stdin, then a read as a table and as JSON, and a mutation")
    func loggedIn() async throws {
        try await AgentWorld.with { world in
            let login = try await Self.vdsync(
                ["--socket", world.path, "login", "--phone", "13800000001", "--role", "doctor", "--password-stdin"], stdin: "demo123\n")
            #expect(login.status == 0, "\(login.stderr)")
            #expect(login.stdout.hasPrefix("logged in as doctor"))
            #expect(!login.stdout.contains("demo123") && !login.stderr.contains("demo123"))

            let page = try await Self.vdsync(["--socket", world.path, "hospitals", "list", "--limit", "3", "--json"])
            #expect(page.status == 0)
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(page.stdout.utf8))["total"] != nil)
            let table = try await Self.vdsync(["--socket", world.path, "outbox", "list"])
            #expect(table.status == 0 && table.stdout == "the outbox is empty\n")

            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let sent = try await Self.vdsync(["--socket", world.path, "chat", "send", "--to", String(patient), "--content", "请按时复诊", "--json"])
            #expect(sent.status == 0, "\(sent.stderr)")
            let mutation = try JSONDecoder().decode(JSONValue.self, from: Data(sent.stdout.utf8))
            #expect(mutation["mutation_id"] != nil)

            let methods = try await Self.vdsync(["--socket", world.path, "methods"])
            #expect(methods.status == 0 && methods.stdout.contains("diagnosis.markDone"))
        }
    }

    @Test("the bash completion script is generated")
    func completion() async throws {
        let script = try await Self.vdsync(["--generate-completion-script", "bash"])
        #expect(script.status == 0)
        #expect(script.stdout.contains("_vdsync") && script.stdout.contains("mark-done"))
    }
}

/// `vdsync watch` as a running subprocess: lines as changes happen, and Ctrl-C ends it with 0.
@Suite("vdsync watch")
struct VDSyncWatchTests {
    @Test("watch prints a line per change as it happens, and SIGINT ends it with exit 0")
    func watch() async throws {
        try await AgentWorld.with { world in
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let outPath = directory + "/out"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            let process = Process()
            process.executableURL = try VDSyncBinaryTests.binary()
            process.arguments = ["--socket", world.path, "watch", "--collections", "projects", "--since-seq", "0", "--json"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = FileHandle.nullDevice
            let ended = AsyncStream.makeStream(of: Int32.self)
            process.terminationHandler = { ended.continuation.yield($0.terminationStatus) }
            try process.run()
            // From seq 0, so the login's changes are seen whether the watch subscribed before
            // or after them.
            let client = try await LocalRPCClient.connect(socketPath: world.path)
            _ = try await client.call("session.login", LocalRPCClientTests.doctor)
            await client.close()
            var line: JSONValue?
            let deadline = ContinuousClock.now + .seconds(30)
            while line == nil, ContinuousClock.now < deadline {
                let text = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
                if let first = text.split(separator: "\n").first { line = try JSONDecoder().decode(JSONValue.self, from: Data(first.utf8)) }
                if line == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(line?["collection"] == "projects" && line?["seq"] != nil)
            process.interrupt()
            var iterator = ended.stream.makeAsyncIterator()
            #expect(await iterator.next() == 0)
        }
    }
}
