#if canImport(Glibc)
    import Glibc
#endif

/// glibc's malloc, tuned for a daemon that runs for months: a bound on its arenas, and a way to
/// give what it holds free back to the system (``HeapTrimmer``).
///
/// glibc gives each thread that allocates an arena of its own, up to eight per core, and keeps
/// what is freed in each one. The daemon's work hops between the cooperative pool, NIO's event
/// loops and GRDB's dispatch queues, so it used 15 arenas on two cores, and in the soak its RSS
/// grew about 1 MB a minute: malloc held 7.7 → 22.1 MB while 4.6 → 7.0 MB were in use
/// (docs/reliability.md, "Memory"). An operator's `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES` arena setting is left to win.
/// `<malloc.h>` is not part of the Glibc module: its functions are looked up by name.
enum Malloc {
    static let arenaLimit: Int32 = 2
    /// `M_ARENA_MAX` of `<malloc.h>`.
    static let arenaMaxParameter: Int32 = -8

    /// Whether the environment already says how many arenas to use.
    static func arenasConfigured(_ environment: (String) -> String?) -> Bool {
        environment("MALLOC_ARENA_MAX") != nil || (environment("GLIBC_TUNABLES") ?? "").contains("malloc.arena_max")
    }

    /// Sets the arena limit unless the environment sets one. Only effective before a second
    /// thread allocates: call it first thing in `main`.
    static func boundArenas() {
        #if canImport(Glibc)
            guard !arenasConfigured({ name in getenv(name).map { String(cString: $0) } }) else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return }  // RTLD_DEFAULT
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxParameter, arenaLimit)
        #endif
    }

    /// Gives the free memory of every arena back to the system (`malloc_trim(0)`); false where
    /// there is no such function.
    @discardableResult
    static func trim() -> Bool {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return false }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
            return true
        #else
            return false
        #endif
    }
}
