import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import UpstreamClient
import VolunteerAPI

extension LocalAPI {
    func statusMethods() -> [RPCMethod] {
        [statusMethod(), sessionLoginMethod(), sessionLogoutMethod(), syncNowMethod()]
    }

    private func statusMethod() -> RPCMethod {
        RPCMethod(
            "status", summary: "Connectivity, session, last pulls, outbox counts, last errors, the image cache, the link's bytes per day, versions.",
            access: .read,
            result: .init(
                "status",
                RPCSchema.object([
                    "connectivity": RPCSchema.enumeration(["unknown", "online", "offline"]),
                    "session": RPCSchema.enumeration(["logged_out", "active", "expired"]),
                    "role": RPCSchema.oneOf([RPCSchema.enumeration(["patient", "doctor", "assistant"]), RPCSchema.null]),
                    "user_id": RPCSchema.oneOf([RPCSchema.integer(), RPCSchema.null]),
                    "last_pull": RPCSchema.oneOf([RPCSchema.string(description: "ISO 8601"), RPCSchema.null]),
                    "last_pulls": RPCSchema.object(description: "list key → ISO 8601 time of its last complete pull"),
                    "outbox": RPCSchema.object(description: "state → count"),
                    "outbox_settling": RPCSchema.object(
                        [
                            "count": RPCSchema.integer(
                                description: "unknown entries not found upstream yet whose last send may still take effect there"),
                            "until": RPCSchema.oneOf([RPCSchema.string(description: "ISO 8601: the latest time one may be sent again"), RPCSchema.null]),
                        ]),
                    "outbox_paused_for_login": RPCSchema.boolean(),
                    "outbox_other_accounts": RPCSchema.integer(
                        description: "entries of other accounts not yet applied or discarded: they wait for their account's next login"),
                    "last_errors": RPCSchema.array(of: RPCSchema.string()),
                    "image_cache": RPCSchema.object(
                        [
                            "files": RPCSchema.integer(description: "pictures held"), "bytes": RPCSchema.integer(description: "their bytes"),
                            "cap": RPCSchema.integer(description: "VDSYNC_IMAGE_CACHE_MAX_BYTES; 0: pictures are not kept"),
                            "waiting": RPCSchema.integer(description: "pictures wanted, not downloaded yet"),
                            "failed": RPCSchema.integer(description: "of those, pictures whose last download failed (tried again later)"),
                        ]),
                    "link": RPCSchema.object(
                        [
                            "today": Self.linkDaySchema,
                            "days": RPCSchema.array(of: Self.linkDaySchema),
                        ]),
                    "versions": RPCSchema.object(),
                ]))
        ) { _, _ in
            let status = await agent.status()
            var outbox: [String: JSONValue] = [:]
            for state in OutboxState.allCases { outbox[state.rawValue] = .integer(status.outbox[state] ?? 0) }
            return [
                "connectivity": .string("\(status.connectivity)"),
                "session": .string(status.session.rawValue),
                "role": status.role.map { .string(Self.roleName($0)) } ?? .null,
                "user_id": status.userID.map(JSONValue.integer) ?? .null,
                "last_pull": status.lastPull.map { .string(Self.iso($0)) } ?? .null,
                "last_pulls": .object(status.lastPulls.mapValues { .string(Self.iso($0)) }),
                "outbox": .object(outbox),
                "outbox_settling": [
                    "count": .integer(status.outboxSettling.count), "until": status.outboxSettling.until.map { .string(Self.iso($0)) } ?? .null,
                ],
                "outbox_paused_for_login": .bool(status.outboxPausedForLogin),
                "outbox_other_accounts": .integer(status.outboxOtherAccounts),
                "last_errors": .array(status.lastErrors.map(JSONValue.string)),
                "image_cache": Self.imageCacheStatus(status),
                "link": Self.linkStatus(status.link),
                "versions": ["vdsyncd": .string(Self.version), "local_api": "1", "schema": .string(MirrorStore.schemaVersion)],
            ]
        }
    }

    /// One day of the link's usage in `status`.
    static let linkDaySchema = RPCSchema.object(
        [
            "date": RPCSchema.string(description: "the local calendar day, YYYY-MM-DD"),
            "requests": RPCSchema.integer(description: "requests sent to the upstream (API calls and pictures)"),
            "bytes_sent": RPCSchema.integer(description: "request lines, headers and bodies"),
            "bytes_received": RPCSchema.integer(description: "answers on the wire: compressed when the upstream compressed them"),
            "bytes_decoded": RPCSchema.integer(description: "answers after decoding"),
        ])

