import Foundation
import Glibc
import Testing

/// vdsyncd bounds glibc's malloc arenas at start, so that what one thread frees is used again
/// rather than kept in an arena per thread, and gives what malloc holds free back to the system
/// every 15 s (the soak's RSS growth, docs/reliability.md "Memory").
@Suite("vdsyncd process: memory", .tags(.process), .timeLimit(.minutes(2)))
struct MemoryTests {
    @Test(
        "after pulls, sends and reads the daemon has at most one malloc heap besides the main arena and trims its heap every 15 s; MALLOC_ARENA_MAX set by the operator wins"
    )
    func boundedArenas() async throws {
        for (environment, bounded) in [([String: String](), true), (["MALLOC_ARENA_MAX": "16"], false)] {
            try await DaemonWorld.with { world in
                try world.writeConfiguration(["VDSYNC_LOG_LEVEL": "debug"])
                let daemon = try world.start(environment: environment)
                defer { daemon.kill() }
                try await world.ready(daemon)
                try await world.loggedIn(daemon)
                // Pulls, sends and reads: the event loops, the cooperative pool and the database's
                // queues all allocate.
                let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
                for number in 1...10 {
                    _ = try await world.call("sync.now")
                    _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string("arena test \(number)")])
                    _ = try await world.call("outbox.list", ["limit": 1000])
                }
                _ = try await world.allApplied(10, daemon)
                let heaps = try MallocHeaps.count(pid: daemon.pid)
                if bounded {
                    #expect(heaps <= 1, "\(heaps) arena heaps with the default limit of 2 arenas")
                    // The trimmer's first turn comes 15 s after the start.
                    let trimmed = await eventually(timeout: .seconds(45), every: .milliseconds(250)) {
                        ((try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? "").contains("heap trimmed")
                    }
                    #expect(trimmed, "no 'heap trimmed' line at debug level within 45 s")
                } else {
                    // The control: the count sees arenas when they are not bounded.
                    #expect(heaps > 1, "\(heaps) arena heaps with MALLOC_ARENA_MAX=16")
                }
            }
        }
    }
}

/// glibc's arenas other than the main one live in heaps of 64 MiB (`HEAP_MAX_SIZE` on 64-bit),
/// each aligned on 64 MiB: in `/proc/<pid>/maps`, an anonymous read-write region starting on the
/// boundary, followed by the heap's unused rest mapped without access, ending on the next one.
enum MallocHeaps {
    static let size: UInt64 = 64 << 20

    static func count(pid: pid_t) throws -> Int {
        struct Region {
            var start: UInt64, end: UInt64, permissions: Substring, anonymous: Bool
        }
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        let regions = maps.split(separator: "\n").compactMap { line -> Region? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let bounds = fields.first?.split(separator: "-") ?? []
            guard fields.count >= 5, bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16)
            else { return nil }
            return Region(start: start, end: end, permissions: fields[1], anonymous: fields.count == 5)
        }
        var heaps = 0
        for (index, region) in regions.enumerated()
        where region.anonymous && region.permissions.hasPrefix("rw") && region.start % size == 0 {
            var end = region.end
            if index + 1 < regions.count, regions[index + 1].start == end, regions[index + 1].anonymous, regions[index + 1].permissions.hasPrefix("---") {
                end = regions[index + 1].end
            }
            if end - region.start == size { heaps += 1 }
        }
        return heaps
    }
}
