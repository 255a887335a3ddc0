import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What went wrong below HTTP, recognised from AsyncHTTPClient's and SwiftNIO's errors.
///
/// It names the failure, not its consequence: whether it makes an outcome ``UpstreamOutcome/retryable(_:)``
/// or ``UpstreamOutcome/unknown(_:)`` depends on whether the request head had left
/// (``UpstreamExchange/requestSent``), which ``OutcomeClassifier`` decides.
///
/// Guarantees: built from the error's type and code only, never from its text, so it carries no
/// host, URL or data; an unrecognised error is named by its type (`NIOFoo.BarError`).
public enum UpstreamTransportFailure: Sendable, Hashable, CustomStringConvertible {
    /// The server's host refused the TCP connection (nothing listens there).
    case connectionRefused
    /// The host name could not be resolved.
    case hostNotFound
    /// No route to the host or network (`EHOSTUNREACH`, `ENETUNREACH`, `ENETDOWN`).
    case networkUnreachable
    /// The TLS handshake failed or timed out (certificate not trusted, protocol error...).
    case tlsHandshakeFailed
    /// The proxy refused or failed the tunnel (`CONNECT`), or its handshake timed out.
    case proxyFailed
    /// The TCP connection could not be established in time (``UpstreamConfiguration/connectTimeout``).
    case connectTimeout
    /// No pooled connection became available in time.
    case connectionPoolTimeout
    /// No bytes of the answer for ``UpstreamConfiguration/readTimeout``.
    case readTimeout
    /// The request could not be written in time.
    case writeTimeout
    /// The whole request took longer than ``UpstreamConfiguration/requestTimeout``.
    case deadlineExceeded
    /// The server closed the connection before the answer was complete.
    case connectionClosed
    /// The connection was reset (`ECONNRESET`, `EPIPE`).
    case connectionReset
    /// The answer stopped before its announced length (`Content-Length` mismatch, EOF mid-body).
    case truncatedBody
    /// The answer was larger than ``UpstreamConfiguration/maximumBodySize``.
    case bodyTooLarge
    /// A compressed answer inflated past ``UpstreamConfiguration/maximumBodySize`` (a
    /// decompression bomb, or an answer too large): decoding was stopped.
    case decompressionLimit
    /// A compressed answer could not be decoded (corrupt, truncated or trailing data).
    case undecodableEncoding
    /// The answer was not valid HTTP.
    case protocolError
    /// The calling task was cancelled.
    case cancelled
    /// The client had been shut down (``UpstreamClient/shutdown()``).
    case clientShutDown
    /// AsyncHTTPClient refused the request before sending it (URL or header it cannot send).
    case invalidRequest
    /// Anything else, named by the error's type.
    case other(String)

    /// Recognises `error`, looking inside `NIOConnectionError` for the failure of each attempt.
    public init(_ error: any Error) {
        switch error {
        case let error as HTTPClientError: self = Self.from(error)
        case let error as IOError: self = Self.from(errno: error.errnoCode)
        case let error as ChannelError: self = Self.from(error)
        case let error as HTTPParserError:
            self = error == .invalidEOFState ? .truncatedBody : .protocolError
        case is SocketAddressError.UnknownHost, is SocketAddressError: self = .hostNotFound
        case is CancellationError: self = .cancelled
        case is BodyTooLargeError: self = .bodyTooLarge
        case let error as NIOHTTPDecompression.DecompressionError: self = error == .limit ? .decompressionLimit : .undecodableEncoding
        case is NIOHTTPDecompression.ExtraDecompressionError: self = .undecodableEncoding
        default: self = Self.fromUnlinkedModules(error)
        }
    }

    public var description: String {
        switch self {
        case .connectionRefused: "connection refused"
        case .hostNotFound: "host not found"
        case .networkUnreachable: "network unreachable"
        case .tlsHandshakeFailed: "TLS handshake failed"
        case .proxyFailed: "proxy failed"
        case .connectTimeout: "connect timeout"
        case .connectionPoolTimeout: "no connection available in time"
        case .readTimeout: "read timeout"
        case .writeTimeout: "write timeout"
        case .deadlineExceeded: "request timeout"
        case .connectionClosed: "connection closed"
        case .connectionReset: "connection reset"
        case .truncatedBody: "truncated body"
        case .bodyTooLarge: "answer too large"
        case .decompressionLimit: "answer inflates past the size limit"
        case .undecodableEncoding: "undecodable content encoding"
        case .protocolError: "invalid HTTP"
        case .cancelled: "cancelled"
        case .clientShutDown: "client shut down"
        case .invalidRequest: "invalid request"
        case .other(let type): type
        }
    }

