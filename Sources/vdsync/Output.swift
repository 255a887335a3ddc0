import Foundation

/// Writes to stdout and stderr unbuffered, so that `vdsync watch` lines reach a pipe as they
/// happen and nothing is lost when the process exits on a signal.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// `text` and a newline on stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
