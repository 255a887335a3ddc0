import VolunteerAPI

/// Rewrites the JSON of one API answer the way legacy PHP servers vary it, as quirks mode does.
///
/// It is pure: the same settings, value and answer number give the same result. Every
/// variation is lossless, a client that reads representations tolerantly gets the same values:
/// - integers as text (`13` → `"13"`), ids, counts, codes, paging and `error_code` included;
/// - decimal text of ``QuirkFields/decimals`` as a number when the number writes the same digits
///   (`"4.5"` → `4.5`, never `"127.000000"`);
/// - a `null` member as `null`, `""` or left out (never a member of the envelope);
/// - an empty object as `[]`;
/// - 0/1 flags of ``QuirkFields/flags`` as `0`/`1`, `"0"`/`"1"` or `false`/`true`;
/// - timestamps and times whose seconds are `00` without them; other seconds stay, and object
///   keys are never touched (plan_time's keys are data a client sends back);
/// - an undocumented member (``QuirkFields/extras``) added to some records.
///
/// A choice depends on the seed, the record (its `id` and its set of keys, as sent before any
/// variation) and the field, so a record reads the same in every answer; with
/// ``QuirkSettings/perAnswer`` the answer number is mixed in as well.
public struct QuirkRewriter: Sendable {
    public let settings: QuirkSettings
    let structures: QuirkStructures

    public init(settings: QuirkSettings) {
        self.settings = settings
        self.structures = .standard
    }

    /// The varied answer and the census of what was varied in it (one answer).
    public func rewrite(_ value: JSONValue, answer: UInt64) -> (value: JSONValue, census: QuirkCensus) {
        var census = QuirkCensus()
        census.countAnswer()
        let rewritten = rewrite(value, under: nil, answer: answer, census: &census)
        return (rewritten, census)
    }

    private func rewrite(_ value: JSONValue, under field: String?, answer: UInt64, census: inout QuirkCensus) -> JSONValue {
        switch value {
        case .object(let members): .object(rewrite(members, under: field, answer: answer, census: &census))
        case .array(let elements): .array(elements.map { rewrite($0, under: field, answer: answer, census: &census) })
        default: value
        }
    }

    private func rewrite(
        _ members: [String: JSONValue], under field: String?, answer: UInt64, census: inout QuirkCensus
    ) -> [String: JSONValue] {
        let isEnvelope = field == nil && members["error_code"] != nil
        let structure = isEnvelope ? "envelope" : structures.name(of: members, under: field)
        let record = recordHash(members, answer: answer)
        var result: [String: JSONValue] = [:]
        result.reserveCapacity(members.count + 1)
        for (key, member) in members {
            var hash = record
            hash.combine(key)
            let choice = hash.finalised
            let nested = rewrite(member, under: key, answer: answer, census: &census)
            guard let (varied, kind) = vary(nested, field: key, choice: choice, inEnvelope: isEnvelope) else {
                result[key] = nested
                continue
            }
            census.record(kind, in: structure)
            if let varied { result[key] = varied }
        }
        if members["id"] != nil {
            var hash = record
            hash.combine("+extra")
            let index = Int(hash.finalised % UInt64(QuirkFields.extras.count * 2))
            if index < QuirkFields.extras.count {
                let extra = QuirkFields.extras[index]
                if members[extra.name] == nil {
                    result[extra.name] = extra.value
                    census.record(.extraField, in: structure)
                }
            }
        }
        return result
    }

    /// Identifies a record: the seed, its `id` as sent, its sorted keys, and the answer when
    /// choices vary per answer.
    private func recordHash(_ members: [String: JSONValue], answer: UInt64) -> StableHash {
        var hash = StableHash(settings.seed)
        switch members["id"] {
        case .integer(let id)?: hash.combine("\(id)")
        case .string(let id)?: hash.combine(id)
        default: hash.combine("-")
        }
        for key in members.keys.sorted() { hash.combine(key) }
        if settings.perAnswer { hash.combine(answer) }
        return hash
    }

    /// The variation of one member, if one is chosen: the new value (nil to leave the member
    /// out) and its kind; nil to keep the member as it is.
    private func vary(_ value: JSONValue, field: String, choice: UInt64, inEnvelope: Bool) -> (JSONValue?, QuirkKind)? {
        switch value {
        case .object(let members) where members.isEmpty:
            return choice % 2 == 1 ? (.array([]), .emptyObjectAsArray) : nil
        case .null where !inEnvelope:
            switch choice % 3 {
            case 1: return (.string(""), .nullAsEmpty)
            case 2: return (nil, .nullLeftOut)
            default: return nil
            }
        case .integer(let number) where QuirkFields.flags.contains(field) && (number == 0 || number == 1):
            switch choice % 3 {
            case 1: return (.string("\(number)"), .flagAsString)
            case 2: return (.bool(number == 1), .flagAsBool)
            default: return nil
            }
        case .integer(let number):
            return choice % 2 == 1 ? (.string("\(number)"), .intAsString) : nil
        case .string(let text) where QuirkFields.decimals.contains(field):
            guard choice % 2 == 1, let number = Self.losslessNumber(text) else { return nil }
            return (.number(number), .decimalAsNumber)
        case .string(let text):
            guard choice % 2 == 1, let shorter = Self.withoutZeroSeconds(text) else { return nil }
            return (.string(shorter), .timeWithoutSeconds)
        default:
            return nil
        }
    }

    /// The number decimal text stands for, when writing that number gives back the same text:
    /// a plain decimal with a fraction that ends in a non-zero digit (`4.5`, `-0.25`), not
    /// `127.000000`, `3` or `1e5`.
    static func losslessNumber(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard let point = digits.firstIndex(of: UInt8(ascii: ".")), point > digits.startIndex, point < digits.endIndex - 1,
            digits.allSatisfy({ $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            digits.filter({ $0 == UInt8(ascii: ".") }).count == 1, digits.last != UInt8(ascii: "0"),
            digits.first != UInt8(ascii: "0") || digits[digits.startIndex + 1] == UInt8(ascii: "."),
            let number = Double(text), "\(number)" == text
        else { return nil }
        return number
    }

    /// `yyyy-MM-dd HH:mm` or `HH:mm` for a timestamp or time whose seconds are `00`; nil for
    /// anything else, non-zero seconds included.
    static func withoutZeroSeconds(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) }
        func isTime(at start: Int) -> Bool {
            isDigit(start) && isDigit(start + 1) && bytes[start + 2] == UInt8(ascii: ":") && isDigit(start + 3) && isDigit(start + 4)
                && bytes[start + 5] == UInt8(ascii: ":") && bytes[start + 6] == UInt8(ascii: "0") && bytes[start + 7] == UInt8(ascii: "0")
        }
        switch bytes.count {
        case 8:
            return isTime(at: 0) ? String(text.dropLast(3)) : nil
        case 19:
            let dateOK =
                [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy(isDigit) && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
                && bytes[10] == UInt8(ascii: " ")
            return dateOK && isTime(at: 11) ? String(text.dropLast(3)) : nil
        default:
            return nil
        }
    }
}
