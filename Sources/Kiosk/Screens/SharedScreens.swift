import Foundation
import Hummingbird
import VolunteerAPI

/// The screens every role has: login (password, or phone and SMS code), logout, the outbox with
/// retry and discard, system messages, chats, and pictures from the daemon's cache.
struct SharedScreens: Sendable {
    let screens: Screens

    func register(on router: Router<KioskContext>) {
        router.get("/") { _, context in await root(context) }
        router.get("/login") { _, context in await login(context) }
        router.post("/login") { _, context in await passwordLogin(context) }
        router.post("/login/code/send") { _, context in await sendCode(context) }
        router.post("/login/code") { _, context in await codeLogin(context) }
        router.post("/logout") { _, _ in
            _ = try? await screens.link.call("session.logout")
            return Response.redirect(to: "/login")
        }
        router.get("/outbox") { _, context in await outbox(context) }
        router.post("/outbox/:id/retry") { _, context in await outboxAction("outbox.retry", try context.parameters.require("id", as: Int.self), context) }
        router.post("/outbox/:id/discard") { _, context in
            await outboxAction("outbox.discard", try context.parameters.require("id", as: Int.self), context)
        }
        router.get("/messages") { _, context in await messages(context) }
        router.get("/chats") { _, context in await chats(context) }
        router.get("/chats/:id") { _, context in await chat(try context.parameters.require("id", as: Int.self), context) }
        router.post("/chats/:id") { _, context in await send(try context.parameters.require("id", as: Int.self), context) }
        router.get("/image") { request, _ in await image(request.uri.queryParameters["url"].map(String.init)) }
    }

    func root(_ context: KioskContext) async -> Response {
        do {
            let status = try await screens.link.call("status")
            let loggedIn = status["session"]?.stringValue != "logged_out"
            return .redirect(to: loggedIn ? Navigation.home(for: status["role"]?.stringValue) : "/login")
        } catch {
            return screens.failurePage(error)
        }
    }

    // MARK: Login

    func login(_ context: KioskContext, form: Screens.FormState = .init(), notice: String? = nil) async -> Response {
        await screens.show("login", title: "login_title", context: context, needsLogin: false) { _ throws(DaemonFailure) in
            var data = form.data
            let chosen = form.values["role"] ?? "doctor"
            data["roles"] = ["doctor", "assistant", "patient"].map { ["value": $0, "label": KioskStrings.text("role_" + $0), "checked": $0 == chosen] }
            if let notice { data["notice"] = notice }
            return data
        }
    }

    func passwordLogin(_ context: KioskContext) async -> Response {
        let params = Forms.compact([
            "phone": Forms.text(context.form["phone"]), "password": Forms.text(context.form["password"]), "role": Forms.text(context.form["role"]),
        ])
        do {
            let session = try await screens.link.call("session.login", params)
            return .redirect(to: Navigation.home(for: session["role"]?.stringValue))
        } catch {
            return await loginFailure(error, context)
        }
    }

    func sendCode(_ context: KioskContext) async -> Response {
        do {
            _ = try await screens.link.call("account.send_code", Forms.compact(["phone": Forms.text(context.form["phone"])]))
            var form = Screens.FormState()
            form.values["code_phone"] = context.form["phone"]
            return await login(context, form: form, notice: KioskStrings.text("code_sent"))
        } catch {
            return await loginFailure(error, context, codeForm: true)
        }
    }

    func codeLogin(_ context: KioskContext) async -> Response {
        let params = Forms.compact(["phone": Forms.text(context.form["phone"]), "verify_code": Forms.text(context.form["verify_code"])])
        do {
            let session = try await screens.link.call("session.login_by_code", params)
            return .redirect(to: Navigation.home(for: session["role"]?.stringValue))
        } catch {
            return await loginFailure(error, context, codeForm: true)
        }
    }

    private func loginFailure(_ failure: DaemonFailure, _ context: KioskContext, codeForm: Bool = false) async -> Response {
        await screens.formFailure(failure, form: context.form) { state in
            var state = state
            if codeForm {
                state.values["code_phone"] = state.values["phone"]
                if let error = state.errors.removeValue(forKey: "phone") { state.errors["code_phone"] = error }
            }
            // The upstream's refusal of a password is the login's own message.
            if case .refused = failure { state.message = KioskStrings.text("login_refused") + "（\(state.message ?? "")）" }
            return await login(context, form: state)
        }
    }

    // MARK: Outbox

    func outbox(_ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("outbox", title: "outbox_title", context: context) { _ throws(DaemonFailure) in
            let entries = try await screens.link.call(
                "outbox.list", ["states": ["queued", "in_flight", "unknown", "parked", "rejected"], "limit": 500])
            let views = (entries.arrayValue ?? []).map(Screens.entryView)
            var data = form.data
            data["entries"] = views
            data["has_entries"] = !views.isEmpty
            return data
        }
    }

