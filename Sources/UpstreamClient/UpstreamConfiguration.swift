import Foundation

/// Where and how ``UpstreamClient`` reaches the upstream API: its base URL, the `X-location`
/// header, the three timeouts, an optional HTTP proxy, a cap on answer sizes and HTTP compression.
///
/// It is a plain value: the daemon builds it from its own configuration (and, for the proxy,
/// from the environment through ``proxy(for:environment:)``), tests build it by hand. There is
/// deliberately no option to turn TLS certificate verification off: `https` base URLs are always
/// verified against the system's trust roots (AsyncHTTPClient's default).
public struct UpstreamConfiguration: Sendable {
    /// An HTTP proxy, reached in plain HTTP (`CONNECT` for `https` base URLs).
    public struct Proxy: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { "\(host):\(port)" }
    }

    /// The API's root, e.g. `https://api.example.org` or `http://127.0.0.1:8080`; a path prefix
    /// (`https://example.org/api`) is kept and the catalogue's paths are appended to it.
    public var baseURL: URL
    /// The `X-location` header, `"<lng>-<lat>"` in degrees (§1.1.3), sent with every request when
    /// set; ``location(longitude:latitude:)`` writes it.
    public var location: String?
    /// How long establishing a TCP connection (and its TLS handshake) may take.
    public var connectTimeout: Duration
    /// How long the client waits for the next bytes of an answer once the request has been sent.
    public var readTimeout: Duration
    /// How long a whole request may take, from queueing to the last byte of the answer.
    public var requestTimeout: Duration
    /// The HTTP proxy to go through, if any.
    public var proxy: Proxy?
    /// The largest answer body read; a larger one ends the request as an ``UpstreamOutcome/unknown(_:)``.
    /// With ``compression`` it bounds the decoded body too: an answer that inflates past it is
    /// stopped while it inflates (a decompression bomb costs at most this much memory).
    public var maximumBodySize: Int
    /// HTTP compression: requests say `Accept-Encoding: gzip` and gzip or deflate answers are
    /// decoded by AsyncHTTPClient (within ``maximumBodySize``); false asks for plain answers.
    public var compression: Bool

    /// The default ``readTimeout``: answers of this API come within seconds; a slow 2G link
    /// still delivers some bytes of them in this time.
    public static let defaultReadTimeout: Duration = .seconds(15)

    /// The default of ``compression``: on, a metered link carries a fraction of the bytes.
    public static let defaultCompression = true

    public init(
        baseURL: URL,
        location: String? = nil,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = defaultReadTimeout,
        requestTimeout: Duration = .seconds(30),
        proxy: Proxy? = nil,
        maximumBodySize: Int = 32 << 20,
        compression: Bool = defaultCompression
    ) {
        self.baseURL = baseURL
        self.location = location
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.proxy = proxy
        self.maximumBodySize = maximumBodySize
        self.compression = compression
    }

    /// The `X-location` value for a position: `116.4-39.9` (longitude first, as §1.1.3 writes it).
    public static func location(longitude: Double, latitude: Double) -> String {
        "\(longitude)-\(latitude)"
    }

    // MARK: - Proxy from the environment

    /// The proxy the environment asks for to reach `url`, or nil (see ``proxy(forHost:scheme:environment:)``).
    public static func proxy(for url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> Proxy? {
        guard let host = url.host(percentEncoded: false) else { return nil }
        return proxy(forHost: host, scheme: url.scheme ?? "https", environment: environment)
    }

    /// The proxy the usual environment variables ask for to reach `host` over `scheme`, or nil.
    ///
    /// - `https` reads `https_proxy` then `HTTPS_PROXY`; `http` reads `http_proxy` then
    ///   `HTTP_PROXY` (lower case first, as curl does). An empty value means no proxy.
    ///   A value is `host:port` or `http://[user@]host[:port][/]` (port 80 when omitted);
    ///   credentials are ignored, and other proxy schemes (`https://`, `socks5://`) are not
    ///   supported, so they give nil rather than a proxy spoken to the wrong way.
    /// - `no_proxy` then `NO_PROXY`: comma-separated entries, compared without case and
    ///   surrounding blanks. `*` disables the proxy for every host; `example.org` matches that host
    ///   and its subdomains; `.example.org` only its subdomains; an entry's `:port` is ignored.
    /// - Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) never go through a proxy.
    ///
    /// A pure function of its arguments: tested without sockets.
    public static func proxy(forHost host: String, scheme: String = "https", environment: [String: String]) -> Proxy? {
        let host = normalizedHost(host)
        guard !host.isEmpty, !isLoopback(host) else { return nil }
        let names = scheme.lowercased() == "http" ? ["http_proxy", "HTTP_PROXY"] : ["https_proxy", "HTTPS_PROXY"]
        guard let value = firstValue(names, in: environment), let proxy = parseProxy(value) else { return nil }
        if let exclusions = firstValue(["no_proxy", "NO_PROXY"], in: environment), excludes(exclusions, host: host) {
            return nil
        }
        return proxy
    }

    private static func firstValue(_ names: [String], in environment: [String: String]) -> String? {
        for name in names {
            if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return nil
    }

    /// `http://user:pw@proxy.example:3128/` or `proxy.example:3128` → host and port.
    static func parseProxy(_ value: String) -> Proxy? {
        var rest = Substring(value)
        if let schemeEnd = rest.range(of: "://") {
            guard rest[..<schemeEnd.lowerBound].lowercased() == "http" else { return nil }
            rest = rest[schemeEnd.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = rest
        var port = 80
        if rest.hasPrefix("[") {
            // [::1]:3128
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return Proxy(host: String(host), port: port)
    }

    static func excludes(_ list: String, host: String) -> Bool {
        for raw in list.split(separator: ",") {
            var entry = normalizedHost(raw.trimmingCharacters(in: .whitespaces))
            if entry == "*" { return true }
            // Drop a port (`example.org:8080`), but not the colons of an IPv6 address.
            if entry.filter({ $0 == ":" }).count == 1, let colon = entry.lastIndex(of: ":") {
                entry = String(entry[..<colon])
            }
            guard !entry.isEmpty else { continue }
            if entry.hasPrefix(".") {
                if host.hasSuffix(entry) { return true }
            } else if host == entry || host.hasSuffix("." + entry) {
                return true
            }
        }
        return false
    }

    private static func normalizedHost(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix("."), host.count > 1 { host.removeLast() }
        return host
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1"
            || (host.hasPrefix("127.") && host.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") })
    }
}
