import ArgumentParser
import Foundation
import LocalRPC
import SocketClient
import VolunteerAPI

/// One call of the local API from a command: connect, call, print the result (a table, or JSON
/// with `--json`), and turn any failure into its documented exit status with a message on stderr.
enum Invocation {
    /// Calls `method` and prints its result; never returns normally on failure.
    static func run(_ global: GlobalOptions, _ method: String, _ params: [String: JSONValue] = [:]) async throws {
        let result = try await call(global, method, params.isEmpty ? nil : .object(params))
        Output.write(global.json ? JSONText.pretty(result) + "\n" : ResultFormatter.render(method: method, result: result))
    }

    /// Calls `method` with `params` (any JSON, or nil for none) and returns its result.
    static func call(_ global: GlobalOptions, _ method: String, _ params: JSONValue?) async throws -> JSONValue {
        let client = try await connect(global)
        let outcome: Result<JSONValue, LocalRPCClientError>
        do {
            outcome = .success(try await client.call(method, params))
        } catch {
            outcome = .failure(error)
        }
        await client.close()
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw fail(error, global)
        }
    }

    static func connect(_ global: GlobalOptions) async throws -> LocalRPCClient {
        do {
            return try await LocalRPCClient.connect(socketPath: global.socketPath)
        } catch {
            throw fail(error, global)
        }
    }

    /// Reports `error` on stderr and returns the exit to throw.
    static func fail(_ error: LocalRPCClientError, _ global: GlobalOptions) -> ExitCode {
        let status = ClientExitStatus(for: error)
        if case .rpc(let rpc) = error {
            if global.json {
                Output.error(JSONText.pretty(rpc.json))
            } else {
                var message = "vdsync: \(rpc.message) (\(rpc.code))"
                if case .string(let field)? = rpc.data?["field"], !rpc.message.contains(field) { message += " [field \(field)]" }
                if case .string(let upstream)? = rpc.data?["upstream_error_message"] { message += "; upstream says: \(upstream)" }
                if rpc.data?["retryable"] == true { message += "; may succeed if retried" }
                Output.error(message)
            }
        } else {
            Output.error("vdsync: \(error)")
        }
        return ExitCode(status.rawValue)
    }
}
