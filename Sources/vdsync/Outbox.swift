import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync outbox`: the mutations waiting for, or done with, the upstream.
struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and control the outbox of mutations.", subcommands: [List.self, Get.self, Retry.self, Discard.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mutations in the outbox, oldest first (outbox.list).")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Comma-separated states: queued, in_flight, unknown, applied, rejected, parked, discarded.", valueName: "states"))
        var states: CommaList?
        @Option(help: "Only this kind, e.g. chat.send.") var kind: String?
        @Option(name: .customLong("after-id"), help: "Only mutations after this id (pages forward).") var afterID: Int?
        @Option(help: "At most this many (1-1000, default 100).") var limit: Int?

        func run() async throws {
            var params: [String: JSONValue] = [:]
            if let states { params["states"] = states.json }
            params.set("kind", kind)
            params.set("after_id", afterID)
            params.set("limit", limit)
            try await Invocation.run(global, "outbox.list", params)
        }
    }

    /// The commands that act on one mutation by id.
    struct OneMutation: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("mutation-id"), help: "The mutation's local id.") var mutationID: Int
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One mutation (outbox.get).")
        @OptionGroup var target: OneMutation

        func run() async throws {
            try await Invocation.run(target.global, "outbox.get", ["mutation_id": .integer(target.mutationID)])
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retry a parked or rejected mutation (outbox.retry).")
        @OptionGroup var target: OneMutation

        func run() async throws {
            try await Invocation.run(target.global, "outbox.retry", ["mutation_id": .integer(target.mutationID)])
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Discard a queued, parked or rejected mutation; its effect is rolled back (outbox.discard).")
        @OptionGroup var target: OneMutation

        func run() async throws {
            try await Invocation.run(target.global, "outbox.discard", ["mutation_id": .integer(target.mutationID)])
        }
    }
}
