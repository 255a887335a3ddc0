/// The HTTP methods the documented API uses. Some state changes travel as `GET`
/// (follow, cancel, done); an endpoint's ``Endpoint/kind`` says what it does, not its method.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
}
