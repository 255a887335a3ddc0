import LocalRPC
import MirrorStore

/// The local API's application errors (-32010 ... -32099, docs/local-api.md "Application
/// errors"): each code, kind and message has its home here, and methods throw these.
extension RPCError {
    static func loginRefused(upstreamMessage: String?, upstreamCode: Int?) -> RPCError {
        .application(
            code: -32010, message: "login refused", kind: "login_refused", retryable: false, upstreamErrorCode: upstreamCode,
            upstreamErrorMessage: upstreamMessage)
    }

    /// The upstream refused an account request: a wrong or used SMS code, a wrong captcha, a
    /// phone already registered, an account not found.
    static func accountRefused(upstreamMessage: String?, upstreamCode: Int?) -> RPCError {
        .application(
            code: -32014, message: "the upstream refused the request", kind: "account_refused", retryable: false, upstreamErrorCode: upstreamCode,
            upstreamErrorMessage: upstreamMessage)
    }

    /// The upstream refused an online read (an unknown order, a user it does not show).
    static func upstreamRefused(upstreamMessage: String?, upstreamCode: Int?) -> RPCError {
        .application(
            code: -32015, message: "the upstream refused the read", kind: "upstream_refused", retryable: false, upstreamErrorCode: upstreamCode,
            upstreamErrorMessage: upstreamMessage)
    }

    static func sessionExpired() -> RPCError {
        .application(code: -32011, message: "the session expired: log in again", kind: "session_expired", retryable: false)
    }

    static func unreachable(_ reason: String) -> RPCError {
        .application(code: -32013, message: "the upstream is unreachable: \(reason)", kind: "unreachable", retryable: true)
    }

    static func notLoggedIn() -> RPCError {
        .application(code: -32011, message: "no one is logged in", kind: "not_logged_in", retryable: false)
    }

    static func roleNotAllowed(_ message: String) -> RPCError {
        .application(code: -32012, message: message, kind: "role_not_allowed", retryable: false)
    }

    static func notFound(_ what: String) -> RPCError {
        .application(code: -32020, message: "\(what) not found in the mirror", kind: "not_found", retryable: false)
    }

    static func invalidState(_ message: String) -> RPCError {
        .application(code: -32021, message: message, kind: "invalid_state", retryable: false)
    }

    /// The disk refused the mutation's commit (docs/local-api.md, "Application errors"):
    /// -32030 when it is certainly not saved (retry when there is space again), -32031 when
    /// it may still be committed by the recovery at the daemon's next start.
    static func storage(_ failure: StorageError) -> RPCError {
        let what = failure.cause == .full ? "the disk is full" : "the disk failed (I/O error)"
        if failure.mayReappear {
            return .application(
                code: -32031,
                message: "\(what): the mutation may still be applied; check outbox.list after the daemon's next start before submitting it again",
                kind: failure.cause.rawValue, retryable: false, extra: ["saved": "unknown"])
        }
        return .application(
            code: -32030, message: "\(what): the mutation was not saved", kind: failure.cause.rawValue, retryable: true,
            extra: ["saved": false])
    }
}
