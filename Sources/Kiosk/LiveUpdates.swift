import Hummingbird
import LocalRPC
import Logging
import NIOCore
import ServiceLifecycle
import SocketClient
import VolunteerAPI

/// `GET /events`: the browser's Server-Sent Events stream. Each browser gets a socket connection
/// of its own subscribed to `changes.subscribe`; each change becomes an `event: change` with
/// the journal seq as its id, so EventSource's automatic reconnect sends `Last-Event-ID` and the
/// stream resumes with `since_seq` from there. The status strip's facts (online, outbox counts,
/// login) are not journalled, so `status` is re-read every ``KioskConfiguration/statusRefresh``
/// and an `event: status` is sent when the strip would change.
struct LiveUpdates: Sendable {
    let link: DaemonLink
    let statusRefresh: Duration
    let logger: Logger

    /// EventSource waits this long before reconnecting (the `retry:` field), in milliseconds.
    static let reconnectMilliseconds = 2000

    enum Event: Sendable {
        case change(seq: Int?)
        case status
        case ended
    }

    func response(lastEventID: String?) async -> Response {
        let since = lastEventID.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let client: LocalRPCClient
        do {
            client = try await link.openSubscriptionConnection()
            _ = try await client.call("changes.subscribe", since.map { ["since_seq": .integer($0)] } ?? [:])
        } catch let failure as DaemonFailure {
            return Response(status: failure == .loginNeeded ? .unauthorized : .serviceUnavailable)
        } catch {
            return Response(status: .serviceUnavailable)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        let body = ResponseBody { [link, statusRefresh, logger] writer in
            defer { logger.debug("live stream ended") }
            try await writer.write(ByteBuffer(string: "retry: \(Self.reconnectMilliseconds)\n\n"))
            let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(256))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.forwardChanges(from: client, to: continuation) }
                group.addTask { await Self.watchStatus(link: link, every: statusRefresh, to: continuation) }
                // A stream never ends by itself: vdkiosk's shutdown ends it, so stopping does not wait on open pages.
                group.addTask {
                    try? await gracefulShutdown()
                    continuation.yield(.ended)
                }
                do {
                    stream: for await event in events {
                        switch event {
                        case .change(let seq):
                            try await writer.write(ByteBuffer(string: "event: change\n\(seq.map { "id: \($0)\n" } ?? "")data: \(seq ?? 0)\n\n"))
                        case .status:
                            try await writer.write(ByteBuffer(string: "event: status\ndata: 1\n\n"))
                        case .ended:
                            break stream
                        }
                    }
                } catch {
                    // The browser went away: nothing to tell it.
                }
                group.cancelAll()
            }
            continuation.finish()
            await client.close()
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Each `changes` notification as a change; after `resync_required`, a change without a seq
    /// (re-read everything) and a fresh subscription from now.
    static func forwardChanges(from client: LocalRPCClient, to continuation: AsyncStream<Event>.Continuation) async {
        for await notification in client.notifications {
            if notification.method == RPCNotification.resyncRequiredMethod {
                continuation.yield(.change(seq: nil))
                _ = try? await client.call("changes.subscribe", [:])
            } else {
                continuation.yield(.change(seq: notification.params["seq"]?.intValue))
            }
        }
        continuation.yield(.ended)
    }

    static func watchStatus(link: DaemonLink, every interval: Duration, to continuation: AsyncStream<Event>.Continuation) async {
        var last: StatusStrip?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            guard let status = try? await link.call("status") else {
                continuation.yield(.ended)
                return
            }
            let strip = StatusStrip(status: status)
            if let last, last != strip { continuation.yield(.status) }
            last = strip
        }
    }
}
