/// What the daemon lends the local API for operators: its metrics in Prometheus's text format,
/// and its configuration with secrets and personal values already masked. Without a daemon (in
/// tests of the methods alone) there are none, and `metrics.get` says so.
public struct OperatorHooks: Sendable {
    public var metricsText: @Sendable () async -> String?
    public var configuration: @Sendable () -> [String: String]

    public init(metricsText: @escaping @Sendable () async -> String?, configuration: @escaping @Sendable () -> [String: String]) {
        self.metricsText = metricsText
        self.configuration = configuration
    }

    /// No metrics and no configuration to show.
    public static let none = OperatorHooks(metricsText: { nil }, configuration: { [:] })
}
