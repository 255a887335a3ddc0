import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    static let entrySchema = RPCSchema.object(
        [
            "mutation_id": RPCSchema.integer(), "kind": RPCSchema.string(),
            "state": RPCSchema.enumeration(OutboxState.allCases.map(\.rawValue)),
            "attempts": RPCSchema.integer(), "checks": RPCSchema.integer(), "chains": RPCSchema.array(of: RPCSchema.string()),
            "created_at": RPCSchema.string(), "updated_at": RPCSchema.string(), "next_attempt_at": RPCSchema.string(),
            "last_error": RPCSchema.oneOf([RPCSchema.string(), RPCSchema.null]),
            "sent_at": RPCSchema.oneOf([RPCSchema.string(description: "ISO 8601: when the last request left"), RPCSchema.null]),
            "settles_at": RPCSchema.oneOf([
                RPCSchema.string(
                    description:
                        "ISO 8601: set while a read-back did not find the effect but the last send may still take effect upstream; read again, not sent again before then"
                ), RPCSchema.null,
            ]),
            "upstream_error_code": RPCSchema.oneOf([RPCSchema.integer(), RPCSchema.null]),
            "upstream_error_message": RPCSchema.oneOf([RPCSchema.string(), RPCSchema.null]),
            "result": RPCSchema.any,
        ], required: ["mutation_id", "kind", "state"])

    func outboxMethods() -> [RPCMethod] {
        [
            RPCMethod(
                "outbox.list", summary: "Mutations in the outbox, oldest first, by state and kind.", access: .read,
                params: [
                    .optional("states", RPCSchema.array(of: RPCSchema.enumeration(OutboxState.allCases.map(\.rawValue)))),
                    .optional("kind", RPCSchema.enumeration(MutationKind.allCases.map(\.rawValue))),
                    .optional("after_id", RPCSchema.integer()), .optional("limit", RPCSchema.integer(description: "1-1000, default 100")),
                ],
                result: .init("entries", RPCSchema.array(of: Self.entrySchema))
            ) { params, _ in
                var states: Set<OutboxState>?
                if let given = try params.optionalArray("states") {
                    states = []
                    for (index, value) in given.enumerated() {
                        guard case .string(let name) = value, let state = OutboxState(rawValue: name) else {
                            throw RPCError.invalidParams(field: "states[\(index)]", problem: "is not an outbox state")
                        }
                        states?.insert(state)
                    }
                }
                let kind = try params.optionalString("kind").map { name throws(RPCError) -> MutationKind in
                    guard let kind = MutationKind(rawValue: name) else { throw RPCError.invalidParams(field: "kind", problem: "is not a mutation kind") }
                    return kind
                }
                guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
                let entries = try await agent.outbox.entries(
                    states: states, kind: kind, account: context.account, afterID: try params.optionalInt("after_id") ?? 0,
                    limit: try params.optionalInt("limit", in: 1...1000) ?? 100)
                return .array(entries.map(Self.entry))
            },
            RPCMethod(
                "outbox.get", summary: "One mutation of the outbox.", access: .read, params: [.required("mutation_id", RPCSchema.integer())],
                result: .init("entry", Self.entrySchema)
            ) { params, _ in
                Self.entry(try await ownEntry(try params.requiredInt("mutation_id")).entry)
            },
            RPCMethod(
                "outbox.retry", summary: "Retries a parked or rejected mutation (a parked one that was sent is checked by reading first).",
                access: .write, params: [.required("mutation_id", RPCSchema.integer())], result: .init("entry", Self.entrySchema)
            ) { params, _ in
                let id = try params.requiredInt("mutation_id")
                let context = try await ownEntry(id).context
                guard try await agent.outbox.retry(id, context: context), let entry = try await store.outboxEntry(id) else {
                    throw RPCError.invalidState("only a parked or rejected mutation can be retried")
                }
                return Self.entry(entry)
            },
            RPCMethod(
                "outbox.discard", summary: "Discards a queued, parked or rejected mutation; its effect is rolled back.", access: .write,
                params: [.required("mutation_id", RPCSchema.integer())], result: .init("entry", Self.entrySchema)
            ) { params, _ in
                let id = try params.requiredInt("mutation_id")
                _ = try await ownEntry(id)
                guard try await agent.outbox.discard(id), let entry = try await store.outboxEntry(id) else {
                    throw RPCError.invalidState("only a queued, parked or rejected mutation can be discarded; one that may be upstream cannot")
                }
                return Self.entry(entry)
            },
        ]
    }

    /// Entry `id`, when it belongs to the logged-in account: another account's entries are not
    /// found, so that nothing of one account is seen while another is logged in.
    private func ownEntry(_ id: Int) async throws -> (entry: OutboxEntry, context: MutationContext) {
        guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
        guard let entry = try await store.outboxEntry(id), entry.account == context.account else { throw RPCError.notFound("mutation") }
        return (entry, context)
    }

    /// An entry as the socket shows it: never its arguments (a created patient's password, an
    /// SMS code).
    static func entry(_ entry: OutboxEntry) -> JSONValue {
        [
            "mutation_id": .integer(entry.id), "kind": .string(entry.kind), "state": .string(entry.state.rawValue),
            "attempts": .integer(entry.attempts), "checks": .integer(entry.checks), "chains": .array(entry.chains.map(JSONValue.string)),
            "created_at": .string(iso(entry.createdAt)), "updated_at": .string(iso(entry.updatedAt)),
            "next_attempt_at": .string(iso(entry.nextAttemptAt)), "last_error": entry.lastError.map(JSONValue.string) ?? .null,
            "sent_at": entry.sentAt.map { .string(iso($0)) } ?? .null, "settles_at": entry.settlesAt.map { .string(iso($0)) } ?? .null,
            "upstream_error_code": entry.errorCode.map(JSONValue.integer) ?? .null,
            "upstream_error_message": entry.errorMessage.map(JSONValue.string) ?? .null, "result": entry.result ?? .null,
        ]
    }
}
