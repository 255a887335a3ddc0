import HTTPTypes
import Hummingbird
import NIOCore

/// The screens' stylesheet and script, compiled in: the kiosk is offline and loads no font,
/// library or CDN. Served under ``prefix`` without a session, since they hold no patient data.
enum StaticAssets {
    static let prefix = "/static/"

    static func response(for path: String) -> Response? {
        let asset: (type: String, text: String)
        switch path {
        case prefix + "kiosk.css": asset = ("text/css; charset=utf-8", stylesheet)
        case prefix + "kiosk.js": asset = ("text/javascript; charset=utf-8", script)
        default: return nil
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.text)))
    }

    /// Large touch targets, readable at 1280×800 and 800×1280, system fonts only.
    static let stylesheet = """
        :root { --ink: #1b1f24; --muted: #5b6470; --line: #d0d5dc; --accent: #0b5cad; --ok: #1d7a3a; --warn: #b3261e; --pending: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 18px/1.5 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; color: var(--ink); background: #f6f7f9; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 10; }
        header.frame { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); z-index: 5; }
        .strip { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 16px; font-size: 15px; }
        .badge { display: inline-block; padding: 4px 10px; border-radius: 999px; border: 1px solid var(--line); color: var(--ink); text-decoration: none; }
        .badge.online { background: #e5f4ea; color: var(--ok); border-color: var(--ok); }
        .badge.offline { background: #fdecea; color: var(--warn); border-color: var(--warn); }
        .badge.pending { background: #fff4dc; color: var(--pending); border-color: var(--pending); }
        .badge.warn { background: #fdecea; color: var(--warn); border-color: var(--warn); }
        .syncs .area { margin-left: 8px; color: var(--muted); }
        nav { display: flex; flex-wrap: wrap; gap: 4px; padding: 0 12px 8px; }
        .nav-link, .link-button { display: inline-block; min-height: 48px; padding: 10px 16px; font-size: 18px; color: var(--accent); background: none; border: 0; text-decoration: none; cursor: pointer; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px; }
        main.plain { max-width: 720px; padding-top: 64px; }
        h1 { font-size: 28px; margin: 8px 0 16px; } h2 { font-size: 22px; margin: 8px 0; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 16px; margin-bottom: 16px; }
        ul.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
        .card-link { display: flex; flex-direction: column; gap: 4px; background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 16px; min-height: 96px; color: var(--ink); text-decoration: none; }
        .is-pending { outline: 2px dashed var(--pending); outline-offset: 2px; }
        table { width: 100%; border-collapse: collapse; background: #fff; } th, td { text-align: left; padding: 10px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
        label { display: block; margin-top: 12px; font-weight: 600; } fieldset { border: 0; padding: 0; margin: 12px 0 0; } legend { font-weight: 600; }
        label.choice { display: inline-flex; align-items: center; gap: 6px; font-weight: 400; margin-right: 16px; min-height: 48px; }
        input, select, textarea { width: 100%; max-width: 560px; min-height: 48px; font: inherit; padding: 8px 12px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
        input[type=radio] { width: 24px; min-height: 24px; }
        button, .button { display: inline-block; min-height: 48px; min-width: 96px; margin-top: 12px; padding: 10px 20px; font: inherit; border-radius: 8px; border: 1px solid var(--accent); background: #fff; color: var(--accent); text-decoration: none; cursor: pointer; }
        button.primary { background: var(--accent); color: #fff; } button.danger { border-color: var(--warn); color: var(--warn); }
        form.inline { display: inline; } .link-button { margin: 0; min-width: 0; }
        :focus-visible { outline: 3px solid #f5a700; outline-offset: 2px; }
        .field-error, .form-error { color: var(--warn); margin: 4px 0; min-height: 0; } .field-error:empty { display: none; }
        .action { margin: 4px 0; } .action-rejected, .action-parked { color: var(--warn); font-weight: 600; } .action-applied { color: var(--ok); }
        .action-queued, .action-in_flight, .action-unknown { color: var(--pending); }
        .empty, .meta, .clinic-head { color: var(--muted); }
        ul.photos { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; } ul.photos img { width: 160px; height: 160px; object-fit: cover; border-radius: 8px; border: 1px solid var(--line); }
        ol.messages { list-style: none; padding: 0; } .message { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 8px 12px; margin: 8px 0; max-width: 80%; }
        .message.mine { margin-left: auto; background: #eaf2fb; } .from { color: var(--muted); }
        .live-note { position: fixed; bottom: 12px; right: 12px; background: var(--ink); color: #fff; padding: 8px 12px; border-radius: 8px; }
        @media (max-width: 900px) { body { font-size: 20px; } ul.cards { grid-template-columns: 1fr; } th:nth-child(4), td:nth-child(4) { display: none; } }
        """

    /// Live updates: the server's event stream says something changed; the page fetches itself
    /// and swaps its live regions, keeping any form being typed in. Resumes from the last seq
    /// after a reconnect (EventSource sends it as Last-Event-ID).
    static let script = """
        "use strict";
        (function () {
          var body = document.body;
          if (body.dataset.retry) { setTimeout(function () { location.reload(); }, 3000); return; }
          if (!document.getElementById("status-strip")) { return; }
          var dirty = new Set();
          document.addEventListener("input", function (event) { if (event.target.form) { dirty.add(event.target.form); } });
          document.addEventListener("submit", function (event) { dirty.delete(event.target); });
          var timer = null, refreshes = 0;
          function busy(region) {
            for (var form of dirty) { if (region.contains(form)) { return true; } }
            return false;
          }
          function refresh() {
            timer = null;
            fetch(location.href, { credentials: "same-origin", headers: { "X-Kiosk-Refresh": "1" } }).then(function (response) {
              if (response.redirected && new URL(response.url).pathname !== location.pathname) { location.assign(response.url); return null; }
              return response.text();
            }).then(function (text) {
              if (text === null) { return; }
              var next = new DOMParser().parseFromString(text, "text/html");
              document.querySelectorAll("[data-live][id]").forEach(function (region) {
                var fresh = next.getElementById(region.id);
                if (fresh && !busy(region) && fresh.innerHTML !== region.innerHTML) { region.innerHTML = fresh.innerHTML; }
              });
              refreshes += 1;
              body.dataset.refreshes = String(refreshes);
            }).catch(function () { body.dataset.refreshFailed = "1"; });
          }
          function schedule() { if (timer === null) { timer = setTimeout(refresh, 150); } }
          // EventSource reconnects by itself after a dropped stream, sending the last id it saw;
          // after a refused one (vdsyncd down: 503) it gives up, so a new one is made here,
          // resuming from the last seq through ?since=.
          var lastSeq = "";
          function connect() {
            var source = new EventSource(lastSeq ? "/events?since=" + encodeURIComponent(lastSeq) : "/events");
            source.addEventListener("change", function (event) {
              if (event.lastEventId) { lastSeq = event.lastEventId; body.dataset.lastSeq = lastSeq; }
              schedule();
            });
            source.addEventListener("status", schedule);
            source.addEventListener("open", function () { body.dataset.live = "open"; schedule(); });
            source.addEventListener("error", function () {
              body.dataset.live = "reconnecting";
              if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 3000); }
            });
          }
          connect();
        })();
        """
}
