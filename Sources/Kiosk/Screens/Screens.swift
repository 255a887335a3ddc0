import Foundation
import HTTPTypes
import Hummingbird
import VolunteerAPI

/// What every screen shares: reading the daemon through ``DaemonLink``, framing a page with the
/// status strip, turning a ``DaemonFailure`` into a page state, and submitting a mutation with
/// the post/redirect/get pattern (a refused field re-renders the form with what was typed).
struct Screens: Sendable {
    let link: DaemonLink
    let pages: PageRenderer
    let actions: ActionLog

    /// What a form shows again after a refusal: the values typed, an error per field, a message.
    struct FormState {
        var values: [String: String] = [:]
        var errors: [String: String] = [:]
        var message: String?

        var data: [String: Any] {
            var data: [String: Any] = ["values": values, "errors": errors]
            if let message { data["message"] = message }
            return data
        }
    }

    // MARK: Pages

    /// A framed page, or the page state that stands in for it: the daemon unreachable (503, and
    /// the page retries by itself), a login needed (to /login), another role's screen (to this
    /// role's home: a kiosk changes hands between a doctor and a patient).
    func show(
        _ template: String, title: String, context: KioskContext, needsLogin: Bool = true, role required: String? = nil,
        data: (_ role: String?) async throws(DaemonFailure) -> [String: Any]
    ) async -> Response {
        let daemonStatus: JSONValue
        do {
            daemonStatus = try await link.call("status")
        } catch {
            return failurePage(error)
        }
        let strip = StatusStrip(status: daemonStatus)
        if needsLogin, strip.session == "logged_out" { return .redirect(to: "/login") }
        if let required, strip.role != required { return .redirect(to: Navigation.home(for: strip.role)) }
        let frame = PageRenderer.Frame(strip: strip, role: strip.session == "logged_out" ? nil : strip.role, csrfToken: context.session?.csrfToken ?? "")
        do {
            return pages.page(template, title: title, frame: frame, data: try await data(strip.role))
        } catch {
            return failurePage(error)
        }
    }

    /// The page state for a failure outside a form.
    func failurePage(_ failure: DaemonFailure) -> Response {
        switch failure {
        case .unreachable:
            var response = pages.plainPage(
                status: .serviceUnavailable, title: "daemon_unreachable_title", body: KioskStrings.text("daemon_unreachable_body"), retry: true)
            response.headers[.retryAfter] = "3"
            return response
        case .loginNeeded: return .redirect(to: "/login")
        case .upstreamOffline: return pages.plainPage(status: .serviceUnavailable, title: "error_title", body: KioskStrings.text("upstream_offline"))
        case .forbidden: return pages.plainPage(status: .forbidden, title: "forbidden_title", body: KioskStrings.text("forbidden_body"))
        case .notFound: return pages.plainPage(status: .notFound, title: "error_title", body: KioskStrings.text("not_found"))
        case .invalidField(_, let message), .refused(let message):
            return pages.plainPage(status: .unprocessableContent, title: "refused_title", body: message)
        }
    }

    // MARK: Submitting

    /// Calls a write; on success remembers the mutation for `screen` and redirects to `next`. A
    /// refusal that belongs to the form re-renders it through `redisplay` (422).
    func submit(
        _ method: String, _ params: JSONValue, context: KioskContext, screen: String, next: String,
        redisplay: (FormState) async -> Response
    ) async -> Response {
        do {
            let result = try await link.call(method, Forms.compact(params))
            if let id = result["mutation_id"]?.intValue, let session = context.session {
                await actions.record(id, session: session.id, screen: screen)
            }
            return .redirect(to: next)
        } catch {
            return await formFailure(error, form: context.form, redisplay: redisplay)
        }
    }

