import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// The faults that fired for one request, and how they act on its connection.
struct AppliedFaults: Sendable {
    let rules: [FaultRule]

    private func first(_ action: FaultRule.Action) -> FaultRule? {
        rules.first { $0.action == action }
    }

    /// Applies what happens before the handler: delays, token expiry, resets, hangs and early
    /// errors. Returns the response to send instead of running the handler, if any.
    func applyBeforeHandler(context: APIContext, state: ServerState, token: String?) async throws -> Answer? {
        guard !rules.isEmpty else { return nil }
        for rule in rules where rule.action == .delay {
            try await Task.sleep(for: .milliseconds(rule.delayMilliseconds ?? 1000))
        }
        if first(.expireToken) != nil, let token {
            let now = state.now.timeIntervalSince1970
            try await state.database.write { db in
                try db.execute(sql: "UPDATE session SET expires_at = ? WHERE token = ?", arguments: [now - 1, token])
            }
        }
        if first(.resetBeforeHandler) != nil {
            throw await reset(context.channel)
        }
        if let rule = first(.hang) {
            try? await Task.sleep(for: .milliseconds(rule.delayMilliseconds ?? 60_000))
            throw await reset(context.channel)
        }
        if let rule = first(.serverErrorBeforeHandler) {
            return Self.serverError(rule.status ?? 500)
        }
        return nil
    }

    /// Applies what happens after the handler has committed: a lost reply, an error status,
    /// or a truncated body.
    func applyAfterHandler(to answer: Answer, context: APIContext) async throws -> Response {
        guard !rules.isEmpty else { return answer.response }
        if first(.resetAfterCommit) != nil {
            throw await reset(context.channel)
        }
        if let rule = first(.serverErrorAfterCommit) {
            return Self.serverError(rule.status ?? 502).response
        }
        if first(.truncateBody) != nil {
            return truncated(answer)
        }
        return answer.response
    }

    /// Closes the connection with a TCP reset (SO_LINGER 0), so the client sees the
    /// connection reset rather than a clean close.
    private func reset(_ channel: any Channel) async -> InjectedResetError {
        if let socket = channel as? any SocketOptionProvider {
            _ = try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
        return InjectedResetError()
    }

    private static func serverError(_ status: Int) -> Answer {
        let status = HTTPResponse.Status(code: (500...599).contains(status) ? status : 500)
        return Answer(
            status: status, headers: [.contentType: "text/html"],
            body: ByteBuffer(string: "<html><body><h1>\(status.code) \(status.reasonPhrase)</h1></body></html>"))
    }

    /// The answer with its full `Content-Length` but only half its body, then a failure
    /// that makes the server close the connection.
    private func truncated(_ answer: Answer) -> Response {
        let whole = answer.body
        let half = whole.getSlice(at: whole.readerIndex, length: whole.readableBytes / 2) ?? ByteBuffer()
        var headers = answer.headers
        headers[.contentLength] = String(whole.readableBytes)
        // Sent as it is, even to a client that asks for gzip: the declared length is the plain body's.
        if let marker = HTTPField.Name(ResponseCompression.identityMarker) { headers[marker] = "1" }
        return Response(
            status: answer.status, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(half)
                throw InjectedResetError()
            })
    }
}

/// The error that ends a request whose connection fault injection closed.
struct InjectedResetError: Error {}
