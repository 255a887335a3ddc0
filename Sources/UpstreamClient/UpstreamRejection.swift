import Redaction

/// Why the upstream (or the client, before sending) refused a request for good: the API's
/// `error_code` and `error_message` when it answered an envelope, and the HTTP status.
///
/// Guarantees: ``message`` is the server's text with anything that looks like a phone or an
/// ID-card number masked (``PersonalNumbers``), so it can be shown to the user and logged.
public struct UpstreamRejection: Sendable, Hashable, CustomStringConvertible {
    /// The API's `error_code` (vdapi: 1001 parameter, 1003 exists, 1004 credentials, 4003 forbidden,
    /// 4004 not found, 4009 state...), when the answer was an envelope.
    public var errorCode: Int?
    /// The API's `error_message` (masked), or the reason of a refusal made locally.
    public var message: String?
    /// The HTTP status; nil for a request the client refused to build (``isLocal``).
    public var httpStatus: Int?

    public init(errorCode: Int? = nil, message: String? = nil, httpStatus: Int? = nil) {
        self.errorCode = errorCode
        self.message = message.map(PersonalNumbers.masked)
        self.httpStatus = httpStatus
    }

    /// A request the client could not build (a missing path value...): it never left.
    public var isLocal: Bool { httpStatus == nil }

    public var description: String {
        var parts: [String] = []
        if let errorCode { parts.append("API error \(errorCode)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") } else { parts.append("refused locally") }
        if let message, !message.isEmpty { parts.append(message) }
        return parts.joined(separator: ", ")
    }
}
