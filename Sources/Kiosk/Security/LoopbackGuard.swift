/// Decides, from a request's headers alone, whether a browser may talk to vdkiosk: the Host and
/// Origin allow-lists that stop DNS rebinding and cross-site requests, as local daemons such as
/// Syncthing's GUI do. A plain value; the middleware only carries out its verdicts.
public struct LoopbackGuard: Sendable {
    /// The loopback names a kiosk browser uses, always accepted.
    public static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// Why a request is refused, in words for the 403 page and the log.
    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case missingHost
        case foreignHost(String)
        case foreignOrigin(String)

        public var description: String {
            switch self {
            case .missingHost: "no Host header"
            case .foreignHost(let host): "Host \(host) is not on the allow-list"
            case .foreignOrigin(let origin): "Origin \(origin) is not on the allow-list"
            }
        }
    }

    /// Every accepted host name, lowercased, without port or brackets.
    public let allowedHosts: Set<String>

    public init(extraHosts: [String] = []) {
        allowedHosts = Self.loopbackHosts.union(extraHosts.map { $0.lowercased() })
    }

    /// Nil when the request may go on. `host` is the Host header (`:authority`); `origin` the
    /// Origin header, absent on plain navigations; any Origin sent must name an allowed host over
    /// http, and `null` (a sandboxed or file page) never does.
    public func refusal(host: String?, origin: String?) -> Refusal? {
        guard let host, !host.isEmpty else { return .missingHost }
        guard let name = Self.hostName(ofAuthority: host), allowedHosts.contains(name) else { return .foreignHost(host) }
        if let origin {
            guard origin.hasPrefix("http://"), let name = Self.hostName(ofAuthority: String(origin.dropFirst("http://".count))),
                allowedHosts.contains(name)
            else { return .foreignOrigin(origin) }
        }
        return nil
    }

    /// The host name of an authority (`host`, `host:port`, `[::1]:port`), lowercased; nil when
    /// it is not one (a path, user info, an empty name).
    static func hostName(ofAuthority authority: String) -> String? {
        var text = Substring(authority.lowercased())
        if text.contains("/") || text.contains("@") { return nil }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
            return text.isEmpty ? nil : String(text)
        }
        if let colon = text.lastIndex(of: ":") {
            let port = text[text.index(after: colon)...]
            guard port.allSatisfy(\.isNumber) else { return nil }
            text = text[..<colon]
        }
        if text.hasSuffix(".") { text = text.dropLast() }
        return text.isEmpty ? nil : String(text)
    }
}
