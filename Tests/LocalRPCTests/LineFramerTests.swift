import NIOCore
import Testing

@testable import LocalRPC

/// Newline framing with a bounded buffer, as a value.
@Suite("Line framing")
struct LineFramerTests {
    func lines(_ framer: inout LineFramer, _ buffer: inout ByteBuffer) -> [LineFramer.Frame] {
        var frames: [LineFramer.Frame] = []
        while let frame = framer.next(&buffer) { frames.append(frame) }
        return frames
    }

    @Test("lines split on newline, across reads, with empty lines kept for the dispatcher to ignore")
    func splitting() {
        var framer = LineFramer(maxLineBytes: 100)
        var buffer = ByteBuffer(string: "ab\n\ncd")
        #expect(lines(&framer, &buffer) == [.line(ByteBuffer(string: "ab")), .line(ByteBuffer(string: ""))])
        buffer.writeString("ef\ngh")
        #expect(lines(&framer, &buffer) == [.line(ByteBuffer(string: "cdef"))])
        #expect(buffer.readableBytes == 2)
    }

    @Test("a line over the limit is refused once, with or without its newline, and the rest discarded")
    func tooLong() {
        var framer = LineFramer(maxLineBytes: 4)
        var exact = ByteBuffer(string: "abcd\n")
        #expect(lines(&framer, &exact) == [.line(ByteBuffer(string: "abcd"))])
        var long = ByteBuffer(string: "abcde\nok\n")
        #expect(lines(&framer, &long) == [.tooLong])
        var more = ByteBuffer(string: "ok\n")
        #expect(lines(&framer, &more) == [], "nothing after the refusal is read")

        var unterminated = LineFramer(maxLineBytes: 4)
        var partial = ByteBuffer(string: "abc")
        #expect(lines(&unterminated, &partial) == [])
        partial.writeString("de")
        #expect(lines(&unterminated, &partial) == [.tooLong], "refused before the newline ever comes")
    }
}
