import Foundation
import MirrorStore
import VolunteerAPI

/// Where front ends' mutations enter: validated, then written in one transaction with their
/// photo uploads, their optimistic effect and journal entries, and only then acknowledged with
/// their local ids. Operators list, retry and discard entries here.
public struct Outbox: Sendable {
    private let store: MirrorStore
    /// Told when there is something new to send.
    private let wake: @Sendable () async -> Void

    public init(store: MirrorStore, wake: @escaping @Sendable () async -> Void = {}) {
        self.store = store
        self.wake = wake
    }

    /// Validates and enqueues a mutation of `kind` for `context`'s user. Throws a
    /// ``MutationError`` naming the field before anything is written. Returns the entries
    /// created: the photo uploads first, the mutation itself last.
    @discardableResult
    public func submit(_ kind: MutationKind, parameters: [String: JSONValue], context: MutationContext?) async throws -> [OutboxEntry] {
        let draft = try Mutation.validate(kind, parameters: parameters, role: context?.role)
        guard let context else { throw MutationError.notLoggedIn }
        return try await enqueue(draft, context: context)
    }

    /// Enqueues a validated draft (see ``Mutation/validate(_:parameters:role:)``). A commit the
    /// disk refused throws a ``StorageError`` saying whether the mutation can still come back.
    @discardableResult
    public func enqueue(_ draft: MutationDraft, context: MutationContext) async throws -> [OutboxEntry] {
        do {
            return try await enqueueOnce(draft, context: context)
        } catch {
            if let failure = await store.storageError(after: error) { throw failure }
            throw error
        }
    }

    private func enqueueOnce(_ draft: MutationDraft, context: MutationContext) async throws -> [OutboxEntry] {
        let result = try await store.enqueue { transaction in
            var uploads: [Int] = []
            // An upload heads its own chain, `upload:<its id>`, which its dependents join: they
            // are ready only once it is applied (or discarded). Without it in that chain, a
            // dependent was ready at once, was picked in the same turn as its upload, found no
            // URL yet and was rejected ("photo upload #n was not applied").
            if case .uploadPhoto = draft.mutation {
                let id = try transaction.add(
                    NewOutboxEntry(
                        account: context.account, kind: draft.mutation.kind.rawValue, arguments: try JSONValue(encoding: draft.mutation), chains: [],
                        blob: draft.attachments.first))
                try transaction.addChain("upload:\(id)", to: id)
                return
            }
            for blob in draft.attachments {
                let upload = Mutation.uploadPhoto(contentType: blob.contentType, filename: blob.filename)
                let id = try transaction.add(
                    NewOutboxEntry(account: context.account, kind: upload.kind.rawValue, arguments: try JSONValue(encoding: upload), chains: [], blob: blob))
                try transaction.addChain("upload:\(id)", to: id)
                uploads.append(id)
            }
            var tempID = 0
            if let created = draft.mutation.createdRecord {
                tempID = try transaction.allocateTempID(created.collection)
            }
            let mutation = draft.mutation.assigning(tempID: tempID, uploads: uploads)
            try transaction.add(
                NewOutboxEntry(
                    account: context.account, kind: mutation.kind.rawValue, arguments: try JSONValue(encoding: mutation),
                    chains: mutation.chains,  // photo uploads' chains included (`Mutation.chains`)
                    effects: try mutation.effects(in: transaction, context: context)))
        }
        await wake()
        return result.entries
    }

    /// Entries of `account` (every account's when nil), filtered by state and kind.
    public func entries(
        states: Set<OutboxState>? = nil, kind: MutationKind? = nil, account: String? = nil, afterID: Int = 0, limit: Int = 100
    ) async throws -> [OutboxEntry] {
        try await store.outboxEntries(states: states, kind: kind?.rawValue, account: account, afterID: afterID, limit: limit)
    }

    /// An operator's retry of a parked or rejected entry. False in any other state.
    public func retry(_ id: Int, context: MutationContext) async throws -> Bool {
        let retried = try await store.retry(id) { entry, transaction in
            guard let mutation = Replayer.decode(entry) else { return [] }
            return try mutation.effects(in: transaction, context: context)
        }
        if retried { await wake() }
        return retried
    }

    /// An operator's discard of a queued, parked or rejected entry (its effect rolled back).
    /// False in any other state: an entry that may be on the server is never dropped. A
    /// discarded entry is never sent again, so what it held only to be sent goes with it
    /// (``Mutation/discardedForm``).
    public func discard(_ id: Int) async throws -> Bool {
        let discarded = try await store.discard(
            id,
            scrubbed: { entry in
                Replayer.decode(entry)?.discardedForm.flatMap { try? JSONValue(encoding: $0) }
            })
        if discarded { await wake() }
        return discarded
    }
}
