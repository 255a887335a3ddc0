import Foundation
import VolunteerAPI

/// The user behind a valid `X-auth-token`.
struct Caller: Sendable, Hashable {
    let userID: Int
    let role: UserRole
    let token: String
}

/// One API call as a handler sees it: which endpoint, its validated parameters, who calls,
/// and the server's state. Handlers are plain async functions of a `Call`.
struct Call: Sendable {
    let endpoint: Endpoint
    let parameters: Parameters
    let caller: Caller?
    let now: Date
    let state: ServerState
    /// The `captcha_id` cookie that `/captcha/app` set, for `/verifycode`.
    var captchaID: String? = nil
    /// Where the client says it is (`X-location: <lng>-<lat>`), for "nearest first" sorting.
    var location: Location? = nil

    var database: ReferenceDatabase { state.database }
    var configuration: ReferenceServerConfiguration { state.configuration }

    /// The logged-in caller; the dispatcher has already refused calls without one where needed.
    func requireCaller() throws(CallError) -> Caller {
        guard let caller else { throw .notLoggedIn }
        return caller
    }

    /// An integer path placeholder such as `{id}`.
    func pathID(_ name: String = "id") throws(CallError) -> Int {
        guard let text = try parameters.string(name), let value = Int(text), value > 0 else {
            throw .notFound("记录")
        }
        return value
    }

    /// `yyyy-MM-dd HH:mm:ss` in China time, as every timestamp of the API.
    var timestamp: String { APIClock.timestamp(now) }
    /// `yyyy-MM-dd` in China time.
    var today: String { APIClock.date(now) }
}

/// A position from the `X-location` header, `<lng>-<lat>` in degrees (§1.1.3).
struct Location: Sendable, Hashable {
    let longitude: Double
    let latitude: Double

    /// Reads `116.40-39.90`; a leading minus belongs to the longitude. Nil when unreadable.
    init?(header: String?) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), header.count > 2 else { return nil }
        let body = header.dropFirst()
        guard let dash = body.firstIndex(of: "-"),
            let longitude = Double(header[header.startIndex..<dash]),
            let latitude = Double(body[body.index(after: dash)...]),
            (-180...180).contains(longitude), (-90...90).contains(latitude)
        else { return nil }
        self.longitude = longitude
        self.latitude = latitude
    }

    init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }

    /// Great-circle distance in kilometres.
    func distance(to other: Location) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLng = (other.longitude - longitude) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLng / 2) * sin(dLng / 2)
        return 6371 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}
