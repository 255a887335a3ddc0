import Foundation
import LocalRPC
import MirrorStore
import Synchronization
import VolunteerAPI

extension LocalAPI {
    func changeMethods() -> [RPCMethod] {
        [
            RPCMethod(
                "changes.subscribe",
                summary: "Subscribes to change notifications (method `changes`), each with its journal seq; resumable from a seq.",
                description:
                    "Notifications: {subscription, seq, collection, id, operation}. A subscriber that falls behind, or asks for a seq older than the journal keeps (it is bounded, and a logout's wipe empties it), gets one resync_required and is dropped: read again, then subscribe from the last seq seen.",
                access: .read,
                params: [
                    .optional("collections", RPCSchema.array(of: RPCSchema.enumeration(MirrorCollection.allCases.map(\.rawValue) + ["outbox"]))),
                    .optional("since_seq", RPCSchema.integer(description: "send every change after this seq first")),
                ],
                result: .init(
                    "subscription", RPCSchema.object(["subscription": RPCSchema.string(), "seq": RPCSchema.integer(description: "the journal's last seq now")]))
            ) { params, context in
                var topics: Set<String>?
                if let given = try params.optionalArray("collections") {
                    topics = []
                    for (index, value) in given.enumerated() {
                        guard case .string(let name) = value, JournalEntry.Topic(name: name) != nil else {
                            throw RPCError.invalidParams(field: "collections[\(index)]", problem: "is not a collection")
                        }
                        topics?.insert(name)
                    }
                }
                let current = try await store.lastSeq()
                let since = try params.optionalInt("since_seq", in: 0...Int.max) ?? current
                let feed = Mutex<Task<Void, Never>?>(nil)
                let sink = try context.subscribe(notificationMethod: "changes") { _ in
                    feed.withLock { $0?.cancel() }
                }
                let task = Task { [store] in
                    var last = since
                    for await top in store.journalUpdates() where top > last {
                        // Entries after `last` were trimmed (or wiped): the client cannot be
                        // caught up from the journal, and must read again.
                        if let horizon = try? await store.journalHorizon(), last < horizon {
                            sink.requireResync()
                            return
                        }
                        while last < top, !Task.isCancelled {
                            guard let entries = try? await store.journal(after: last, limit: 500), !entries.isEmpty else { break }
                            for entry in entries {
                                last = entry.seq
                                guard topics?.contains(entry.topic.name) ?? true else { continue }
                                let notification: [String: JSONValue] = [
                                    "seq": .integer(entry.seq), "collection": .string(entry.topic.name), "id": .integer(entry.recordID),
                                    "operation": .string(entry.operation.rawValue),
                                ]
                                if sink.send(notification) == .ended { return }
                            }
                        }
                        if Task.isCancelled { return }
                    }
                }
                feed.withLock { $0 = task }
                if since < (try await store.journalHorizon()) {
                    // Asked for changes no longer kept: one resync_required once this reply is out.
                    sink.requireResync()
                    task.cancel()
                }
                if !sink.isLive { task.cancel() }
                return ["subscription": .string(sink.id), "seq": .integer(current)]
            },
            RPCMethod(
                "changes.unsubscribe", summary: "Ends a change subscription of this connection.", access: .read,
                params: [.required("subscription", RPCSchema.string())], result: .init("ended", RPCSchema.boolean())
            ) { params, context in
                .bool(context.connection?.unsubscribe(try params.requiredString("subscription")) ?? false)
            },
        ]
    }
}
