/// One fault to inject into the API port, matched by method and path, firing at a rate or a
/// given number of times. Set through the admin listener (`POST /admin/faults`, JSON) or
/// in-process through ``FaultInjector/add(_:)``.
public struct FaultRule: Sendable, Hashable, Codable {
    /// What happens to a matched request.
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        /// Wait ``delayMilliseconds`` before handling it.
        case delay
        /// Reset the connection before the handler runs: nothing happened.
        case resetBeforeHandler = "reset_before_handler"
        /// Run the handler and commit, then reset the connection: the effect stands, the reply is lost.
        case resetAfterCommit = "reset_after_commit"
        /// Answer ``status`` (default 500) without running the handler.
        case serverErrorBeforeHandler = "server_error_before_handler"
        /// Run the handler and commit, then answer ``status`` (default 502) instead of its reply.
        case serverErrorAfterCommit = "server_error_after_commit"
        /// Run the handler and commit, then send half of the reply's body and close.
        case truncateBody = "truncate_body"
        /// Never answer: hold the request for ``delayMilliseconds`` (default 60 s), then reset.
        case hang
        /// Expire the caller's token before the request is authenticated.
        case expireToken = "expire_token"
    }

    public var action: Action
    /// `GET`, `POST`...; nil matches any method.
    public var method: String?
    /// A documented path template (`/project/{id}/join`) or a concrete path (`/project/7/join`);
    /// nil matches every path.
    public var path: String?
    /// The chance, from 0 to 1, that a matching request is hit; nil means every one.
    public var rate: Double?
    /// How many more times the rule may fire; nil for no limit. `1` makes a one-shot rule.
    public var times: Int?
    public var delayMilliseconds: Int?
    public var status: Int?

    public init(
        _ action: Action, method: String? = nil, path: String? = nil, rate: Double? = nil, times: Int? = nil,
        delayMilliseconds: Int? = nil, status: Int? = nil
    ) {
        self.action = action
        self.method = method
        self.path = path
        self.rate = rate
        self.times = times
        self.delayMilliseconds = delayMilliseconds
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case action, method, path, rate, times
        case delayMilliseconds = "delay_ms"
        case status
    }

    func matches(method: String, template: String, path: String) -> Bool {
        if let wanted = self.method, wanted.uppercased() != method { return false }
        if let wanted = self.path, wanted != template, wanted != path { return false }
        return true
    }
}
