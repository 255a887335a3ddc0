import LocalRPC
import Redaction
import SocketClient
import VolunteerAPI

/// Turns a method's result into what `vdsync` prints without `--json`: a table for lists (id, a
/// pending marker `*`, a few salient fields of the kind of record), `key: value` lines for one
/// record or a status, one sentence for a mutation or a session change.
///
/// Guarantees: the output depends only on the method name and the result (tested on fixed
/// inputs); fields that identify or authenticate a person (phone, token, password, ID number)
/// are never shown, since a terminal is often shared or recorded (`--json` is the raw result);
/// a result of a shape it does not know is printed as pretty JSON rather than dropped.
public enum ResultFormatter {
    /// Whether a record field is never shown in human output (``SensitiveKeys``).
    static func hidden(_ key: String) -> Bool { SensitiveKeys.isHidden(key) }

    /// The text for `result` of `method`, ending in a newline.
    public static func render(method: String, result: JSONValue) -> String {
        switch method {
        case "status": return status(result)
        case "session.login", "account.register":
            return "logged in as \(JSONText.cell(result["role"])) (user \(JSONText.cell(result["user_id"])))\n"
        case "session.login_by_code":
            let new = result["is_new"] == .bool(true) ? ", a new account" : ""
            return "logged in as \(JSONText.cell(result["role"])) (user \(JSONText.cell(result["user_id"]))\(new))\n"
        case "account.send_code": return "SMS code sent\n"
        case "metrics.get": return JSONText.cell(result["text"])
        case "account.reset_password": return "password changed: log in with the new one\n"
        case "session.logout": return "logged out\n"
        case "sync.now": return "sync requested: \(JSONText.cell(result))\n"
        case "rpc.discover": return methods(result)
        case "outbox.list": return outboxTable(result)
        case "search": return searchTable(result)
        case "outbox.get", "outbox.retry", "outbox.discard": return keyValues(result)
        case "changes.subscribe": return "subscribed \(JSONText.cell(result["subscription"])) at seq \(JSONText.cell(result["seq"]))\n"
        default: break
        }
        if result["items"] != nil, result["total"] != nil { return page(method: method, result) }
        if result["record"] != nil, result["id"] != nil { return item(result) }
        if result["mutation_id"] != nil, result["state"] != nil { return mutation(result) }
        return JSONText.pretty(result) + "\n"
    }

    /// One line for a notification `vdsync watch` received: for a change, its seq, collection,
    /// record id and operation in fixed columns; for anything else, its method and params as JSON.
    public static func notificationLine(_ notification: RPCNotification) -> String {
        let params = notification.params
        if notification.method == "changes" {
            return DisplayWidth.pad("seq \(JSONText.cell(params["seq"]))", to: 12) + DisplayWidth.pad(JSONText.cell(params["collection"]), to: 16)
                + DisplayWidth.pad(JSONText.cell(params["id"]), to: 10) + JSONText.cell(params["operation"])
        }
        return notification.method + " " + JSONText.compact(.object(params))
    }

    // MARK: - Lists

    /// A column of a list: its header and how a cell is read from an item's record.
    struct Column {
        let header: String
        let cell: (JSONValue?) -> String

        init(_ header: String, _ path: String, _ describe: [Int: String] = [:]) {
            self.header = header
            self.cell = { record in
                let value = JSONText.value(record, at: path)
                if case .integer(let code)? = value, let text = describe[code] { return text }
                return JSONText.cell(value)
            }
        }

        init(_ header: String, cell: @escaping (JSONValue?) -> String) {
            self.header = header
            self.cell = cell
        }
    }

    static let diagnosisStatus = [1: "waiting", 2: "not seen", 3: "seen"]
    static let verifyStatus = [1: "booked", 2: "rejected", 3: "cancelled"]
    static let projectStatus = [1: "active", 0: "cancelled"]

