import Foundation

/// How `vdapi` runs: where it listens, how verify codes behave, how long tokens live.
public struct ReferenceServerConfiguration: Sendable {
    /// How SMS and captcha codes are made. A development server sends no SMS.
    public enum CodeMode: Sendable, Hashable {
        /// Every SMS code is `sms` and every captcha code is `captcha` (the default: `123456`, `1234`).
        case fixed(sms: String, captcha: String)
        /// Random codes, written to the log with the phone masked.
        case random
    }

    public var host: String = "127.0.0.1"
    /// The API port; 0 picks a free one (reported through ``ReferenceServer/onListening``).
    public var port: Int = 8080
    /// The loopback port of the admin listener (fault injection, inspection); nil for none.
    public var adminPort: Int?
    /// The base of upload URLs; nil for `http://host:port`.
    public var publicBaseURL: String?
    public var codes: CodeMode = .fixed(sms: "123456", captcha: "1234")
    /// How long an SMS or captcha code stays valid.
    public var codeLifetime: TimeInterval = 600
    /// How long a login token stays valid.
    public var tokenLifetime: TimeInterval = 7 * 24 * 3600
    /// bcrypt cost of stored passwords; low by default, as this is a development server.
    public var bcryptCost: UInt8 = 6
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int = 8 << 20
    /// The server's notion of now; tests move it.
    public var clock: @Sendable () -> Date = { Date() }
    /// Quirks mode: API answers varied the way legacy PHP servers vary them (``QuirkRewriter``);
    /// nil, the default, sends them as the models encode them.
    public var quirks: QuirkSettings?
    /// HTTP content coding: JSON and text answers of 1 kB or more are compressed (gzip or deflate)
    /// for a request whose `Accept-Encoding` asks for it, as an nginx in front of a real service
    /// does (``ResponseCompression``); false sends every answer as it is.
    public var compression = true

    public init() {}
}