    /// Whether the failure is a timeout of any kind.
    public var isTimeout: Bool {
        switch self {
        case .connectTimeout, .connectionPoolTimeout, .readTimeout, .writeTimeout, .deadlineExceeded: true
        default: false
        }
    }

    private static func from(_ error: HTTPClientError) -> Self {
        switch error {
        case .connectTimeout: .connectTimeout
        case .getConnectionFromPoolTimeout: .connectionPoolTimeout
        case .tlsHandshakeTimeout: .tlsHandshakeFailed
        case .httpProxyHandshakeTimeout, .socksHandshakeTimeout, .invalidProxyResponse, .proxyAuthenticationRequired:
            .proxyFailed
        case .readTimeout: .readTimeout
        case .writeTimeout: .writeTimeout
        case .deadlineExceeded: .deadlineExceeded
        case .remoteConnectionClosed, .uncleanShutdown: .connectionClosed
        case .bodyLengthMismatch: .truncatedBody
        case .cancelled, .requestStreamCancelled: .cancelled
        case .alreadyShutdown, .shutdownUnsupported: .clientShutDown
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .traceRequestWithBody, .writeAfterRequestSent:
            .invalidRequest
        default:
            // unsupportedScheme(_), invalidHeaderFieldNames(_), ...: compared by their short text,
            // which never holds the associated values.
            switch error.shortDescription {
            case "Unsupported scheme", "Invalid header field names", "Invalid header field values": .invalidRequest
            case "Server offered unsupported application protocol": .protocolError
            default: .other("HTTPClientError: \(error.shortDescription)")
            }
        }
    }

    private static func from(errno code: CInt) -> Self {
        switch code {
        case ECONNREFUSED: .connectionRefused
        case ECONNRESET, EPIPE, ECONNABORTED: .connectionReset
        case EHOSTUNREACH, ENETUNREACH, ENETDOWN: .networkUnreachable
        case ETIMEDOUT: .connectTimeout
        default: .other("IOError errno \(code)")
        }
    }

    private static func from(_ error: ChannelError) -> Self {
        switch error {
        case .connectTimeout(_): .connectTimeout
        case .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed, .eof: .connectionClosed
        default: .other("ChannelError")
        }
    }

    /// Errors of modules this target does not link directly: SwiftNIO's `NIOConnectionError`
    /// (NIOPosix: the DNS errors and the failure of each connection attempt) and swift-nio-ssl's
    /// errors (the TLS handshake). They are recognised by their type's name and, for
    /// `NIOConnectionError`, by reflecting its public stored properties, whose names are its API.
    private static func fromUnlinkedModules(_ error: any Error) -> Self {
        let type = String(reflecting: Swift.type(of: error))
        if type.hasPrefix("NIOSSL.") { return .tlsHandshakeFailed }
        guard type == "NIOPosix.NIOConnectionError" else { return .other(type) }
        var attempts: [any Error] = []
        var dnsFailed = false
        for child in Mirror(reflecting: error).children {
            switch child.label {
            case "connectionErrors":
                for attempt in Mirror(reflecting: child.value).children {
                    for field in Mirror(reflecting: attempt.value).children where field.label == "error" {
                        if let inner = field.value as? any Error { attempts.append(inner) }
                    }
                }
            case "dnsAError", "dnsAAAAError":
                let value = Mirror(reflecting: child.value)
                if value.displayStyle == .optional, !value.children.isEmpty { dnsFailed = true }
            default: break
            }
        }
        if let first = attempts.first {
            let failures = attempts.map(Self.init)
            return failures.first { $0 == .connectionRefused } ?? Self(first)
        }
        return dnsFailed ? .hostNotFound : .other(type)
    }
}

/// The answer outgrew ``UpstreamConfiguration/maximumBodySize``; reading it was stopped.
struct BodyTooLargeError: Error {}
