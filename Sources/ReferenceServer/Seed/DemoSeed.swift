/// The `demo` world (issue #3, being written).
struct DemoSeed {
    let configuration: ReferenceServerConfiguration

    func run(_ database: ReferenceDatabase) async throws -> String {
        "demo seed: not written yet"
    }
}
