/// Owns the fault plan of a running server. Tests add rules in-process; the admin listener
/// adds them over loopback. The public API routes never change it.
public actor FaultInjector {
    private var plan = FaultPlan()
    private var generator: SplitMix64

    /// `seed` makes rate rules repeatable.
    public init(seed: UInt64 = 0x5EED) {
        generator = SplitMix64(seed: seed)
    }

    public func add(_ rule: FaultRule) {
        plan.add(rule)
    }

    public func removeAll() {
        plan.removeAll()
    }

    public var rules: [FaultRule] { plan.rules }

    func take(method: String, template: String, path: String) -> AppliedFaults {
        let fired = plan.take(method: method, template: template, path: path) {
            Double(generator.next() >> 11) / Double(1 << 53)
        }
        return AppliedFaults(rules: fired)
    }
}

/// A small deterministic random generator (SplitMix64) for repeatable fault rates.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
