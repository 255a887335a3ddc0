import Foundation
import VolunteerAPI

/// How records read on the screens: the mirror's models turned into template data with the
/// domain's labels. Plain functions of values.
enum Views {
    static let scores = [5, 4, 3, 2, 1]

    /// Today's date on the API's clock, which dates the clinics: a kiosk whose own zone is
    /// behind (UTC after 16:00) still shows today's clinics as today's.
    static func today(_ now: Date = Date()) -> String {
        APIClock.date(now)
    }

    static func clinic(_ item: Item<Project>, href: String) -> [String: Any] {
        let project = item.record
        let booked = project.joinedCount ?? 0
        let capacity = project.capacity ?? 0
        return [
            "id": project.id, "href": href, "date": project.date ?? "", "time": timeRange(project.begin, project.end),
            "hospital": project.hospital?.name ?? "", "address": project.address ?? "", "booked": booked, "capacity": capacity,
            "free": max(0, capacity - booked), "pending": item.pending, "doctor": project.doctor?.realName ?? "", "abstract": project.abstract ?? "",
        ]
    }

    static func timeRange(_ begin: String?, _ end: String?) -> String {
        "\(begin.map { String($0.prefix(5)) } ?? "")–\(end.map { String($0.prefix(5)) } ?? "")"
    }

    static func booking(_ item: Item<Diagnosis>) -> [String: Any] {
        let diagnosis = item.record
        var view: [String: Any] = [
            "id": diagnosis.id, "pending": item.pending, "patient_name": diagnosis.patient?.realName ?? "#\(diagnosis.patient?.id ?? 0)",
            "visit_time": diagnosis.visitTime ?? "", "visit_status": visitStatus(diagnosis.visitStatus),
            "booking_status": bookingStatus(diagnosis.bookingStatus), "casebook": diagnosis.casebook?.content ?? "",
            "photos": photos(diagnosis.casebook?.photos ?? []),
            "age": diagnosis.patient?.age.map(String.init) ?? "", "height": diagnosis.patient?.height ?? "", "weight": diagnosis.patient?.weight ?? "",
            "project_id": diagnosis.casebook?.projectID ?? 0,
        ]
        if let result = diagnosis.result { view["result"] = result }
        if let score = diagnosis.doctorScore, score > 0 { view["rated"] = "\(score) · \(diagnosis.doctorComment ?? "")" }
        return view
    }

    static func visitStatus(_ status: VisitStatus?) -> String {
        switch status {
        case .waiting: KioskStrings.text("visit_waiting")
        case .missed: KioskStrings.text("visit_missed")
        case .seen: KioskStrings.text("visit_seen")
        case nil: ""
        }
    }

    static func bookingStatus(_ status: BookingStatus?) -> String {
        switch status {
        case .booked: KioskStrings.text("booking_booked")
        case .rejected: KioskStrings.text("booking_rejected")
        case .cancelled: KioskStrings.text("booking_cancelled")
        case nil: ""
        }
    }

    /// Pictures through vdkiosk's own `/image`, which reads the daemon's image cache: the page
    /// never loads anything from elsewhere.
    static func photos(_ urls: [String]) -> [[String: Any]] {
        urls.enumerated().map { index, url in
            var components = URLComponents()
            components.path = "/image"
            components.queryItems = [URLQueryItem(name: "url", value: url)]
            return ["src": components.string ?? "/image", "index": index + 1]
        }
    }

    /// Clinics nearest first from `location`, each with its distance; by date (as given) when the
    /// kiosk's location is not configured. A clinic without coordinates goes last.
    static func nearestFirst(_ clinics: [Item<Project>], from location: KioskLocation?) -> [(Item<Project>, Double?)] {
        guard let location else { return clinics.map { ($0, nil) } }
        let measured = clinics.map { item -> (Item<Project>, Double?) in
            guard let longitude = item.record.longitude?.value, let latitude = item.record.latitude?.value else { return (item, nil) }
            return (item, location.kilometres(toLongitude: longitude, latitude: latitude))
        }
        return measured.enumerated().sorted { left, right in
            switch (left.element.1, right.element.1) {
            case (let a?, let b?): a == b ? left.offset < right.offset : a < b
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): left.offset < right.offset
            }
        }.map(\.element)
    }

    /// The previous and next page links of a list read `size` at a time.
    static func pageLinks(path: String, offset: Int, size: Int, total: Int) -> [String: Any] {
        var links: [String: Any] = [:]
        if offset + size < total { links["next_page"] = "\(path)?offset=\(offset + size)" }
        if offset > 0 { links["previous_page"] = "\(path)?offset=\(max(0, offset - size))" }
        return links
    }

    /// The free slots of a project's plan, as `booking.join` takes them.
    static func slots(_ project: Project) -> [[String: Any]] {
        (project.planTime?.slots ?? []).filter { $0.remaining > 0 }.map { ["label": $0.label, "remaining": $0.remaining] }
    }
}
