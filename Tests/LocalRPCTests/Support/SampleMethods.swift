import Foundation
import Logging
import Synchronization
import VolunteerAPI

@testable import LocalRPC

/// What the sample methods did, for tests to wait on.
final class Recorder: Sendable {
    /// Params of every `update` notification received.
    let updates = Inbox<[JSONValue]>()
    /// Why each subscription ended, with its id.
    let ends = Inbox<(String, SubscriptionEnd)>()
    /// `test.big` has computed its result and is about to return it.
    let bigReturned = Inbox<Int>()
    /// Ids of subscriptions `test.subscribe` opened.
    let subscribed = Inbox<String>()
    private let sinks = Mutex<[String: SubscriptionSink]>([:])

    func keep(_ sink: SubscriptionSink) { sinks.withLock { $0[sink.id] = sink } }
    func sink(_ id: String) -> SubscriptionSink? { sinks.withLock { $0[id] } }
}

/// An error whose text must never reach a client.
struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "disk /var/lib/vdsyncd/mirror.sqlite exploded at row 42" }
}

/// The methods of JSON-RPC 2.0 section 7 (subtract, sum, update, notify_hello, notify_sum,
/// get_data), and test methods for errors, access, peers, big replies and subscriptions.
enum SampleMethods {
    static let integer = RPCSchema.integer()

    static func dispatcher(recorder: Recorder, logger: Logger = Logger(label: "test.rpc")) throws -> RPCDispatcher {
        RPCDispatcher(registry: try registry(recorder: recorder), info: TestServer.info, logger: logger)
    }

    static func registry(recorder: Recorder) throws -> RPCRegistry {
        try RPCRegistry(specification(recorder: recorder) + testing(recorder: recorder))
    }

    static func specification(recorder: Recorder) -> [RPCMethod] {
        let optionalFive = ["a", "b", "c", "d", "e"].map { RPCMethod.Param.optional($0, integer) }
        return [
            RPCMethod(
                "subtract", summary: "minuend - subtrahend", access: .read,
                params: [.required("minuend", integer), .required("subtrahend", integer)],
                result: .init("difference", integer)
            ) { params, _ in
                .integer(try params.requiredInt("minuend") - params.requiredInt("subtrahend"))
            },
            RPCMethod(
                "sum", summary: "The sum of up to five integers.", access: .read, params: optionalFive,
                result: .init("sum", integer)
            ) { params, _ in
                .integer(try ["a", "b", "c", "d", "e"].reduce(0) { total, name in total + (try params.optionalInt(name) ?? 0) })
            },
            RPCMethod(
                "notify_sum", summary: "A sum nobody reads.", access: .read, params: optionalFive,
                result: .init("sum", integer)
            ) { _, _ in 0 },
            RPCMethod(
                "update", summary: "Records its params.", access: .write, params: optionalFive,
                result: .init("nothing", RPCSchema.null)
            ) { params, _ in
                recorder.updates.push(params.positional ?? [])
                return .null
            },
            RPCMethod(
                "notify_hello", summary: "Says hello to nobody.", access: .read, params: [.required("value", integer)],
                result: .init("nothing", RPCSchema.null)
            ) { _, _ in .null },
            RPCMethod(
                "get_data", summary: "Some data.", access: .read,
                result: .init("data", RPCSchema.array(of: RPCSchema.any))
            ) { _, _ in ["hello", 5] },
        ]
    }

