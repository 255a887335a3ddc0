import NIOCore

/// Splits the byte stream into '\n'-terminated lines (the server's framing, and its clients'), refusing to buffer more than one line's limit.
///
/// A line longer than `maxLineBytes` yields `.tooLong` once and everything after it is discarded
/// (the connection is being closed). At end of input a last unterminated line is still delivered,
/// so a client that half-closes after its final request gets its reply.
public struct LineFramer: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    public enum Frame: Sendable, Equatable {
        /// One line, without its '\n'.
        case line(ByteBuffer)
        case tooLong
    }

    public let maxLineBytes: Int
    /// Bytes already searched for '\n', so a long line in many reads is scanned once.
    private var scanned = 0
    private var discarding = false

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = next(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        if let frame = next(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if !discarding, buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes) {
            scanned = 0
            context.fireChannelRead(Self.wrapInboundOut(.line(rest)))
        }
        return .needMoreData
    }

    /// The next frame in `buffer`, consuming it; nil when more bytes are needed. Free of the
    /// channel so that it is tested directly.
    public mutating func next(_ buffer: inout ByteBuffer) -> Frame? {
        if discarding {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        }
        let view = buffer.readableBytesView
        if let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            scanned = 0
            if length > maxLineBytes {
                discarding = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return .tooLong
            }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            return .line(line)
        }
        scanned = view.count
        if view.count > maxLineBytes {
            discarding = true
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .tooLong
        }
        return nil
    }
}
