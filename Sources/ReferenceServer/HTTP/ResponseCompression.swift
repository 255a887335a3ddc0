import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// HTTP content coding, as the nginx in front of a real service applies it (`gzip on`): an answer
/// is compressed with gzip (or deflate) when the request's `Accept-Encoding` asks for it, its
/// content type is JSON or text, and its body is at least ``minimumLength`` bytes. Pictures,
/// other types and tiny bodies go as they are. This is HTTP, not the API: no endpoint,
/// parameter or field changes, and a client that does not ask gets plain answers.
///
/// The compressing is swift-nio-extras' `HTTPResponseCompressor`, put into Hummingbird's HTTP/1
/// pipeline between NIO's HTTP decoder and the conversion to swift-http-types (its
/// `additionalChannelHandlers` come after that conversion, where the compressor's NIOHTTP1
/// parts do not flow). An answer written in one piece, as every JSON answer of vdapi is, keeps a
/// `Content-Length`: the compressed length.
enum ResponseCompression {
    /// Bodies shorter than this are sent as they are (nginx's `gzip_min_length` is of this order).
    static let minimumLength = 1024

    /// A header a handler sets on an answer that must not be compressed (an injected truncation,
    /// whose declared length must stay the plain body's); removed before the answer leaves.
    static let identityMarker = "X-Vdapi-Identity"

    /// Whether an answer of this type may be compressed: JSON and text.
    static func isCompressible(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type.hasPrefix("text/")
    }

    /// `HTTPResponseCompressor`'s predicate: JSON or text, long enough (or of unknown length),
    /// not marked. Such answers say `Vary: Accept-Encoding`, as caches need to know.
    static func intent(_ head: inout HTTPResponseHead, supported: Bool) -> HTTPResponseCompressor.CompressionIntent {
        if head.headers.contains(name: identityMarker) {
            head.headers.remove(name: identityMarker)
            return .doNotCompress
        }
        guard isCompressible(contentType: head.headers.first(name: "Content-Type")) else { return .doNotCompress }
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length < minimumLength {
            return .doNotCompress
        }
        head.headers.replaceOrAdd(name: "Vary", value: "Accept-Encoding")
        return .compressIfPossible
    }

    /// Hummingbird's HTTP/1 server, with the compressor in its pipeline when `enabled`.
    static func server(enabled: Bool) -> HTTPServerBuilder {
        guard enabled else { return .http1() }
        return HTTPServerBuilder { responder in
            CompressingHTTP1Channel(inner: HTTP1Channel(responder: responder))
        }
    }
}

/// Hummingbird's `HTTP1Channel`, with an `HTTPResponseCompressor` (and its ``CompressionGuard``)
/// added right after NIO's HTTP request decoder once the channel is set up.
struct CompressingHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let compressor = HTTPResponseCompressor(responseCompressionPredicate: ResponseCompression.intent)
            try pipeline.addHandler(compressor, position: .after(decoder))
            try pipeline.addHandler(CompressionGuard(compressor: compressor), position: .after(compressor))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Keeps `HTTPResponseCompressor` from answering a request it never saw. The compressor pairs
/// each response head with the `Accept-Encoding` of a request head it let through, and traps when
/// there is none; Hummingbird answers a request it could not parse with a 400 whose request head
/// never arrived. This handler, between the compressor and the rest, counts request heads going
/// in and response heads going out; a response head with no request head left to pair takes the
/// compressor out of the pipeline first, so that answer (and the closing of the connection) goes
/// out plain.
final class CompressionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let compressor: HTTPResponseCompressor
    private var unanswered = 0
    private var compressorRemoved = false

    init(compressor: HTTPResponseCompressor) {
        self.compressor = compressor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data), !compressorRemoved {
            if unanswered > 0 {
                unanswered -= 1
            } else {
                compressorRemoved = true
                _ = context.pipeline.syncOperations.removeHandler(compressor)
            }
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension CompressionGuard: Sendable {}
