import Foundation
import Hummingbird
import VolunteerAPI

/// The assistant's (医助) screens: clinics and their bookings, finding or creating a walk-in
/// patient, booking them into a clinic slot, and cancelling a booking.
struct AssistantScreens: Sendable {
    let screens: Screens

    /// The walk-in form's text fields, as `patient.create` names them.
    static let textFields: [(name: String, label: String, secret: Bool)] = [
        ("real_name", "real_name", false), ("idno", "idno", false), ("height", "height", false), ("weight", "weight", false),
        ("addr", "address", false), ("password", "password", true),
    ]
    /// Its yes/no fields.
    static let choiceFields: [(name: String, label: String, options: [(value: String, label: String)])] = [
        ("marital_status", "marital_status", [("1", "married"), ("0", "unmarried")]),
        ("drink_status", "drink_status", [("1", "yes"), ("0", "no")]),
        ("smoking_status", "smoking_status", [("1", "yes"), ("0", "no")]),
    ]

    func register(on router: Router<KioskContext>) {
        router.get("/assistant") { request, context in
            await home(context, offset: max(0, request.uri.queryParameters["offset"].flatMap { Int($0) } ?? 0))
        }
        router.get("/assistant/clinics/:id") { _, context in await clinic(try context.parameters.require("id", as: Int.self), context) }
        router.post("/assistant/clinics/:id/book") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let params: JSONValue = [
                "project_id": .integer(id), "patient_id": Forms.text(context.form["patient_id"]), "slot": Forms.text(context.form["slot"]),
            ]
            return await screens.submit("booking.joinForPatient", params, context: context, screen: "project:\(id)", next: "/assistant/clinics/\(id)") {
                state in await clinic(id, context, form: state)
            }
        }
        router.post("/assistant/clinics/:id/bookings/:booking/cancel") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let booking = try context.parameters.require("booking", as: Int.self)
            return await screens.submit(
                "booking.cancelForPatient", ["diagnosis_id": .integer(booking)], context: context, screen: "project:\(id)", next: "/assistant/clinics/\(id)"
            ) { state in await clinic(id, context, form: state) }
        }
        router.get("/assistant/patients") { request, context in await patients(context, query: request.uri.queryParameters["q"].map(String.init)) }
        router.post("/assistant/patients") { _, context in
            var params: [String: JSONValue] = [:]
            for field in Self.textFields { params[field.name] = Forms.text(context.form[field.name]) }
            for field in Self.choiceFields { params[field.name] = context.form[field.name].flatMap(Int.init).map(JSONValue.integer) ?? .null }
            return await screens.submit("patient.create", .object(params), context: context, screen: "patients", next: "/assistant/patients") { state in
                await patients(context, query: nil, form: state)
            }
        }
    }

    func home(_ context: KioskContext, offset: Int) async -> Response {
        await screens.show("assistant_home", title: "assistant_home", context: context, role: "assistant") { _ throws(DaemonFailure) in
            let page = try await screens.openClinics(offset: offset, limit: PatientScreens.pageSize, withFreePlacesOnly: false)
            var data: [String: Any] = ["clinics": page.items.map { Views.clinic($0, href: "/assistant/clinics/\($0.record.id)") }]
            data.merge(Views.pageLinks(path: "/assistant", offset: offset, size: PatientScreens.pageSize, total: page.total)) { _, new in new }
            return data
        }
    }

    func clinic(_ id: Int, _ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("assistant_clinic", title: "bookings", context: context, role: "assistant") { _ throws(DaemonFailure) in
            let project = try await screens.item("projects.get", ["project_id": .integer(id)], as: Project.self)
            let bookings = try await screens.items("projects.patients", ["project_id": .integer(id), "limit": 500], as: Diagnosis.self)
            let patients = try await screens.items("patients.list", ["limit": 500], as: Patient.self)
            var data = form.data
            let rows = bookings.map { item -> [String: Any] in
                var row = Views.booking(item)
                row["can_cancel"] = item.record.bookingStatus == .booked && item.record.visitStatus == .waiting
                row["cancel_action"] = "/assistant/clinics/\(id)/bookings/\(item.record.id)/cancel"
                return row
            }
            data["clinic"] = Views.clinic(project, href: "")
            data["bookings"] = rows
            data["has_bookings"] = !rows.isEmpty
            data["slots"] = Views.slots(project.record)
            data["base"] = "/assistant/clinics/\(id)"
            let chosen = form.values["patient_id"]
            data["patients"] = patients.map { item -> [String: Any] in
                [
                    "id": item.record.id, "name": item.record.realName ?? "#\(item.record.id)", "pending": item.pending,
                    "selected": chosen == String(item.record.id),
                ]
            }
            data["actions"] = await screens.actionStates(context: context, screen: "project:\(id)")
            return data
        }
    }

    func patients(_ context: KioskContext, query: String?, form: Screens.FormState = .init()) async -> Response {
        await screens.show("assistant_patients", title: "nav_patients", context: context, role: "assistant") { _ throws(DaemonFailure) in
            let all = try await screens.items("patients.list", ["limit": 500], as: Patient.self)
            let needle = query?.trimmingCharacters(in: .whitespaces) ?? ""
            let found = all.filter { item in
                needle.isEmpty || [item.record.realName, item.record.phone, item.record.idCardNumber].contains { $0?.contains(needle) ?? false }
            }
            var data = form.data
            data["query"] = needle
            // The phone is shown masked: a kiosk screen is seen by whoever stands near it.
            data["patients"] = found.map { item -> [String: Any] in
                ["id": item.record.id, "name": item.record.realName ?? "#\(item.record.id)", "phone": Self.masked(item.record.phone), "pending": item.pending]
            }
            data["fields"] = Self.textFields.map { field -> [String: Any] in
                [
                    "name": field.name, "label": KioskStrings.text(field.label), "secret": field.secret, "value": form.values[field.name] ?? "",
                    "error": form.errors[field.name] ?? "",
                ]
            }
            data["choices"] = Self.choiceFields.map { field -> [String: Any] in
                [
                    "name": field.name, "label": KioskStrings.text(field.label), "error": form.errors[field.name] ?? "",
                    "options": field.options.map {
                        ["value": $0.value, "label": KioskStrings.text($0.label), "checked": form.values[field.name] == $0.value, "name": field.name]
                    },
                ]
            }
            data["actions"] = await screens.actionStates(context: context, screen: "patients")
            return data
        }
    }

    /// `138****0021`.
    static func masked(_ phone: String?) -> String {
        guard let phone, phone.count >= 7 else { return phone ?? "" }
        return String(phone.prefix(3)) + "****" + String(phone.suffix(4))
    }
}
