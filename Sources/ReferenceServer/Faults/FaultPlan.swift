/// The fault rules in force and the decision of which fire for a request: a plain value, so
/// the decision is tested without sockets. Counted rules are used up as they fire.
struct FaultPlan: Sendable {
    private(set) var rules: [FaultRule] = []

    mutating func add(_ rule: FaultRule) {
        rules.append(rule)
    }

    mutating func removeAll() {
        rules.removeAll()
    }

    /// The actions to apply to a request, in rule order; `roll` gives a number in 0..<1 for
    /// rate rules. Rules whose count reaches zero are dropped.
    mutating func take(method: String, template: String, path: String, roll: () -> Double) -> [FaultRule] {
        var fired: [FaultRule] = []
        var kept: [FaultRule] = []
        for var rule in rules {
            if rule.matches(method: method, template: template, path: path), rule.rate.map({ roll() < $0 }) ?? true {
                fired.append(rule)
                if let times = rule.times {
                    rule.times = times - 1
                    if times - 1 <= 0 { continue }
                }
            }
            kept.append(rule)
        }
        rules = kept
        return fired
    }
}
