import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the screens: a page's template with its data, inside the frame every screen shares
/// (the status strip, the role's navigation, the logout form). Templates are mustache
/// (``KioskTemplates``), so every value is HTML-escaped unless a template says otherwise, and
/// only the frame takes already-rendered HTML.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for (name, text) in KioskTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The shared frame of a logged-in (or logging-in) screen.
    struct Frame {
        var strip: StatusStrip?
        var role: String?
        var csrfToken: String
    }

    /// `template` rendered with `data`, framed.
    func page(_ template: String, title: String, frame: Frame, data: [String: Any] = [:]) -> Response {
        var data = data
        data["t"] = KioskStrings.table
        data["csrf"] = frame.csrfToken
        let body = render(template, data)
        let strip = frame.strip.map { render("status_strip", $0.viewData) } ?? ""
        let frameData: [String: Any] = [
            "t": KioskStrings.table, "lang": KioskStrings.language, "title": KioskStrings.text(title),
            "strip": strip, "body": body, "csrf": frame.csrfToken, "role": frame.role ?? "",
            "nav": Navigation.links(for: frame.role).map { ["href": $0.href, "label": KioskStrings.text($0.label)] },
            "logged_in": frame.role != nil,
        ]
        return html(render("layout", frameData), status: .ok)
    }

    /// A page outside the frame, for refusals before any session exists (no strip, no nav).
    func plainPage(status: HTTPResponse.Status, title: String, body: String, retry: Bool = false) -> Response {
        let data: [String: Any] = [
            "t": KioskStrings.table, "lang": KioskStrings.language, "title": KioskStrings.text(title), "message": body, "retry": retry,
        ]
        return html(render("plain", data), status: status)
    }

    /// One template rendered alone (a page body, the strip), without the frame.
    func render(_ template: String, _ data: [String: Any]) -> String {
        library.render(data, withTemplate: template) ?? "<!-- no template \(template) -->"
    }

    func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Each role's links, in the order the navigation shows them.
enum Navigation {
    struct Link {
        let href: String
        let label: String
    }

    static func links(for role: String?) -> [Link] {
        switch role {
        case "doctor":
            [
                .init(href: "/doctor", label: "nav_home"), .init(href: "/chats", label: "nav_chats"), .init(href: "/messages", label: "nav_messages"),
                .init(href: "/outbox", label: "nav_outbox"),
            ]
        case "assistant":
            [
                .init(href: "/assistant", label: "nav_home"), .init(href: "/assistant/patients", label: "nav_patients"),
                .init(href: "/messages", label: "nav_messages"), .init(href: "/outbox", label: "nav_outbox"),
            ]
        case "patient":
            [
                .init(href: "/patient", label: "nav_home"), .init(href: "/patient/bookings", label: "nav_bookings"), .init(href: "/chats", label: "nav_chats"),
                .init(href: "/messages", label: "nav_messages"), .init(href: "/outbox", label: "nav_outbox"),
            ]
        default: []
        }
    }

    /// Where a role's screens start.
    static func home(for role: String?) -> String {
        switch role {
        case "doctor": "/doctor"
        case "assistant": "/assistant"
        case "patient": "/patient"
        default: "/login"
        }
    }
}
