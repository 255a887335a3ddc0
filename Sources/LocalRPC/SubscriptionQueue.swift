import NIOCore

/// The notifications of one connection's subscriptions that are waiting to be written: a plain
/// value, so the bounds and the order are tested without sockets.
///
/// Guarantees: at most `maxPending` notifications wait per subscription; the one that would
/// exceed it replaces them all with a single `resync_required` and ends the subscription; nothing
/// of a subscription is delivered before it is activated (after the reply that created it);
/// subscriptions take turns, so one busy subscription cannot starve another.
struct SubscriptionQueue: Sendable {
    enum Item: Sendable, Hashable {
        /// An encoded notification line, without its newline.
        case notification([UInt8])
        case resyncRequired
    }

    enum Offer: Sendable, Hashable {
        case queued
        /// The subscription fell behind: its queue was replaced with a resync notice and it ended.
        case overflowed
        /// The subscription no longer exists (or has already ended); nothing was queued.
        case ended
    }

    struct Entry: Sendable {
        let method: String
        /// The call that created it, so a failed call's subscriptions can be discarded.
        let creator: UInt64
        var pending = CircularBuffer<Item>()
        /// Its creating reply has been written; until then nothing of it is delivered.
        var active = false
        /// Ended with a resync notice still to deliver; it accepts nothing more.
        var ending = false
    }

    let maxPending: Int
    let maxSubscriptions: Int
    private(set) var entries: [String: Entry] = [:]
    /// Creation order, walked round-robin by `next()`.
    private var order: [String] = []
    private var cursor = 0
    private var nextNumber = 1

    init(maxPending: Int, maxSubscriptions: Int) {
        precondition(maxPending > 0 && maxSubscriptions > 0)
        self.maxPending = maxPending
        self.maxSubscriptions = maxSubscriptions
    }

    /// Subscriptions that still accept notifications.
    var liveIDs: [String] { order.filter { entries[$0]?.ending == false } }

    func isLive(_ id: String) -> Bool { entries[id]?.ending == false }

    func pendingCount(_ id: String) -> Int { entries[id]?.pending.count ?? 0 }

    /// A new subscription's id, or nil when the connection already has `maxSubscriptions`.
    mutating func add(method: String, creator: UInt64) -> String? {
        guard liveIDs.count < maxSubscriptions else { return nil }
        let id = "s\(nextNumber)"
        nextNumber += 1
        entries[id] = Entry(method: method, creator: creator)
        order.append(id)
        return id
    }

    mutating func offer(_ line: [UInt8], to id: String) -> Offer {
        guard isLive(id) else { return .ended }
        if pendingCount(id) >= maxPending {
            // Mutated in place through the dictionary so the buffer is not copied.
            entries[id]!.pending.removeAll()
            entries[id]!.pending.append(.resyncRequired)
            entries[id]!.ending = true
            return .overflowed
        }
        entries[id]!.pending.append(.notification(line))
        return .queued
    }

    /// Replaces what a live subscription has queued with a single `resync_required` and ends it,
    /// as an overflow does: for an application that cannot catch its client up (it asks for
    /// changes older than those kept). True when it was live.
    mutating func requireResync(_ id: String) -> Bool {
        guard isLive(id) else { return false }
        entries[id]!.pending.removeAll()
        entries[id]!.pending.append(.resyncRequired)
        entries[id]!.ending = true
        return true
    }

    /// Ends a subscription at once, dropping what it had queued; true when it was live.
    @discardableResult
    mutating func remove(_ id: String) -> Bool {
        guard let index = order.firstIndex(of: id) else { return false }
        let wasLive = isLive(id)
        entries[id] = nil
        order.remove(at: index)
        if index < cursor { cursor -= 1 }
        if cursor >= order.count { cursor = 0 }
        return wasLive
    }

    /// Removes every subscription a call created; returns those that were live.
    mutating func removeAll(createdBy creator: UInt64) -> [String] {
        let ids = order.filter { entries[$0]?.creator == creator }
        return ids.filter { remove($0) }
    }

    /// Removes everything; returns the subscriptions that were live.
    mutating func removeAll() -> [String] {
        let live = liveIDs
        entries.removeAll()
        order.removeAll()
        cursor = 0
        return live
    }

    mutating func activateAll() {
        for id in order where entries[id]?.active == false { entries[id]!.active = true }
    }

    var hasDeliverable: Bool {
        order.contains { id in entries[id].map { $0.active && !$0.pending.isEmpty } ?? false }
    }

    /// The next item to write, taking subscriptions in turn; an ended subscription disappears
    /// once its resync notice has been taken.
    mutating func next() -> (id: String, method: String, item: Item)? {
        for step in 0..<order.count {
            let index = (cursor + step) % order.count
            let id = order[index]
            let deliverable = entries[id].map { $0.active && !$0.pending.isEmpty } ?? false
            guard deliverable else { continue }
            let item = entries[id]!.pending.removeFirst()
            let method = entries[id]!.method
            if entries[id]!.ending && entries[id]!.pending.isEmpty {
                entries[id] = nil
                order.remove(at: index)
                cursor = order.isEmpty ? 0 : index % order.count
            } else {
                cursor = (index + 1) % order.count
            }
            return (id, method, item)
        }
        return nil
    }
}
