import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

/// What operators read (docs/operations.md): the metrics, and a support bundle that holds no
/// personal data. Both are read methods: they show nothing of any account's records.
extension LocalAPI {
    func operationMethods() -> [RPCMethod] {
        [metricsMethod(), reportMethod()]
    }

    private func metricsMethod() -> RPCMethod {
        RPCMethod(
            "metrics.get", summary: "The daemon's metrics in Prometheus's text format (docs/operations.md).", access: .read,
            result: .init(
                "metrics",
                RPCSchema.object(
                    ["format": RPCSchema.string(description: "text/plain; version=0.0.4"), "text": RPCSchema.string()], required: ["format", "text"]))
        ) { _, _ in
            guard let text = await operatorHooks.metricsText() else {
                throw RPCError.invalidState("this daemon keeps no metrics")
            }
            return ["format": "text/plain; version=0.0.4", "text": .string(text)]
        }
    }

    private func reportMethod() -> RPCMethod {
        RPCMethod(
            "support.report",
            summary:
                "A support bundle: versions, masked configuration, status, the outbox without payloads, last errors, an integrity check, the metrics; no personal data.",
            access: .read, result: .init("report", RPCSchema.object(description: "docs/operations.md, \"The support report\""))
        ) { _, _ in
            let report = SupportReport(
                versions: ["vdsyncd": Self.version, "local_api": "1", "schema": MirrorStore.schemaVersion],
                configuration: operatorHooks.configuration(), status: await agent.status(),
                entries: try await store.outboxEntries(limit: 10_000), integrity: (try? await store.quickCheck()) ?? ["the check could not run"],
                metrics: await operatorHooks.metricsText(), generatedAt: Date())
            return report.json
        }
    }
}
