import Foundation
import Hummingbird
import VolunteerAPI

/// The patient's screens: clinics near them with free places, booking with symptoms and
/// photos, their bookings with cancel and rating the doctor.
struct PatientScreens: Sendable {
    let screens: Screens
    let location: KioskLocation?

    func register(on router: Router<KioskContext>) {
        router.get("/patient") { request, context in
            await home(context, offset: max(0, request.uri.queryParameters["offset"].flatMap { Int($0) } ?? 0))
        }
        router.get("/patient/clinics/:id") { _, context in await clinic(try context.parameters.require("id", as: Int.self), context) }
        router.post("/patient/clinics/:id/book") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            var params: JSONValue = [
                "project_id": .integer(id), "description": Forms.text(context.form["description"]), "slot": Forms.text(context.form["slot"]),
            ]
            if let photos = Forms.photos(context.form, "photos") { params = Forms.merging(params, ["photos": photos]) }
            return await screens.submit("booking.join", params, context: context, screen: "bookings", next: "/patient/bookings") { state in
                await clinic(id, context, form: state)
            }
        }
        router.get("/patient/bookings") { _, context in await bookings(context) }
        router.post("/patient/bookings/:id/cancel") { _, context in
            await screens.submit(
                "booking.cancel", ["project_id": Forms.text(context.form["project_id"])], context: context, screen: "bookings", next: "/patient/bookings"
            ) {
                state in await bookings(context, form: state)
            }
        }
        router.post("/patient/bookings/:id/rate") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let params: JSONValue = ["diagnosis_id": .integer(id), "score": Forms.text(context.form["score"]), "comment": Forms.text(context.form["comment"])]
            return await screens.submit("diagnosis.rateDoctor", params, context: context, screen: "bookings", next: "/patient/bookings") { state in
                await bookings(context, form: state)
            }
        }
    }

    /// Clinics read per page of the patient's home, in the mirror's order (by date). With the
    /// kiosk's location, a larger page is read and ordered by distance, which costs more.
    static let pageSize = 40
    static let pageSizeByDistance = 200

    func home(_ context: KioskContext, offset: Int) async -> Response {
        await screens.show("patient_home", title: "patient_home", context: context, role: "patient") { _ throws(DaemonFailure) in
            let size = location == nil ? Self.pageSize : Self.pageSizeByDistance
            let page = try await screens.openClinics(offset: offset, limit: size, withFreePlacesOnly: true)
            let clinics = page.items
            var data: [String: Any] = [
                "clinics": Views.nearestFirst(clinics, from: location).map { item, kilometres in
                    var view = Views.clinic(item, href: "/patient/clinics/\(item.record.id)")
                    if let kilometres { view["distance"] = String(format: "%.1f", kilometres) }
                    return view
                }
            ]
            data.merge(Views.pageLinks(path: "/patient", offset: offset, size: size, total: page.total)) { _, new in new }
            return data
        }
    }

    func clinic(_ id: Int, _ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("patient_clinic", title: "book_title", context: context, role: "patient") { _ throws(DaemonFailure) in
            let project = try await screens.item("projects.get", ["project_id": .integer(id)], as: Project.self)
            var data = form.data
            data["clinic"] = Views.clinic(project, href: "")
            data["slots"] = Views.slots(project.record)
            data["base"] = "/patient/clinics/\(id)"
            return data
        }
    }

    func bookings(_ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("patient_bookings", title: "my_bookings", context: context, role: "patient") { _ throws(DaemonFailure) in
            let bookings = try await screens.items("diagnoses.list", ["limit": 200], as: Diagnosis.self)
            let projects = try await screens.items("projects.list", ["limit": 500], as: Project.self)
            let clinics = Dictionary(projects.map { ($0.record.id, $0) }, uniquingKeysWith: { first, _ in first })
            var data = form.data
            data["bookings"] = bookings.map { item -> [String: Any] in
                var view = Views.booking(item)
                let projectID = item.record.casebook?.projectID
                if let projectID, let clinic = clinics[projectID] {
                    let summary = Views.clinic(clinic, href: "")
                    view["clinic"] = "\(summary["date"] ?? "") \(summary["time"] ?? "") · \(summary["hospital"] ?? "")"
                }
                view["can_cancel"] = projectID != nil && item.record.bookingStatus == .booked && item.record.visitStatus == .waiting
                view["can_rate"] = item.record.visitStatus == .seen && (item.record.doctorScore ?? 0) == 0
                view["scores"] = Views.scores
                return view
            }
            data["actions"] = await screens.actionStates(context: context, screen: "bookings")
            return data
        }
    }
}
