/// FNV-1a over 64 bits: a hash that is the same in every process and on every run, unlike
/// Swift's `Hasher`, which is seeded at random per process. The quirks mode derives its choices
/// from it, so that a seed means the same variations tomorrow.
struct StableHash: Sendable, Hashable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    init(_ seed: UInt64) {
        combine(seed)
    }

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        value ^= 0xff
        value &*= 0x100_0000_01b3
    }

    mutating func combine(_ text: String) {
        combine(text.utf8)
    }

    mutating func combine(_ number: UInt64) {
        combine((0..<8).map { UInt8(truncatingIfNeeded: number >> ($0 * 8)) })
    }

    /// The value, finalised so that nearby inputs spread over every bit (a 64-bit mixer).
    var finalised: UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}
