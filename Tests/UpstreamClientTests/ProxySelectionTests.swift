import Foundation
import Testing
import UpstreamClient

/// The proxy from `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`, as a pure function of a dictionary.
@Suite("Proxy selection from the environment")
struct ProxySelectionTests {
    private typealias Proxy = UpstreamConfiguration.Proxy

    private func proxy(_ host: String, scheme: String = "https", _ environment: [String: String]) -> Proxy? {
        UpstreamConfiguration.proxy(forHost: host, scheme: scheme, environment: environment)
    }

    @Test("no variable, no proxy; an empty one neither")
    func absent() {
        #expect(proxy("api.example.org", [:]) == nil)
        #expect(proxy("api.example.org", ["HTTPS_PROXY": ""]) == nil)
        #expect(proxy("api.example.org", ["PATH": "/usr/bin"]) == nil)
    }

    @Test("the variable of the base URL's scheme is used")
    func schemeMatch() {
        let environment = ["HTTPS_PROXY": "http://secure.proxy:3128", "HTTP_PROXY": "http://plain.proxy:8080"]
        #expect(proxy("api.example.org", scheme: "https", environment) == Proxy(host: "secure.proxy", port: 3128))
        #expect(proxy("api.example.org", scheme: "http", environment) == Proxy(host: "plain.proxy", port: 8080))
        #expect(proxy("api.example.org", scheme: "https", ["HTTP_PROXY": "http://plain.proxy:8080"]) == nil)
        #expect(proxy("api.example.org", scheme: "http", ["HTTPS_PROXY": "http://secure.proxy:3128"]) == nil)
    }

    @Test("lower-case variables are read too, and win over upper-case ones")
    func lowerCase() {
        #expect(proxy("api.example.org", ["https_proxy": "lower.proxy:1080"]) == Proxy(host: "lower.proxy", port: 1080))
        #expect(proxy("api.example.org", ["https_proxy": "lower.proxy:1", "HTTPS_PROXY": "upper.proxy:2"]) == Proxy(host: "lower.proxy", port: 1))
        #expect(proxy("api.example.org", scheme: "http", ["http_proxy": "lower.proxy:3"]) == Proxy(host: "lower.proxy", port: 3))
    }

    @Test("proxy values: with or without scheme, port 80 by default, credentials and path ignored, other schemes refused")
    func values() {
        #expect(proxy("a.org", ["HTTPS_PROXY": "proxy.lan"]) == Proxy(host: "proxy.lan", port: 80))
        #expect(proxy("a.org", ["HTTPS_PROXY": "http://user:secret@proxy.lan:3128/"]) == Proxy(host: "proxy.lan", port: 3128))
        #expect(proxy("a.org", ["HTTPS_PROXY": "HTTP://Proxy.Lan:8"]) == Proxy(host: "Proxy.Lan", port: 8))
        #expect(proxy("a.org", ["HTTPS_PROXY": "http://[fd00::1]:3128"]) == Proxy(host: "fd00::1", port: 3128))
        #expect(proxy("a.org", ["HTTPS_PROXY": "socks5://proxy.lan:1080"]) == nil)
        #expect(proxy("a.org", ["HTTPS_PROXY": "https://proxy.lan:443"]) == nil)
        #expect(proxy("a.org", ["HTTPS_PROXY": "proxy.lan:notaport"]) == nil)
    }

    @Test("NO_PROXY: an exact host, and that host's subdomains")
    func exactHost() {
        let environment = ["HTTPS_PROXY": "proxy.lan:3128", "NO_PROXY": "api.example.org"]
        #expect(proxy("api.example.org", environment) == nil)
        #expect(proxy("v2.api.example.org", environment) == nil)
        #expect(proxy("example.org", environment) != nil)
        #expect(proxy("notapi.example.org", environment) != nil)
    }

    @Test("NO_PROXY: a .suffix matches subdomains only")
    func suffix() {
        let environment = ["HTTPS_PROXY": "proxy.lan:3128", "NO_PROXY": "localdomain, .corp.example"]
        #expect(proxy("api.corp.example", environment) == nil)
        #expect(proxy("a.b.corp.example", environment) == nil)
        #expect(proxy("corp.example", environment) != nil)
        #expect(proxy("evilcorp.example", environment) != nil)
        #expect(proxy("box.localdomain", environment) == nil)
    }

    @Test("NO_PROXY: * turns the proxy off for every host")
    func wildcard() {
        #expect(proxy("api.example.org", ["HTTPS_PROXY": "proxy.lan:3128", "NO_PROXY": "*"]) == nil)
        #expect(proxy("api.example.org", ["HTTPS_PROXY": "proxy.lan:3128", "no_proxy": "other.org, *"]) == nil)
    }

    @Test("NO_PROXY: compared without case, blanks, trailing dots or ports")
    func caseInsensitive() {
        let environment = ["https_proxy": "proxy.lan:3128", "no_proxy": " API.Example.ORG:443 ,OTHER.org"]
        #expect(proxy("api.example.org", environment) == nil)
        #expect(proxy("Api.Example.Org.", environment) == nil)
        #expect(proxy("other.org", environment) == nil)
        #expect(proxy("third.org", environment) == Proxy(host: "proxy.lan", port: 3128))
    }

    @Test("loopback never goes through a proxy")
    func loopback() {
        let environment = ["HTTPS_PROXY": "proxy.lan:3128", "HTTP_PROXY": "proxy.lan:3128"]
        #expect(proxy("localhost", environment) == nil)
        #expect(proxy("127.0.0.1", scheme: "http", environment) == nil)
        #expect(proxy("::1", environment) == nil)
        #expect(proxy("127.example.org", environment) != nil)
    }

    @Test("from a base URL: its host and scheme")
    func fromURL() throws {
        let environment = ["HTTPS_PROXY": "proxy.lan:3128", "NO_PROXY": "internal.example"]
        let url = try #require(URL(string: "https://api.example.org/v1"))
        #expect(UpstreamConfiguration.proxy(for: url, environment: environment) == Proxy(host: "proxy.lan", port: 3128))
        let inside = try #require(URL(string: "https://api.internal.example"))
        #expect(UpstreamConfiguration.proxy(for: inside, environment: environment) == nil)
        let plain = try #require(URL(string: "http://api.example.org"))
        #expect(UpstreamConfiguration.proxy(for: plain, environment: environment) == nil)
    }
}