    /// The salient fields of the records a list method returns.
    static func columns(for method: String) -> [Column] {
        switch method {
        case "projects.list", "projects.get":
            return [
                Column("DATE", "date"), Column("TIME", cell: { span(JSONText.value($0, at: "begin"), JSONText.value($0, at: "end")) }),
                Column("STATUS", "status", projectStatus),
                Column(
                    "BOOKED", cell: { "\(JSONText.cell(JSONText.value($0, at: "join_people_count")))/\(JSONText.cell(JSONText.value($0, at: "people_count")))" }
                ),
                Column("HOSPITAL", "hospital_info.name"), Column("ADDRESS", "addr"),
            ]
        case "projects.patients", "diagnoses.list", "diagnoses.get":
            return [
                Column("PROJECT", "project_id"), Column("VISIT", "visit_time"), Column("STATUS", "status", diagnosisStatus),
                Column("BOOKING", "verify_status", verifyStatus), Column("PATIENT", "user_info.real_name"),
            ]
        case "messages.list": return [Column("PUBLISHED", "publish_time"), Column("FROM", "username"), Column("TITLE", "title")]
        case "news.list": return [Column("PUBLISHED", "publish_time"), Column("TITLE", "title")]
        case "dialogs.list":
            return [
                Column("WITH", cell: { JSONText.cell(JSONText.value($0, at: "patient_user.real_name") ?? JSONText.value($0, at: "doctor_user.real_name")) }),
                Column("LAST MESSAGE", "last_msg.content"),
            ]
        case "dialogs.messages":
            return [
                Column("FROM", cell: { JSONText.cell(JSONText.value($0, at: "from_user.real_name") ?? JSONText.value($0, at: "from_user_id")) }),
                Column("CONTENT", "content"),
                Column("PHOTOS", cell: { if case .array(let photos)? = JSONText.value($0, at: "photo"), !photos.isEmpty { String(photos.count) } else { "" } }),
            ]
        case "patients.list", "follows.list":
            return [Column("NAME", "real_name"), Column("AGE", "age"), Column("DEPARTMENT", "departments"), Column("TITLE", "job_position")]
        case "memberships.list":
            return [Column("ORG", "org_id"), Column("NAME", "org.name"), Column("REVIEW", "verify_status")]
        case "hospitals.list": return [Column("NAME", "name"), Column("LEVEL", "level"), Column("CITY", "city_name"), Column("ADDRESS", "addr")]
        case "organisations.list": return [Column("NAME", "name"), Column("ABOUT", "abstract")]
        case "doctors.list":
            return [Column("NAME", "real_name"), Column("HOSPITAL", "hospital"), Column("DEPARTMENT", "departments"), Column("SCORE", "score")]
        case "doctors.reviews":
            return [
                Column("RATED", "patient_comment_time"), Column("PATIENT", "user_info.real_name"), Column("SCORE", "doctor_score"),
                Column("COMMENT", "doctor_comment"),
            ]
        case "patients.visits":
            return [Column("VISIT", "visit_time"), Column("DOCTOR", "doctor.real_name"), Column("RESULT", "diag_result")]
        default:
            return [
                Column(
                    "NAME", cell: { JSONText.cell(JSONText.value($0, at: "name") ?? JSONText.value($0, at: "title") ?? JSONText.value($0, at: "real_name")) })
            ]
        }
    }

    static func span(_ begin: JSONValue?, _ end: JSONValue?) -> String {
        let begin = JSONText.cell(begin)
        let end = JSONText.cell(end)
        return begin.isEmpty && end.isEmpty ? "" : "\(begin)-\(end)"
    }

