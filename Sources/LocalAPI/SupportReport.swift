import Foundation
import MirrorStore
import Redaction
import SyncEngine
import VolunteerAPI

/// The support bundle of `support.report` (`vdsync report`): what support needs to tell what is
/// wrong with a kiosk, and nothing of the people it serves.
///
/// It holds versions, the configuration (masked by the daemon), the status, the outbox's entries
/// by id, kind, state, counts, times and error codes, the last errors, the database's integrity
/// check and a snapshot of the metrics. It never holds a token, a password, a phone or ID-card
/// number, a name or a message's text: no record and no argument is read, upstream messages are
/// left out, and every free text passes ``scrubbed(_:)``.
struct SupportReport {
    var versions: [String: String]
    var configuration: [String: String]
    var status: SyncAgent.Status
    var entries: [OutboxEntry]
    var integrity: [String]
    var metrics: String?
    var generatedAt: Date

    /// A free text of the daemon's own (English) with personal numbers masked and every run of
    /// other scripts replaced by `…`: the upstream's messages are Chinese and may name people.
    static func scrubbed(_ text: String) -> String {
        var out = ""
        var skipping = false
        for scalar in PersonalNumbers.masked(text).unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
                skipping = false
            } else if !skipping {
                out += "…"
                skipping = true
            }
        }
        return out
    }

    var json: JSONValue {
        var outbox: [String: JSONValue] = [:]
        for state in OutboxState.allCases { outbox[state.rawValue] = .integer(status.outbox[state] ?? 0) }
        let statusJSON: JSONValue = [
            "connectivity": .string("\(status.connectivity)"), "session": .string(status.session.rawValue),
            "role": status.role.map { .string("\($0)") } ?? .null,
            "last_pulls": .object(status.lastPulls.mapValues { .string(Self.iso($0)) }),
            "outbox_of_the_account": .object(outbox), "outbox_other_accounts": .integer(status.outboxOtherAccounts),
            "outbox_paused_for_login": .bool(status.outboxPausedForLogin),
        ]
        return [
            "generated_at": .string(Self.iso(generatedAt)),
            "versions": .object(versions.mapValues(JSONValue.string)),
            "configuration": .object(configuration.mapValues { .string(Self.scrubbed($0)) }),
            "status": statusJSON,
            "last_errors": .array(status.lastErrors.map { .string(Self.scrubbed($0)) }),
            "outbox": .array(entries.map(Self.entry)),
            "integrity_check": .array(integrity.map { .string(Self.scrubbed($0)) }),
            "metrics": metrics.map(JSONValue.string) ?? .null,
        ]
    }

    /// An entry without its arguments, its result or the upstream's message.
    static func entry(_ entry: OutboxEntry) -> JSONValue {
        [
            "mutation_id": .integer(entry.id), "kind": .string(entry.kind), "state": .string(entry.state.rawValue),
            "attempts": .integer(entry.attempts), "checks": .integer(entry.checks),
            "created_at": .string(iso(entry.createdAt)), "updated_at": .string(iso(entry.updatedAt)),
            "next_attempt_at": .string(iso(entry.nextAttemptAt)),
            "upstream_error_code": entry.errorCode.map(JSONValue.integer) ?? .null,
            "last_error": entry.lastError.map { .string(scrubbed($0)) } ?? .null,
        ]
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
