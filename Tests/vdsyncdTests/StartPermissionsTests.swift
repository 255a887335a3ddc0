import Foundation
import Glibc
import Testing

/// Issue #18, findings 4, 5 and 8: the permissions vdsyncd sets up or accepts at start. The
/// socket directory it creates belongs to the socket's group; a password file others may read
/// or write is refused; a state directory (the medical database) others may enter is tightened.
@Suite("vdsyncd process: permissions at start", .tags(.process), .timeLimit(.minutes(2)))
struct StartPermissionsTests {
    static func status(_ path: String) -> (mode: UInt32, uid: uid_t, gid: gid_t)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt32(info.st_mode) & 0o7777, info.st_uid, info.st_gid)
    }

    /// A group the daemon may give its files that is not its own: any gid for root, else one
    /// of this user's supplementary groups.
    static let otherGroup: gid_t? = {
        if geteuid() == 0 { return 4242 }
        var groups = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
        let count = getgroups(Int32(groups.count), &groups)
        return groups.prefix(Int(max(count, 0))).first { $0 != getegid() }
    }()

    // MARK: - Finding 4: the socket directory's group

    @Test(
        "a socket directory vdsyncd creates is 0750 with VDSYNC_SOCKET_GROUP, under systemd's UMask=0077 too",
        .enabled(if: otherGroup != nil, "needs a group other than the test's own: root, or a supplementary group"))
    func socketDirectoryGroup() async throws {
        let group = try #require(Self.otherGroup)
        try await DaemonWorld.with { world in
            let socketPath = world.directory.file("run/vdsyncd/vdsyncd.sock")
            try world.writeConfiguration(["VDSYNC_SOCKET_PATH": socketPath, "VDSYNC_SOCKET_GROUP": "\(group)"])
            let daemon = try world.start(umask: "077")
            defer { daemon.kill() }
            try await world.ready(daemon)
            for directory in [world.directory.file("run"), world.directory.file("run/vdsyncd")] {
                let made = try #require(Self.status(directory))
                #expect(made.gid == group, "\(directory): gid \(made.gid), not the socket group \(group)")
                #expect(made.mode == 0o750, "\(directory): mode \(String(made.mode, radix: 8))")
            }
            let socket = try #require(Self.status(socketPath))
            #expect(socket.gid == group && socket.mode == 0o660)
        }
    }

    // MARK: - Finding 5: the password file's mode

    @Test("a password file readable or writable by others is refused: exit 78, key and mode named, never the password", arguments: [0o644, 0o666, 0o604])
    func passwordFileOpenToOthers(_ mode: Int) async throws {
        try await DaemonWorld.with { world in
            let file = world.directory.file("password")
            #expect(chmod(file, mode_t(mode)) == 0)
            let daemon = try world.start()
            defer { daemon.kill() }
            let ended = await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(78), "\(DaemonFailure("ended: \(ended.map { "\($0)" } ?? "still running")", daemon))")
            let line = daemon.standardErrorLines.first { $0.contains("configuration") }
            #expect(line?.contains("VDSYNC_PASSWORD_FILE:") == true, "stderr: \(daemon.standardError)")
            #expect(line?.contains("0" + String(mode, radix: 8)) == true, "the mode is named; stderr: \(daemon.standardError)")
            #expect(!daemon.standardError.contains(DaemonWorld.password))
            #expect(!FileManager.default.fileExists(atPath: world.socketPath))
        }
    }

    @Test("a group-readable password file (0640) is accepted")
    func passwordFileForGroup() async throws {
        try await DaemonWorld.with { world in
            #expect(chmod(world.directory.file("password"), 0o640) == 0)
            let daemon = try world.start()
            defer { daemon.kill() }
            try await world.ready(daemon)
            try await world.loggedIn(daemon)
        }
    }

    // MARK: - Finding 8: the state directory's mode

    @Test("an existing state directory at 0777 is made 0700, with a notice naming the old mode")
    func stateDirectoryTightened() async throws {
        try await DaemonWorld.with { world in
            #expect(mkdir(world.stateDirectory, 0o700) == 0 && chmod(world.stateDirectory, 0o777) == 0)
            let daemon = try world.start()
            defer { daemon.kill() }
            try await world.ready(daemon)
            #expect(Self.status(world.stateDirectory)?.mode == 0o700)
            let notice = daemon.standardErrorLines.first { $0.contains("state directory") }
            #expect(notice?.contains("0777") == true, "stderr: \(daemon.standardError)")
            #expect((Self.status(world.databasePath)?.mode ?? 0o777) & 0o077 == 0, "the database is its owner's alone")
        }
    }

    @Test(
        "a state directory open to others that the daemon does not own is refused: exit 1, path and mode named",
        .enabled(if: geteuid() == 0, "giving the directory to another user needs root"))
    func stateDirectoryOfAnotherUser() async throws {
        try await DaemonWorld.with { world in
            #expect(mkdir(world.stateDirectory, 0o700) == 0 && chmod(world.stateDirectory, 0o755) == 0)
            #expect(chown(world.stateDirectory, 4242, 4242) == 0)
            let daemon = try world.start()
            defer { daemon.kill() }
            let ended = await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(1), "\(DaemonFailure("ended: \(ended.map { "\($0)" } ?? "still running")", daemon))")
            let line = daemon.standardErrorLines.first { $0.contains(world.stateDirectory) && $0.contains("0755") }
            #expect(line != nil, "stderr: \(daemon.standardError)")
            #expect(Self.status(world.stateDirectory)?.mode == 0o755, "another user's directory is not changed")
            #expect(!FileManager.default.fileExists(atPath: world.databasePath))
        }
    }
}
