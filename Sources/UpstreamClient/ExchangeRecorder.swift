import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// The AsyncHTTPClient delegate of one request: it records what the classifier needs — whether
/// the request head left, the answer's head, the body up to ``UpstreamConfiguration/maximumBodySize``,
/// the error — as they happen. The delegate API is used (rather than `execute(_:deadline:)`)
/// because it alone tells when the request head was handed to the connection, which is what
/// separates "retryable" from "unknown", and its deadline covers the whole body.
final class ExchangeRecorder: HTTPClientResponseDelegate {
    typealias Response = Void

    private struct State: Sendable {
        var requestSent = false
        var head: HTTPResponseHead?
        var body = ByteBuffer()
        /// Every body byte that arrived (after decoding), kept or not.
        var decodedBytes = 0
        var finished = false
        var error: (any Error)?
    }

    private let state = Mutex(State())
    private let maximumBodySize: Int

    init(maximumBodySize: Int) {
        self.maximumBodySize = maximumBodySize
    }

    func didSendRequestHead(task: HTTPClient.Task<Void>, _ head: HTTPRequestHead) {
        state.withLock { $0.requestSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { state in
            // An answer can only come to a request that was sent.
            state.requestSent = true
            state.head = head
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let limit = maximumBodySize
        let fits = state.withLock { state -> Bool in
            state.decodedBytes += buffer.readableBytes
            guard state.body.readableBytes + buffer.readableBytes <= limit else { return false }
            var part = buffer
            state.body.writeBuffer(&part)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(BodyTooLargeError())
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        state.withLock { state in
            if state.error == nil { state.error = error }
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        state.withLock { $0.finished = true }
    }

    /// What the link carried for this answer: its head (nil when none came) and the body bytes
    /// that arrived, after decoding.
    var received: (head: HTTPResponseHead?, decodedBytes: Int) {
        state.withLock { ($0.head, $0.decodedBytes) }
    }

    /// What happened, once the task has ended (with `error` if it failed).
    func exchange(error: (any Error)?, timedOut: Bool) -> UpstreamExchange {
        state.withLock { state in
            let failure = error ?? state.error ?? (state.finished ? nil : HTTPClientError.remoteConnectionClosed)
            return UpstreamExchange(
                requestSent: state.requestSent,
                status: state.head.map { Int($0.status.code) },
                headers: state.head?.headers ?? [:],
                body: failure == nil ? state.body : nil,
                error: failure,
                timedOut: failure != nil && timedOut)
        }
    }
}