    /// A failure of a form's call: on the form when it is about the form, a page state otherwise.
    func formFailure(_ failure: DaemonFailure, form: FormInput, redisplay: (FormState) async -> Response) async -> Response {
        var state = FormState(values: form.fields.compactMapValues(\.first).filter { $0.key != KioskGuardMiddleware.csrfField })
        state.values["password"] = nil
        switch failure {
        case .invalidField(let field, let message):
            // `photos[0].data` belongs to the photos input.
            let name = String(field.prefix { $0 != "[" && $0 != "." })
            state.errors[name] = FieldMessage.text(for: message)
        case .forbidden: state.message = KioskStrings.text("forbidden_body")
        case .upstreamOffline: state.message = KioskStrings.text("upstream_offline")
        case .refused(let message), .notFound(let message): state.message = message
        case .unreachable, .loginNeeded: return failurePage(failure)
        }
        var response = await redisplay(state)
        if response.status == .ok { response.status = .unprocessableContent }
        return response
    }

    /// What became of the mutations this session made on `screen`, newest last.
    func actionStates(context: KioskContext, screen: String) async -> [[String: Any]] {
        guard let session = context.session else { return [] }
        var states: [[String: Any]] = []
        for id in await actions.mutations(session: session.id, screen: screen) {
            guard let entry = try? await link.call("outbox.get", ["mutation_id": .integer(id)]) else { continue }
            states.append(Self.entryView(entry))
        }
        return states
    }

    /// An outbox entry as the screens show it.
    static func entryView(_ entry: JSONValue) -> [String: Any] {
        let state = entry["state"]?.stringValue ?? "unknown"
        let kind = entry["kind"]?.stringValue ?? ""
        var view: [String: Any] = [
            "mutation_id": entry["mutation_id"]?.intValue ?? 0, "state": state, "state_label": KioskStrings.text("state_" + state),
            "kind": kind, "kind_label": KioskStrings.text("kind_" + kind),
            "created_at": entry["created_at"]?.stringValue.map { StatusStrip.shortTime($0) } ?? "",
            "actionable": state == "rejected" || state == "parked", "discardable": state == "queued",
        ]
        if let message = entry["upstream_error_message"]?.stringValue ?? (state == "parked" ? entry["last_error"]?.stringValue : nil) {
            view["message"] = message
        }
        return view
    }

    // MARK: Reading

    /// A list method's items: each record decoded as `Model`, with its pending flag.
    func items<Model: Decodable>(_ method: String, _ params: JSONValue = [:], as model: Model.Type) async throws(DaemonFailure) -> [Item<Model>] {
        let page = try await link.call(method, params)
        return Self.decodeItems(page["items"] ?? .array([]), as: model)
    }

    /// One item (`projects.get` and the like).
    func item<Model: Decodable>(_ method: String, _ params: JSONValue, as model: Model.Type) async throws(DaemonFailure) -> Item<Model> {
        let value = try await link.call(method, params)
        guard let item = Self.decodeItems(.array([value]), as: model).first else { throw .notFound(method) }
        return item
    }

    /// A page of the clinics open for booking from today, in the mirror's order (by date). Full
    /// ones are left out, when asked, before their records are decoded: a clinic's record holds
    /// its joined patients, and decoding is most of a large page's cost.
    func openClinics(offset: Int, limit: Int, withFreePlacesOnly: Bool) async throws(DaemonFailure) -> (items: [Item<Project>], total: Int) {
        let page = try await link.call(
            "projects.list", ["scope": "open", "from_date": .string(Views.today()), "limit": .integer(limit), "offset": .integer(offset)])
        var items = page["items"]?.arrayValue ?? []
        if withFreePlacesOnly {
            items = items.filter { ($0["record"]?["people_count"]?.intValue ?? 0) > ($0["record"]?["join_people_count"]?.intValue ?? 0) }
        }
        return (Self.decodeItems(.array(items), as: Project.self), page["total"]?.intValue ?? 0)
    }

    static func decodeItems<Model: Decodable>(_ items: JSONValue, as model: Model.Type) -> [Item<Model>] {
        let decoder = JSONValueDecoder()
        return (items.arrayValue ?? []).compactMap { item in
            guard let record = item["record"], let decoded = try? decoder.decode(model, from: record) else { return nil }
            return Item(record: decoded, pending: item["pending"]?.boolValue ?? false)
        }
    }
}

/// A record of the mirror as a screen uses it: the decoded model and whether mutations not yet
/// applied change it.
struct Item<Model> {
    let record: Model
    let pending: Bool
}
