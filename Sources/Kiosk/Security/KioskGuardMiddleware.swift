import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Every request passes here first. In order:
/// 1. the Host and Origin allow-lists (``LoopbackGuard``): a foreign one is 403;
/// 2. the session: a valid cookie, or the start-up token in `?token=`, exchanged for a cookie
///    and a redirect that drops the token from the address bar; neither is 401;
/// 3. a state change (POST): its form is read and its `_csrf` must be the session's, or 403.
///
/// Static assets hold no patient data and skip 2 and 3. Every response, refusals included,
/// gets ``SecurityHeaders``.
public struct KioskGuardMiddleware: RouterMiddleware {
    public typealias Context = KioskContext

    let loopback: LoopbackGuard
    let sessions: KioskSessions
    let token: StartupToken
    let pages: PageRenderer
    let logger: Logger

    /// The form field that carries the CSRF token.
    public static let csrfField = "_csrf"

    public func handle(_ request: Request, context: KioskContext, next: (Request, KioskContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await guarded(request, context: context, next: next)
        } catch let error as HTTPResponseError {
            // A route's refusal (no such route, a malformed id) becomes a page here, so that it
            // carries the headers too.
            response = pages.plainPage(status: error.status, title: "error_title", body: "\(error.status.code) \(error.status.reasonPhrase)")
        }
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    private func guarded(_ request: Request, context: KioskContext, next: (Request, KioskContext) async throws -> Response) async throws -> Response {
        if let refusal = loopback.refusal(host: request.head.authority, origin: request.headers[.origin]) {
            logger.notice("refused a request", metadata: ["reason": "\(refusal)", "path": "\(request.uri.path)"])
            return pages.plainPage(status: .forbidden, title: "refused_title", body: refusal.description)
        }
        if request.uri.path.hasPrefix(StaticAssets.prefix) { return try await next(request, context) }

        var context = context
        var request = request
        if let session = await sessions.session(id: request.cookies[KioskSessions.cookieName]?.value) {
            context.session = session
        } else if token.matches(request.uri.queryParameters["token"].map(String.init)) {
            let session = await sessions.open()
            let query = request.uri.queryParameters.map { (key: String($0.key), value: String($0.value)) }
            var response = Response.redirect(to: Self.pathWithoutToken(path: request.uri.path, query: query))
            response.setCookie(
                Cookie(name: KioskSessions.cookieName, value: session.id, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return response
        } else {
            return pages.plainPage(status: .unauthorized, title: "token_needed_title", body: KioskStrings.text("token_needed_body"))
        }

        if request.method == .post {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: context.maxUploadSize)
            } catch {
                return pages.plainPage(status: .contentTooLarge, title: "error_title", body: "\(error)")
            }
            do {
                context.form = try FormInput.parse(body, contentType: request.headers[.contentType])
            } catch {
                return pages.plainPage(status: .badRequest, title: "error_title", body: "\(error)")
            }
            guard let session = context.session, let sent = context.form[Self.csrfField],
                constantTimeEqual(Array(sent.utf8), Array(session.csrfToken.utf8))
            else {
                logger.notice("refused a form without its CSRF token", metadata: ["path": "\(request.uri.path)"])
                return pages.plainPage(status: .forbidden, title: "refused_title", body: KioskStrings.text("csrf_refused"))
            }
        }
        return try await next(request, context)
    }

    /// The request's path and query with `token` removed, so the token does not stay in the
    /// address bar or the history.
    static func pathWithoutToken(path: String, query: [(key: String, value: String)]) -> String {
        let kept = query.filter { $0.key != "token" }
        guard !kept.isEmpty else { return path }
        var components = URLComponents()
        components.queryItems = kept.map { URLQueryItem(name: $0.key, value: $0.value) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }
}

/// The headers every response carries: a Content-Security-Policy that allows only this origin's
/// own script and style (no inline script, no external asset), no caching of pages that hold
/// patient data, no framing, no sniffing, no referrer to other sites.
///
/// The referrer policy is `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends
/// `Origin: null` with the kiosk's own form posts, which the Origin allow-list must refuse.
public enum SecurityHeaders {
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
    }
}
