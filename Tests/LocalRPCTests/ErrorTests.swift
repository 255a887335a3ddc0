import MirrorStore
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// Internal errors say nothing, application errors say what they mean, logs carry no params.
@Suite("Errors and logs")
struct ErrorTests {
    @Test("a handler's arbitrary error is -32603 'internal error' with nothing else")
    func internalError() async throws {
        let capture = LogCapture()
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder(), logger: capture.logger)
        let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"test.fail","id":1}"#)
        #expect(reply == ["jsonrpc": "2.0", "id": 1, "error": ["code": -32603, "message": "internal error"]])
        // The detail is logged for the operator.
        #expect(capture.all.contains { $0.contains("exploded at row 42") && $0.contains("test.fail") })
    }

    @Test("a result JSON cannot hold (NaN) is an internal error, not a broken line")
    func unencodable() async throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"test.nan","id":1}"#)
        #expect(reply?.errorCode == RPCError.Code.internalError)
    }

    @Test("an application error keeps its code and data: kind, retryable, upstream code and message")
    func application() async throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"test.refuse","id":"r"}"#)
        #expect(
            reply?["error"]
                == [
                    "code": -32010, "message": "rejected upstream",
                    "data": [
                        "kind": "rejected", "retryable": false, "upstream_error_code": 4003,
                        "upstream_error_message": "project is full",
                    ],
                ])
        #expect(RPCError.application(code: -32050, message: "m").data == nil, "every data member is optional")
    }

    @Test("a mutation the disk refused: -32030 'not saved' (submit again), or -32031 'may still be applied' (look first)")
    func storage() {
        let notSaved = RPCError.storage(StorageError(cause: .full, mayReappear: false, detail: "SQLite error 13"))
        #expect(notSaved.code == -32030)
        #expect(notSaved.data == ["kind": "storage_full", "retryable": true, "saved": false])
        #expect(notSaved.message == "the disk is full: the mutation was not saved")
        let unknown = RPCError.storage(StorageError(cause: .ioError, mayReappear: true, detail: "SQLite error 1034"))
        #expect(unknown.code == -32031)
        #expect(unknown.data == ["kind": "storage_error", "retryable": false, "saved": "unknown"])
        #expect(unknown.message.hasPrefix("the disk failed (I/O error): the mutation may still be applied"))
        #expect(unknown.message.contains("outbox.list"), "the client is told where to look before submitting again")
        #expect(!unknown.message.contains("SQLite"), "SQLite's words are for the log, not the client")
    }

    @Test("the transport's own errors")
    func transportErrors() {
        #expect(RPCError.forbidden().code == -32001)
        #expect(RPCError.forbidden().data?["kind"] == "forbidden")
        #expect(RPCError.tooManyConnections().code == -32000)
        #expect(RPCError.lineTooLong(limit: 10).code == RPCError.Code.invalidRequest)
        #expect(RPCError.lineTooLong(limit: 10).message == "line too long")
        #expect(RPCError.Code.transportRange.allSatisfy { RPCError.Code.applicationRange.contains($0) })
    }

    @Test("logs name methods and codes, never params: not on success, refusal, bad params or failure")
    func logsCarryNoParams() async throws {
        let capture = LogCapture()
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder(), logger: capture.logger)
        let secret = "13800000001"
        let lines = [
            #"{"jsonrpc":"2.0","method":"test.echo","params":{"phone":"\#(secret)"},"id":1}"#,
            #"{"jsonrpc":"2.0","method":"test.echo","params":{"phone":"\#(secret)","limit":9999},"id":2}"#,
            #"{"jsonrpc":"2.0","method":"test.echo","params":{"phone":\#(secret)},"id":3}"#,
            #"{"jsonrpc":"2.0","method":"test.fail","params":{"phone":"\#(secret)"},"id":4}"#,
            #"{"jsonrpc":"2.0","method":"\#(secret)","id":5}"#,
            #"{"jsonrpc":"2.0","method":"test.echo","params":{"phone":"\#(secret)"},"id":6"#,
            #"[{"jsonrpc":"2.0","method":"test.write","params":["\#(secret)"],"id":7}, {"phone":"\#(secret)"}]"#,
        ]
        for line in lines { _ = try await dispatcher.reply(line) }
        _ = try await dispatcher.reply(lines[6], access: .readOnly)
        #expect(!capture.all.isEmpty)
        for logged in capture.all {
            #expect(!logged.contains(secret), "logged: \(logged)")
        }
    }
}
