import Foundation
import Hummingbird
import VolunteerAPI

/// The doctor's screens: today's and upcoming clinics, a clinic's bookings, and a patient's page
/// with its actions (mark seen, reject with a reason, record a result with photos, rate).
struct DoctorScreens: Sendable {
    let screens: Screens

    func register(on router: Router<KioskContext>) {
        router.get("/doctor") { _, context in await home(context) }
        router.get("/doctor/clinics/:id") { _, context in await clinic(try context.parameters.require("id", as: Int.self), context) }
        router.get("/doctor/bookings/:id") { _, context in await booking(try context.parameters.require("id", as: Int.self), context) }
        router.post("/doctor/bookings/:id/seen") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            return await act(id, "diagnosis.markDone", ["diagnosis_id": .integer(id)], context)
        }
        router.post("/doctor/bookings/:id/reject") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            return await act(id, "diagnosis.reject", ["diagnosis_id": .integer(id), "reason": Forms.text(context.form["reason"])], context)
        }
        router.post("/doctor/bookings/:id/rate") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let params: JSONValue = [
                "diagnosis_id": .integer(id), "honesty": Forms.text(context.form["honesty"]), "punctuality": Forms.text(context.form["punctuality"]),
            ]
            return await act(id, "diagnosis.ratePatient", params, context)
        }
        router.post("/doctor/bookings/:id/result") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            var params: JSONValue = ["diagnosis_id": .integer(id), "result": Forms.text(context.form["result"])]
            if let photos = Forms.photos(context.form, "photos") { params = Forms.merging(params, ["photos": photos]) }
            return await act(id, "diagnosis.recordResult", params, context)
        }
    }

    func home(_ context: KioskContext) async -> Response {
        await screens.show("doctor_home", title: "nav_home", context: context, role: "doctor") { _ throws(DaemonFailure) in
            let today = Views.today()
            let clinics = try await screens.items(
                "projects.list", ["scope": "mine", "from_date": .string(today), "status": .code(ProjectStatus.active), "limit": 200], as: Project.self)
            let views = clinics.map { Views.clinic($0, href: "/doctor/clinics/\($0.record.id)") }
            return [
                "today": views.filter { $0["date"] as? String == today },
                "upcoming": views.filter { $0["date"] as? String != today },
            ]
        }
    }

    func clinic(_ id: Int, _ context: KioskContext) async -> Response {
        await screens.show("doctor_clinic", title: "bookings", context: context, role: "doctor") { _ throws(DaemonFailure) in
            let project = try await screens.item("projects.get", ["project_id": .integer(id)], as: Project.self)
            let bookings = try await screens.items("projects.patients", ["project_id": .integer(id), "limit": 500], as: Diagnosis.self)
            let rows = bookings.map { item -> [String: Any] in
                var row = Views.booking(item)
                row["href"] = "/doctor/bookings/\(item.record.id)"
                return row
            }
            return ["clinic": Views.clinic(project, href: ""), "bookings": rows, "has_bookings": !rows.isEmpty]
        }
    }

    func booking(_ id: Int, _ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("doctor_booking", title: "patient_page", context: context, role: "doctor") { _ throws(DaemonFailure) in
            let booking = try await screens.item("diagnoses.get", ["diagnosis_id": .integer(id)], as: Diagnosis.self)
            var visits: [[String: Any]] = []
            if let patient = booking.record.patient?.id {
                let page = try? await screens.link.call("patients.visits", ["patient_id": .integer(patient), "limit": 20])
                visits = (page?["items"]?.arrayValue ?? []).compactMap { item -> [String: Any]? in
                    guard let record = item["record"], record["id"]?.intValue != id else { return nil }
                    return [
                        "date": record["visit_time"]?.stringValue ?? "", "doctor": record["doctor"]?["real_name"]?.stringValue ?? "",
                        "casebook": record["casebook"]?["content"]?.stringValue ?? "", "result": record["diag_result"]?.stringValue as Any,
                    ]
                }
            }
            var data = form.data
            data["booking"] = Views.booking(booking)
            data["visits"] = visits
            data["base"] = "/doctor/bookings/\(id)"
            data["scores"] = Views.scores
            data["actions"] = await screens.actionStates(context: context, screen: "diagnosis:\(id)")
            return data
        }
    }

    private func act(_ id: Int, _ method: String, _ params: JSONValue, _ context: KioskContext) async -> Response {
        await screens.submit(method, params, context: context, screen: "diagnosis:\(id)", next: "/doctor/bookings/\(id)") { state in
            await booking(id, context, form: state)
        }
    }
}
