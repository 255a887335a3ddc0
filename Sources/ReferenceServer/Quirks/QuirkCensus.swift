/// How many variations the quirks mode applied, per structure (`project`, `envelope`,
/// `plan_time`...) and per ``QuirkKind``, and over how many answers.
///
/// It is a plain value: the rewriter returns one per answer, the server adds them up, and the
/// admin listener (`GET /admin/quirks`) and ``ReferenceServer/quirkCensus`` show the sum.
public struct QuirkCensus: Sendable, Hashable, Codable {
    /// Structure name → kind → count; only counts above zero are kept.
    public private(set) var counts: [String: [QuirkKind: Int]] = [:]
    /// The answers rewritten.
    public private(set) var answers = 0

    public init() {}

    /// Counts one variation of `kind` in a `structure`.
    mutating func record(_ kind: QuirkKind, in structure: String) {
        counts[structure, default: [:]][kind, default: 0] += 1
    }

    /// Adds another census (the variations of one answer) to this one.
    mutating func add(_ other: QuirkCensus) {
        answers += other.answers
        for (structure, kinds) in other.counts {
            for (kind, count) in kinds { counts[structure, default: [:]][kind, default: 0] += count }
        }
    }

    mutating func countAnswer() {
        answers += 1
    }

    /// The count of `kind` in `structure`, or over every structure when `structure` is nil.
    public func count(_ kind: QuirkKind, in structure: String? = nil) -> Int {
        if let structure { return counts[structure]?[kind] ?? 0 }
        return counts.values.reduce(0) { $0 + ($1[kind] ?? 0) }
    }

    /// Every variation applied.
    public var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// One line per structure, `project: int-as-string 1234, null-as-empty 56`, sorted by name.
    public var lines: [String] {
        counts.keys.sorted().map { structure in
            let kinds = counts[structure, default: [:]].sorted { $0.key < $1.key }
            return "\(structure): " + kinds.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        }
    }

    enum CodingKeys: String, CodingKey {
        case counts, answers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        answers = try container.decode(Int.self, forKey: .answers)
        let named = try container.decode([String: [String: Int]].self, forKey: .counts)
        for (structure, kinds) in named {
            for (kind, count) in kinds {
                if let kind = QuirkKind(rawValue: kind) { counts[structure, default: [:]][kind] = count }
            }
        }
    }

    /// `{"answers": N, "counts": {"project": {"int-as-string": 1234, ...}, ...}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(answers, forKey: .answers)
        let named = counts.mapValues { kinds in Dictionary(uniqueKeysWithValues: kinds.map { ($0.key.rawValue, $0.value) }) }
        try container.encode(named, forKey: .counts)
    }
}