    static func testing(recorder: Recorder) -> [RPCMethod] {
        [
            RPCMethod(
                "test.echo", summary: "Returns its params by name.", access: .read,
                params: [.optional("phone", RPCSchema.string()), .optional("limit", integer)],
                result: .init("params", RPCSchema.object())
            ) { params, _ in
                _ = try params.optionalString("phone")
                _ = try params.optionalInt("limit", in: 1...500)
                return .object(params.values)
            },
            RPCMethod(
                "test.write", summary: "A write method.", access: .write,
                params: [.optional("phone", RPCSchema.string())], result: .init("ok", RPCSchema.string())
            ) { _, _ in "written" },
            RPCMethod(
                "test.fail", summary: "Throws an error that is not an RPCError.", access: .read,
                params: [.optional("phone", RPCSchema.string())], result: .init("never", RPCSchema.null)
            ) { _, _ in throw SecretFailure() },
            RPCMethod(
                "test.refuse", summary: "Throws an application error.", access: .read,
                result: .init("never", RPCSchema.null)
            ) { _, _ in
                throw RPCError.application(
                    code: -32010, message: "rejected upstream", kind: "rejected", retryable: false,
                    upstreamErrorCode: 4003, upstreamErrorMessage: "project is full")
            },
            RPCMethod(
                "test.nan", summary: "Returns a number JSON cannot hold.", access: .read,
                result: .init("never", RPCSchema.number())
            ) { _, _ in .number(.nan) },
            RPCMethod(
                "test.peer", summary: "The caller as the server sees it.", access: .read,
                result: .init("peer", RPCSchema.object())
            ) { _, context in
                [
                    "uid": .integer(Int(context.peer.uid)), "gid": .integer(Int(context.peer.gid)),
                    "pid": .integer(Int(context.peer.pid)), "access": .string(context.access.rawValue),
                ]
            },
            RPCMethod(
                "test.big", summary: "A string of `size` bytes.", access: .read,
                params: [.required("size", integer)], result: .init("text", RPCSchema.string())
            ) { params, _ in
                let size = try params.requiredInt("size", in: 0...(64 << 20))
                recorder.bigReturned.push(size)
                return .string(String(repeating: "x", count: size))
            },
            RPCMethod(
                "test.stream", summary: "Subscribes and at once queues `count` notifications.", access: .read,
                params: [.required("count", integer)], result: .init("subscription", RPCSchema.object())
            ) { params, context in
                let count = try params.requiredInt("count")
                let sink = try context.subscribe(notificationMethod: "test.tick") { end in recorder.ends.push(("", end)) }
                recorder.keep(sink)
                for seq in 0..<count { sink.send(["seq": .integer(seq)]) }
                return ["subscription": .string(sink.id)]
            },
            RPCMethod(
                "test.subscribe", summary: "Subscribes; `test.push` feeds it.", access: .read,
                params: [.optional("fail", RPCSchema.boolean())], result: .init("subscription", RPCSchema.object())
            ) { params, context in
                let holder = Mutex<String>("")
                let sink = try context.subscribe(notificationMethod: "test.tick") { end in
                    recorder.ends.push((holder.withLock { $0 }, end))
                }
                holder.withLock { $0 = sink.id }
                recorder.keep(sink)
                recorder.subscribed.push(sink.id)
                if try params.optionalBool("fail") == true { throw RPCError.application(code: -32011, message: "no") }
                return ["subscription": .string(sink.id)]
            },
            RPCMethod(
                "test.push", summary: "Sends `count` notifications of `size` bytes to a subscription of any connection.",
                access: .read,
                params: [
                    .required("subscription", RPCSchema.string()), .required("from", integer), .required("count", integer),
                    .optional("size", integer),
                ],
                result: .init("delivery", RPCSchema.object())
            ) { params, _ in
                guard let sink = recorder.sink(try params.requiredString("subscription")) else {
                    throw RPCError.invalidParams(field: "subscription", problem: "is unknown")
                }
                let from = try params.requiredInt("from")
                let padding = String(repeating: "p", count: try params.optionalInt("size") ?? 0)
                var queued = 0
                for seq in from..<(from + (try params.requiredInt("count"))) {
                    guard sink.send(["seq": .integer(seq), "pad": .string(padding)]) == .queued else { break }
                    queued += 1
                }
                return ["queued": .integer(queued), "live": .bool(sink.isLive)]
            },
        ]
    }
}
