/// The `scale:N` world (issue #3, being written).
struct ScaleSeed {
    let projects: Int
    let seed: UInt64
    let configuration: ReferenceServerConfiguration

    func run(_ database: ReferenceDatabase) async throws -> String {
        "scale seed: not written yet"
    }
}
