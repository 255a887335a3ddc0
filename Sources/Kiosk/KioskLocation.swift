import Foundation

/// Where the kiosk stands, written as vdsyncd's `VDSYNC_LOCATION` is (`116.40-39.90`,
/// longitude-latitude): the patient's screen lists clinics nearest first from here. The mirror
/// keeps clinics by date, so the order by distance is the screen's.
public struct KioskLocation: Sendable, Equatable {
    public let longitude: Double
    public let latitude: Double

    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }

    /// Reads `longitude-latitude`; nil when the text is not one.
    public init?(_ text: String) {
        guard text.range(of: #"^-?[0-9]+(\.[0-9]+)?--?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        // The separator is the first '-' that is not a leading sign.
        let body = text.dropFirst()
        guard let separator = body.firstIndex(of: "-"), let longitude = Double(text[..<separator]),
            let latitude = Double(text[text.index(after: separator)...]), abs(longitude) <= 180, abs(latitude) <= 90
        else { return nil }
        self.init(longitude: longitude, latitude: latitude)
    }

    /// The great-circle distance to a point, in kilometres.
    public func kilometres(toLongitude longitude: Double, latitude: Double) -> Double {
        let radians = Double.pi / 180
        let deltaLatitude = (latitude - self.latitude) * radians
        let deltaLongitude = (longitude - self.longitude) * radians
        let a =
            sin(deltaLatitude / 2) * sin(deltaLatitude / 2)
            + cos(self.latitude * radians) * cos(latitude * radians) * sin(deltaLongitude / 2) * sin(deltaLongitude / 2)
        return 6371 * 2 * atan2(sqrt(a), sqrt(1 - a))
    }
}