    static func page(method: String, _ result: JSONValue) -> String {
        guard case .array(let items)? = result["items"] else { return JSONText.pretty(result) + "\n" }
        let columns = columns(for: method)
        // Columns empty for every row are left out: a patient list has no departments.
        let used = columns.filter { column in items.contains { !column.cell($0["record"]).isEmpty } }
        var table = ResultTable(headers: ["ID", "P"] + used.map(\.header))
        for item in items {
            table.rows.append([JSONText.cell(item["id"]), item["pending"] == true ? "*" : ""] + used.map { $0.cell(item["record"]) })
        }
        var text = items.isEmpty ? "" : table.render()
        text += "\(items.count) of \(JSONText.cell(result["total"]))"
        if items.contains(where: { $0["pending"] == true }) { text += "; * changed by pending mutations" }
        return text + "\n"
    }

    /// Search hits: what each was found as, and the name or text that identifies it.
    static func searchTable(_ result: JSONValue) -> String {
        guard case .array(let hits)? = result["items"] else { return JSONText.pretty(result) + "\n" }
        var table = ResultTable(headers: ["KIND", "ID", "P", "FOUND", "DETAIL"])
        for hit in hits {
            let record = hit["record"]
            let found =
                ["real_name", "user_info.real_name", "name", "hospital_info.name", "content"].lazy.map { JSONText.cell(JSONText.value(record, at: $0)) }
                .first { !$0.isEmpty } ?? ""
            let detail = ["visit_time", "date", "addr", "hospital"].lazy.map { JSONText.cell(JSONText.value(record, at: $0)) }.first { !$0.isEmpty } ?? ""
            table.rows.append([JSONText.cell(hit["kind"]), JSONText.cell(hit["id"]), hit["pending"] == true ? "*" : "", found, detail])
        }
        var text = hits.isEmpty ? "" : table.render()
        text += "\(hits.count) of \(JSONText.cell(result["total"]))"
        if hits.contains(where: { $0["pending"] == true }) { text += "; * changed by pending mutations" }
        return text + "\n"
    }

    static func outboxTable(_ result: JSONValue) -> String {
        guard case .array(let entries) = result else { return JSONText.pretty(result) + "\n" }
        guard !entries.isEmpty else { return "the outbox is empty\n" }
        var table = ResultTable(headers: ["ID", "KIND", "STATE", "ATTEMPTS", "UPDATED", "LAST ERROR"])
        for entry in entries {
            // The upstream's own words say more than the agent's summary when there are any.
            let upstream = JSONText.cell(entry["upstream_error_message"])
            // An entry waiting for its last send to settle says so; its last error says until when.
            var state = JSONText.cell(entry["state"])
            if entry["state"] == "unknown", let settles = entry["settles_at"], settles != .null { state += " (settling)" }
            table.rows.append(
                [JSONText.cell(entry["mutation_id"]), JSONText.cell(entry["kind"]), state]
                    + ["attempts", "updated_at"].map { JSONText.cell(entry[$0]) }
                    + [upstream.isEmpty ? JSONText.cell(entry["last_error"]) : upstream])
        }
        return table.render()
    }

    static func methods(_ document: JSONValue) -> String {
        guard case .array(let methods)? = document["methods"] else { return JSONText.pretty(document) + "\n" }
        var table = ResultTable(headers: ["METHOD", "ACCESS", "SUMMARY"], maxCellWidth: 100)
        for method in methods { table.rows.append([JSONText.cell(method["name"]), JSONText.cell(method["x-access"]), JSONText.cell(method["summary"])]) }
        return table.render()
    }

    // MARK: - Single values

    /// Rows of `label  value`, aligned like a table without a header.
    static func pairs(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        return ResultTable(headers: first, rows: Array(rows.dropFirst()), maxCellWidth: 200).render()
    }

    static func item(_ item: JSONValue) -> String {
        var rows = [["id", JSONText.cell(item["id"])]]
        if item["pending"] == true { rows.append(["pending", "* mutations \(JSONText.cell(item["pending_mutations"]))"]) }
        if case .object(let record)? = item["record"] {
            for key in record.keys.sorted() where key != "id" && !hidden(key) {
                rows.append([key, JSONText.cell(nestedSummary(record[key]))])
            }
        }
        return pairs(rows)
    }

