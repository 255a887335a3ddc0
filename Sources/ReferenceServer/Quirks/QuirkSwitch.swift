import Foundation
import NIOCore
import Synchronization
import VolunteerAPI

/// The quirks mode of a running server: the settings in force (changed at run time by tests),
/// the answer counter of per-answer mode, and the census of what was varied.
final class QuirkSwitch: Sendable {
    private struct Current {
        var rewriter: QuirkRewriter?
        var answers: UInt64 = 0
        var census = QuirkCensus()
    }

    private let current: Mutex<Current>

    init(_ settings: QuirkSettings?) {
        current = Mutex(Current(rewriter: settings.map(QuirkRewriter.init(settings:))))
    }

    var settings: QuirkSettings? {
        current.withLock { $0.rewriter?.settings }
    }

    /// Turns quirks on with `settings`, or off with nil; the census is kept.
    func set(_ settings: QuirkSettings?) {
        current.withLock { $0.rewriter = settings.map(QuirkRewriter.init(settings:)) }
    }

    var census: QuirkCensus {
        current.withLock { $0.census }
    }

    func resetCensus() {
        current.withLock { $0.census = QuirkCensus() }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Sorted keys: an answer read twice is the same bytes, whatever order dictionaries keep.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    /// `body` varied, when quirks are on and it is JSON; nil to send it as it is.
    func rewrite(_ body: ByteBuffer) -> ByteBuffer? {
        let turn: (QuirkRewriter, UInt64)? = current.withLock { state in
            guard let rewriter = state.rewriter else { return nil }
            state.answers += 1
            return (rewriter, state.answers)
        }
        guard let (rewriter, answer) = turn, let value = try? JSONValue.parse(Data(body.readableBytesView)) else { return nil }
        let (varied, census) = rewriter.rewrite(value, answer: answer)
        guard let bytes = try? Self.encoder.encode(varied) else { return nil }
        current.withLock { $0.census.add(census) }
        return ByteBuffer(bytes: bytes)
    }
}
