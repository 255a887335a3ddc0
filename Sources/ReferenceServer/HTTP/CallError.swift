/// The business error codes `vdapi` answers with. The document leaves them "to be defined";
/// these are `vdapi`'s decision, listed in docs/reference-server.md.
public enum ErrorCode: Int, Sendable, Hashable, CaseIterable {
    /// A parameter is missing, of the wrong type, or out of range.
    case invalidParameter = 1001
    /// The SMS verify code or the captcha is wrong or expired.
    case invalidVerifyCode = 1002
    /// The phone is already registered for this account type, or the thing already exists.
    case alreadyExists = 1003
    /// No account with this phone, type and password.
    case wrongCredentials = 1004
    /// No `X-auth-token`, or one the server never issued or that logged out.
    case notLoggedIn = 4001
    /// The token was valid but has expired: log in again.
    case tokenExpired = 4002
    /// The caller's role may not do this, or the record is not the caller's.
    case forbidden = 4003
    /// No such record (or route).
    case notFound = 4004
    /// The record's state does not allow it (project full or ended, already joined, cancelled...).
    case conflict = 4009
    /// The server failed; nothing was changed.
    case internalError = 5000

    /// The HTTP status sent with the envelope, by class of refusal: 400 the request breaks the
    /// documented parameters, 401 no valid login, 403 not allowed, 404 no such record,
    /// 409 the record's state forbids it. The envelope's `error_code` says which exactly.
    public var httpStatus: Int {
        switch self {
        case .invalidParameter: 400
        case .wrongCredentials, .notLoggedIn, .tokenExpired: 401
        case .invalidVerifyCode, .forbidden: 403
        case .notFound: 404
        case .alreadyExists, .conflict: 409
        case .internalError: 500
        }
    }
}

/// A request the server refuses, answered as an envelope with a non-zero `error_code`
/// and a message in Chinese, as the service's own front ends show it.
public struct CallError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue) \(message)" }

    static func missing(_ name: String) -> CallError {
        CallError(.invalidParameter, "缺少参数 \(name)")
    }

    static func invalid(_ name: String, _ why: String) -> CallError {
        CallError(.invalidParameter, "参数 \(name) 无效: \(why)")
    }

    static func notFound(_ what: String) -> CallError {
        CallError(.notFound, "\(what)不存在")
    }

    static let notLoggedIn = CallError(.notLoggedIn, "请先登录")
    static let tokenExpired = CallError(.tokenExpired, "登录已过期，请重新登录")
    static let forbidden = CallError(.forbidden, "无权操作")
}