    /// A nested object as a cell: its name-like member, since "{…}" says nothing.
    static func nestedSummary(_ value: JSONValue?) -> JSONValue? {
        guard case .object = value else { return value }
        return value?["real_name"] ?? value?["name"] ?? value?["title"] ?? value
    }

    static func keyValues(_ value: JSONValue) -> String {
        guard case .object(let members) = value else { return JSONText.pretty(value) + "\n" }
        return pairs(members.keys.sorted().filter { !hidden($0) }.map { [$0, JSONText.cell(members[$0])] })
    }

    static func mutation(_ result: JSONValue) -> String {
        var text = "mutation \(JSONText.cell(result["mutation_id"])) \(JSONText.cell(result["state"]))"
        if let created = result["created_id"] { text += "; created record \(JSONText.cell(created))" }
        if case .array(let uploads)? = result["uploads"], !uploads.isEmpty { text += "; photo uploads \(JSONText.cell(result["uploads"]))" }
        return text + "\n"
    }

    /// Bytes in decimal units, as a metered plan counts them: `980 B`, `40 kB`, `1.2 MB`.
    static func byteCount(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var scaled = Double(max(bytes, 0))
        var unit = 0
        while scaled >= 999.5, unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        if unit == 0 || scaled >= 9.95 { return "\(Int(scaled.rounded())) \(units[unit])" }
        return "\(Double(Int((scaled * 10).rounded())) / 10) \(units[unit])"
    }

    static func status(_ status: JSONValue) -> String {
        var rows = [["connectivity", JSONText.cell(status["connectivity"])]]
        var session = JSONText.cell(status["session"])
        if let role = status["role"], role != .null { session += " as \(JSONText.cell(role)) (user \(JSONText.cell(status["user_id"])))" }
        rows.append(["session", session])
        let lastPull = JSONText.cell(status["last_pull"])
        rows.append(["last pull", lastPull.isEmpty ? "never" : lastPull])
        if case .object(let pulls)? = status["last_pulls"] {
            for key in pulls.keys.sorted() { rows.append(["  " + key, JSONText.cell(pulls[key])]) }
        }
        if case .object(let counts)? = status["outbox"] {
            let nonzero = counts.keys.sorted().filter { counts[$0] != 0 }.map { "\($0) \(JSONText.cell(counts[$0]))" }
            var outbox = nonzero.isEmpty ? "empty" : nonzero.joined(separator: ", ")
            if status["outbox_paused_for_login"] == true { outbox += " (paused until login)" }
            if let settling = status["outbox_settling"], case .integer(let count)? = settling["count"], count > 0 {
                outbox += "; \(count) waiting for an earlier send to settle, until \(JSONText.cell(settling["until"]))"
            }
            rows.append(["outbox", outbox])
        }
        if case .integer(let others)? = status["outbox_other_accounts"], others > 0 {
            rows.append(["other accounts", "\(others) unsent, waiting for their own login"])
        }
        if case .array(let errors)? = status["last_errors"] {
            for (index, error) in errors.enumerated() { rows.append([index == 0 ? "last errors" : "", JSONText.cell(error)]) }
        }
        if let today = status["link"]?["today"], case .integer(let received)? = today["bytes_received"] {
            var line = "\(byteCount(received)) received"
            if case .integer(let decoded)? = today["bytes_decoded"], decoded != received { line += " (\(byteCount(decoded)) decoded)" }
            if case .integer(let sent)? = today["bytes_sent"] { line += ", \(byteCount(sent)) sent" }
            if case .integer(let requests)? = today["requests"] { line += ", \(requests) request\(requests == 1 ? "" : "s")" }
            rows.append(["link today", line])
        }
        if case .object(let versions)? = status["versions"] {
            rows.append(["versions", versions.keys.sorted().map { "\($0) \(JSONText.cell(versions[$0]))" }.joined(separator: ", ")])
        }
        return pairs(rows)
    }
}
