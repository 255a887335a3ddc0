import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where a password comes from, never from a plain command-line value (it would stay in the
/// shell's history and in `ps`): a file, stdin, `$VDSYNC_PASSWORD`, or a prompt on the terminal
/// with echo off. The password is only ever handed to the request; it is never printed.
struct PasswordSource: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the password from the first line of this file.", valueName: "path"), completion: .file())
    var passwordFile: String?

    @Flag(name: .long, help: "Read the password from the first line of stdin.")
    var passwordStdin = false

    func validate() throws {
        if passwordFile != nil && passwordStdin { throw ValidationError("--password-file and --password-stdin exclude each other") }
    }

    /// The password: --password-file, --password-stdin, $VDSYNC_PASSWORD, else a prompt.
    func read(prompt: String = "Password: ") throws -> String {
        if let passwordFile {
            guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                throw ValidationError("cannot read the password file \(passwordFile)")
            }
            return Self.firstLine(String(decoding: contents, as: UTF8.self))
        }
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on stdin") }
            return line
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment["VDSYNC_PASSWORD"], !fromEnvironment.isEmpty { return fromEnvironment }
        guard let typed = Self.prompt(prompt) else {
            throw ValidationError("no password: give --password-file, --password-stdin or $VDSYNC_PASSWORD, or run on a terminal")
        }
        return typed
    }

    static func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" })
    }

    /// Asks on the controlling terminal with echo off; nil when there is no terminal.
    static func prompt(_ prompt: String) -> String? {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else { return nil }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = Array(prompt.utf8).withUnsafeBytes { write(tty, $0.baseAddress, $0.count) }
        guard tcsetattr(tty, TCSAFLUSH, &silent) == 0 else { return nil }
        // Echo comes back whatever happens next, or the user's shell is left without it.
        defer {
            _ = tcsetattr(tty, TCSAFLUSH, &saved)
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while readByte(tty, &byte), byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return firstLine(String(decoding: bytes, as: UTF8.self))
    }
}

/// One byte from `descriptor`; at file scope because inside ``PasswordSource`` the name `read`
/// is its own method.
private func readByte(_ descriptor: Int32, _ byte: inout UInt8) -> Bool {
    read(descriptor, &byte, 1) == 1
}
