import Foundation
import Glibc
import Testing

@testable import Systemd

/// sd_notify: the exact datagrams, on a real socket the test binds.
@Suite("sd_notify")
struct SystemdNotifierTests {
    @Test("without NOTIFY_SOCKET every message is a no-op")
    func disabled() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(notifier.ready(status: "up") == .disabled)
        #expect(notifier.watchdog() == .disabled)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]).status("x") == .disabled)
    }

    @Test("each state message is the documented datagram", arguments: [false, true])
    func datagrams(abstract: Bool) throws {
        let receiver = try NotifyReceiver(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.name])
        #expect(notifier.socket == receiver.name)

        #expect(notifier.ready() == .sent)
        #expect(receiver.receive() == "READY=1\n")
        notifier.ready(status: "mirror up to date")
        #expect(receiver.receive() == "READY=1\nSTATUS=mirror up to date\n")
        notifier.status("offline, 3 pending")
        #expect(receiver.receive() == "STATUS=offline, 3 pending\n")
        notifier.watchdog()
        #expect(receiver.receive() == "WATCHDOG=1\n")
        notifier.stopping()
        #expect(receiver.receive() == "STOPPING=1\n")
        notifier.stopping(status: "draining")
        #expect(receiver.receive() == "STOPPING=1\nSTATUS=draining\n")
        notifier.send([("EXTEND_TIMEOUT_USEC", "5000000"), ("STATUS", "migrating")])
        #expect(receiver.receive() == "EXTEND_TIMEOUT_USEC=5000000\nSTATUS=migrating\n")
        #expect(receiver.pending() == nil, "one datagram per message")
    }

    @Test("RELOADING=1 carries MONOTONIC_USEC from CLOCK_MONOTONIC")
    func reloading() throws {
        let receiver = try NotifyReceiver()
        let notifier = SystemdNotifier(socket: receiver.name)
        let before = SystemdNotifier.monotonicMicroseconds()
        notifier.reloading()
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try #require(receiver.receive()).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[0] == "RELOADING=1" && lines[2] == "")
        let stamp = try #require(UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)))
        #expect(lines[1].hasPrefix("MONOTONIC_USEC=") && before <= stamp && stamp <= after)

        notifier.reloading(status: "reading configuration")
        #expect(try #require(receiver.receive()).hasSuffix("\nSTATUS=reading configuration\n"))
    }

    @Test("a value cannot inject an assignment; an invalid key is dropped")
    func sanitising() throws {
        let receiver = try NotifyReceiver()
        let notifier = SystemdNotifier(socket: receiver.name)
        notifier.status("line one\nREADY=1")
        #expect(receiver.receive() == "STATUS=line one READY=1\n")
        notifier.send([("BAD=KEY", "1"), ("", "1"), ("BAD\nKEY", "1"), ("STATUS", "ok")])
        #expect(receiver.receive() == "STATUS=ok\n")
    }

    @Test("a missing or unusable socket is a reported outcome, not a crash or a throw")
    func failures() async throws {
        let directory = try TemporaryDirectory()
        let capture = LogCapture()
        let gone = SystemdNotifier(socket: directory.path + "/nobody-listens", logger: capture.logger())
        guard case .failed(let error) = gone.ready() else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.operation == "sendto" && error.code == ENOENT)
        let line = try #require(await capture.first(containing: "sd_notify"))
        #expect(line.contains("warning") && line.contains("No such file or directory"))

        let tooLong = SystemdNotifier(socket: "/" + String(repeating: "x", count: 200))
        #expect(tooLong.watchdog() == .failed(.init(operation: "address", code: 0, socket: tooLong.socket!)))
        #expect(SystemdNotifier(socket: "vsock:2:1234").watchdog() == .failed(.init(operation: "address", code: 0, socket: "vsock:2:1234")))
        #expect(SystemdNotifier(socket: "relative/notify").watchdog() == .failed(.init(operation: "address", code: 0, socket: "relative/notify")))
    }

    @Test("socket names: paths need room for their NUL, abstract names do not")
    func addresses() {
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)  // 108
        #expect(UnixSocketAddress("/" + String(repeating: "a", count: capacity - 2)) != nil)
        #expect(UnixSocketAddress("/" + String(repeating: "a", count: capacity - 1)) == nil)
        #expect(UnixSocketAddress("@" + String(repeating: "a", count: capacity - 1)) != nil)
        #expect(UnixSocketAddress("@" + String(repeating: "a", count: capacity)) == nil)
        #expect(UnixSocketAddress("@") == nil)
        #expect(UnixSocketAddress("") == nil)
        #expect(UnixSocketAddress("/run/a\0b") == nil)
    }
}