    func outboxAction(_ method: String, _ id: Int, _ context: KioskContext) async -> Response {
        do {
            _ = try await screens.link.call(method, ["mutation_id": .integer(id)])
            return .redirect(to: "/outbox")
        } catch {
            return await screens.formFailure(error, form: context.form) { state in await outbox(context, form: state) }
        }
    }

    // MARK: Messages and chats

    func messages(_ context: KioskContext) async -> Response {
        await screens.show("messages", title: "messages_title", context: context) { _ throws(DaemonFailure) in
            let messages = try await screens.items("messages.list", ["limit": 100], as: SystemMessage.self)
            return ["messages": messages.map { ["title": $0.record.title ?? "", "content": $0.record.content ?? "", "time": $0.record.publishTime ?? ""] }]
        }
    }

    func chats(_ context: KioskContext) async -> Response {
        await screens.show("chats", title: "chats_title", context: context) { role throws(DaemonFailure) in
            let dialogs = try await screens.items("dialogs.list", ["limit": 200], as: ChatDialog.self)
            return [
                "dialogs": dialogs.map { item -> [String: Any] in
                    ["id": item.record.id, "name": Self.otherParty(item.record, role: role).name, "last": item.record.lastMessage?.content ?? ""]
                }
            ]
        }
    }

    func chat(_ id: Int, _ context: KioskContext, form: Screens.FormState = .init()) async -> Response {
        await screens.show("chat", title: "chats_title", context: context) { role throws(DaemonFailure) in
            let dialog = try await dialog(id)
            let other = Self.otherParty(dialog, role: role)
            let messages = try await screens.items("dialogs.messages", ["dialog_id": .integer(id), "limit": 100], as: ChatMessage.self)
            var data = form.data
            data["dialog_id"] = id
            data["title"] = KioskStrings.text("chat_with").replacingOccurrences(of: "{name}", with: other.name)
            data["messages"] = messages.map { item -> [String: Any] in
                let mine = item.record.toUserID == other.id
                return [
                    "mine": mine, "pending": item.pending, "content": item.record.content ?? "",
                    "from": mine ? "" : other.name, "photos": Views.photos(item.record.photos),
                ]
            }
            return data
        }
    }

    func send(_ id: Int, _ context: KioskContext) async -> Response {
        let other: (id: Int?, name: String)
        do {
            let status = try await screens.link.call("status")
            other = Self.otherParty(try await dialog(id), role: status["role"]?.stringValue)
        } catch {
            return screens.failurePage(error)
        }
        var params: JSONValue = ["to_user_id": other.id.map(JSONValue.integer) ?? .null, "content": Forms.text(context.form["content"])]
        if let photos = Forms.photos(context.form, "photos") { params = Forms.merging(params, ["photos": photos]) }
        return await screens.submit("chat.send", params, context: context, screen: "dialog:\(id)", next: "/chats/\(id)") { state in
            await chat(id, context, form: state)
        }
    }

    private func dialog(_ id: Int) async throws(DaemonFailure) -> ChatDialog {
        let dialogs = try await screens.items("dialogs.list", ["limit": 500], as: ChatDialog.self)
        guard let dialog = dialogs.first(where: { $0.record.id == id }) else { throw .notFound("dialog \(id)") }
        return dialog.record
    }

    /// The person on the other side of a dialog, from the logged-in role's point of view.
    static func otherParty(_ dialog: ChatDialog, role: String?) -> (id: Int?, name: String) {
        if role == "doctor" { return (dialog.patientUserID, dialog.patientUser?.realName ?? "#\(dialog.patientUserID ?? 0)") }
        return (dialog.doctorUserID, dialog.doctorUser?.realName ?? "#\(dialog.doctorUserID ?? 0)")
    }

    // MARK: Pictures

    /// Raster pictures only: an SVG opened on its own would be a document of this origin.
    static let pictureTypes: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp"]

    /// A picture from the daemon's cache; 404 while it is not downloaded yet (the daemon then
    /// wants it first). The page never loads it from the network itself.
    func image(_ url: String?) async -> Response {
        guard let url, let result = try? await screens.link.call("images.get", ["url": .string(url)]),
            result["cached"]?.boolValue == true, let base64 = result["bytes_base64"]?.stringValue, let bytes = Data(base64Encoded: base64),
            let type = result["content_type"]?.stringValue, Self.pictureTypes.contains(type)
        else { return Response(status: .notFound) }
        var response = Response(status: .ok, body: .init(byteBuffer: .init(bytes: bytes)))
        response.headers[.contentType] = type
        return response
    }
}
