import LocalRPC
import MirrorStore
import SyncEngine
import UpstreamClient
import VolunteerAPI

extension LocalAPI {
    /// Reads that mirroring would not serve: a payment order's outcome, a person outside every
    /// mirrored list, a WeChat media item. They ask the upstream at once and answer what it
    /// sends, in canonical form as the mirror holds records; offline they answer -32013
    /// (retryable), never a stale guess.
    func onlineReads() -> [RPCMethod] {
        [
            online(
                "orders.query", "A payment order's diagnosis, or null if the payment failed (patient; online only).", .orderQuery,
                param: .init("sn", "sn", isInteger: false)),
            online(
                "users.lookup", "Anyone by id, from the upstream: for people in no mirrored list (online only).", .user,
                param: .init("user_id", "id", isInteger: true)),
            online(
                "media.weixin", "The URL of a WeChat media item, fetched by the upstream (online only).", .weixinMedia,
                param: .init("media_id", "media_id", isInteger: false)),
        ]
    }

    /// The one parameter of an online read: its name on the socket and on the wire (a path value
    /// or a query parameter, as the endpoint has it).
    struct OnlineParameter {
        let name: String
        let wireName: String
        let isInteger: Bool

        init(_ name: String, _ wireName: String, isInteger: Bool) {
            self.name = name
            self.wireName = wireName
            self.isInteger = isInteger
        }
    }

    private func online(_ name: String, _ summary: String, _ endpoint: Endpoint, param: OnlineParameter) -> RPCMethod {
        RPCMethod(
            name, summary: summary, access: .read,
            params: [.required(param.name, param.isInteger ? RPCSchema.integer() : RPCSchema.string())],
            result: .init("data", RPCSchema.any)
        ) { params, _ in
            let value = param.isInteger ? String(try params.requiredInt(param.name)) : try params.requiredString(param.name)
            guard !value.isEmpty, value.count <= 64 else { throw RPCError.invalidParams(field: param.name, problem: "must be 1-64 characters") }
            try await requireRole(endpoint.roles, name)
            let isPath = endpoint.path.template.contains("{\(param.wireName)}")
            let outcome = await agent.client.call(
                endpoint, path: isPath ? [param.wireName: value] : [:], parameters: isPath ? [:] : [param.wireName: .string(value)],
                as: JSONValue.self)
            return try Self.onlineAnswer(outcome.map { CanonicalJSON.of($0, shape: endpoint.response) })
        }
    }

    /// The `data` of an online read's answer, or the error that says why there is none.
    static func onlineAnswer(_ outcome: UpstreamOutcome<JSONValue>) throws -> JSONValue {
        switch outcome {
        case .applied(let data): return PageDecoder.withoutTokens(data)
        case .rejected(let rejection): throw RPCError.upstreamRefused(upstreamMessage: rejection.message, upstreamCode: rejection.errorCode)
        case .authExpired: throw RPCError.sessionExpired()
        case .retryable(let retry): throw RPCError.unreachable("\(retry)")
        case .unknown(let reason): throw RPCError.unreachable("the answer was lost (\(reason))")
        }
    }
}