    static func linkStatus(_ report: LinkUsage.Report) -> JSONValue {
        func day(_ usage: LinkUsage.DayUsage) -> JSONValue {
            [
                "date": .string(usage.day.description), "requests": .integer(usage.traffic.requests),
                "bytes_sent": .integer(usage.traffic.bytesSent), "bytes_received": .integer(usage.traffic.bytesReceived),
                "bytes_decoded": .integer(usage.traffic.bytesDecoded),
            ]
        }
        return ["today": day(report.today), "days": .array(report.days.map(day))]
    }

    private func sessionLoginMethod() -> RPCMethod {
        RPCMethod(
            "session.login", summary: "Logs in to the upstream; the session is kept across restarts.", access: .write,
            params: [
                .required("phone", RPCSchema.string(description: "mainland mobile number")),
                .required("password", RPCSchema.string()),
                .required("role", RPCSchema.enumeration(["patient", "doctor", "assistant"])),
            ],
            result: .init("session", RPCSchema.object(["role": RPCSchema.string(), "user_id": RPCSchema.integer()]))
        ) { params, _ in
            let phone = try params.requiredString("phone")
            let password = try params.requiredString("password")
            let role = try Self.role(params.requiredString("role", oneOf: ["patient", "doctor", "assistant"]))
            switch await agent.login(phone: phone, password: password, role: role) {
            case .loggedIn(let role, let userID):
                return ["role": .string(Self.roleName(role)), "user_id": .integer(userID)]
            case .refused(let message, let code):
                throw RPCError.loginRefused(upstreamMessage: message, upstreamCode: code)
            case .unreachable(let reason):
                throw RPCError.unreachable(reason)
            }
        }
    }

    private func sessionLogoutMethod() -> RPCMethod {
        RPCMethod(
            "session.logout",
            summary:
                "Logs out; queued mutations stay queued for the account's next login. With wipe (the deployment's VDSYNC_LOGOUT_WIPE by default), everything else the database holds of the account is removed.",
            access: .write,
            params: [.optional("wipe", RPCSchema.boolean(description: "remove the account's mirror, journal and finished outbox entries"))],
            result: .init("ok", RPCSchema.boolean())
        ) { params, _ in
            let wipe = try params.optionalBool("wipe") ?? logoutWipes
            let report = await agent.logout(wipe: wipe)
            // The last account's replies leave memory now, not at the next read.
            replyCache?.removeAll()
            if wipe, report == nil {
                throw RPCError.invalidState("logged out, but the wipe failed: the account's data is still in the database (status.last_errors says why)")
            }
            return true
        }
    }

    private func syncNowMethod() -> RPCMethod {
        RPCMethod(
            "sync.now", summary: "Pulls now: some tiers (hot: chat, messages, diagnoses; warm: projects, people; cold: reference data) or all.",
            access: .write,
            params: [.optional("tiers", RPCSchema.array(of: RPCSchema.enumeration(["hot", "warm", "cold"])))],
            result: .init("requested", RPCSchema.array(of: RPCSchema.string()))
        ) { params, _ in
            var tiers = Set(PullTier.allCases)
            if let given = try params.optionalArray("tiers") {
                tiers = []
                for (index, value) in given.enumerated() {
                    guard case .string(let name) = value, let tier = PullTier(rawValue: name) else {
                        throw RPCError.invalidParams(field: "tiers[\(index)]", problem: "must be hot, warm or cold")
                    }
                    tiers.insert(tier)
                }
            }
            switch await agent.sessionState {
            case .loggedOut: throw RPCError.notLoggedIn()
            case .expired: throw RPCError.sessionExpired()
            case .active: break
            }
            await agent.syncNow(tiers)
            return .array(tiers.sorted().map { .string($0.rawValue) })
        }
    }

    static func role(_ name: String) -> UserRole {
        switch name {
        case "patient": .patient
        case "doctor": .doctor
        default: .assistant
        }
    }

    static func roleName(_ role: UserRole) -> String {
        switch role {
        case .patient: "patient"
        case .doctor: "doctor"
        case .assistant: "assistant"
        }
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
