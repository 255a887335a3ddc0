import Foundation
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient
@testable import vdsync

/// What `vdsync` prints for people, on fixed inputs: aligned tables (CJK-aware), pending
/// markers, hidden personal fields, and the exit status of every kind of error.
@Suite("vdsync output and exit statuses")
struct ResultFormatterTests {
    @Test("display width counts CJK and fullwidth characters as two columns, combining marks as none")
    func displayWidth() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("张三") == 4)
        #expect(DisplayWidth.of("头痛，发热") == 10)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.truncate("北京协和医院东院", to: 7) == "北京协…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("北京协和医院东院", to: 7)) <= 7)
        #expect(DisplayWidth.truncate("short", to: 10) == "short")
    }

    @Test("a table aligns columns in terminal columns, cuts long cells, keeps one row per line")
    func table() {
        let table = ResultTable(
            headers: ["ID", "NAME", "CITY"],
            rows: [["1", "张三", "北京"], ["22", "Li", "Shanghai"], ["333", "line\nbreak", ""]], maxCellWidth: 8)
        #expect(
            table.render() == """
                ID   NAME      CITY
                1    张三      北京
                22   Li        Shanghai
                333  line br…

                """)
    }

    @Test("a doctor's reviews and a patient's visits are tables of what a clinic reads in them")
    func reviewsAndVisits() {
        let reviews: JSONValue = [
            "items": [
                [
                    "id": 2, "pending": false, "pending_mutations": [],
                    "record": [
                        "patient_comment_time": "2026-11-23 21:01:00", "user_info": ["real_name": "孙丽华"], "doctor_score": 4, "doctor_comment": "看得很仔细。",
                    ],
                ]
            ],
            "total": 1,
        ]
        let table = ResultFormatter.render(method: "doctors.reviews", result: reviews)
        #expect(table.contains("RATED") && table.contains("孙丽华") && table.contains("看得很仔细。") && table.contains("1 of 1"))
        let visits: JSONValue = [
            "items": [
                [
                    "id": 7, "pending": false, "pending_mutations": [],
                    "record": ["visit_time": "2026-11-16 14:00:00", "doctor": ["real_name": "李敏"], "diag_result": "注意休息"],
                ]
            ],
            "total": 1,
        ]
        let visitTable = ResultFormatter.render(method: "patients.visits", result: visits)
        #expect(visitTable.contains("DOCTOR") && visitTable.contains("李敏") && visitTable.contains("注意休息"))
    }

    @Test("a page of projects becomes a table with a pending marker, the count and a legend")
    func projectsPage() throws {
        let result = try json(
            """
            {"items":[
              {"id":7,"pending":false,"pending_mutations":[],"record":{"id":7,"date":"2025-03-01","begin":"09:00:00","end":"12:00:00","status":1,
               "join_people_count":3,"people_count":20,"addr":"朝阳区建国路 1 号","hospital_info":{"name":"协和医院"}}},
              {"id":-2,"pending":true,"pending_mutations":[5],"record":{"id":-2,"date":"2025-03-02","begin":"14:00:00","end":"17:00:00","status":0,
               "join_people_count":0,"people_count":5,"addr":"Main St","hospital_info":{"name":"City Hospital"}}}
            ],"total":9}
            """)
        let text = ResultFormatter.render(method: "projects.list", result: result)
        #expect(
            text == """
                ID  P  DATE        TIME               STATUS     BOOKED  HOSPITAL       ADDRESS
                7      2025-03-01  09:00:00-12:00:00  active     3/20    协和医院       朝阳区建国路 1 号
                -2  *  2025-03-02  14:00:00-17:00:00  cancelled  0/5     City Hospital  Main St
                2 of 9; * changed by pending mutations

                """)
    }

    @Test("columns that are empty in every row are left out, and an empty page says so")
    func emptyColumns() throws {
        let result = try json(
            #"{"items":[{"id":3,"pending":false,"pending_mutations":[],"record":{"id":3,"real_name":"王五","age":40,"phone":"13800000021"}}],"total":1}"#)
        let text = ResultFormatter.render(method: "patients.list", result: result)
        #expect(text == "ID  P  NAME  AGE\n3      王五  40\n1 of 1\n")
        #expect(!text.contains("13800000021"))
        #expect(ResultFormatter.render(method: "news.list", result: ["items": [], "total": 0]) == "0 of 0\n")
    }

    @Test("one record is key: value lines without phones, tokens or ID numbers")
    func item() throws {
        let result = try json(
            #"{"id":12,"pending":true,"pending_mutations":[4],"record":{"id":12,"real_name":"李四","phone":"13800000001","token":"secret","idno":"110101199001011234","hospital_info":{"name":"协和"}}}"#
        )
        let text = ResultFormatter.render(method: "profile.get", result: result)
        #expect(text == "id             12\npending        * mutations 4\nhospital_info  协和\nreal_name      李四\n")
        #expect(!text.contains("13800000001") && !text.contains("secret") && !text.contains("110101"))
    }

    @Test("status, mutations, session changes and the outbox read as sentences and tables")
    func sentences() throws {
        let status = try json(
            """
            {"connectivity":"online","session":"active","role":"doctor","user_id":3,"last_pull":"2025-03-01T08:00:00Z",
             "last_pulls":{"doctor_projects":"2025-03-01T08:00:00Z"},"outbox":{"queued":2,"applied":0},"outbox_paused_for_login":false,
             "last_errors":[],"versions":{"vdsyncd":"0.6.0","local_api":"1"}}
            """)
        #expect(
            ResultFormatter.render(method: "status", result: status) == """
                connectivity       online
                session            active as doctor (user 3)
                last pull          2025-03-01T08:00:00Z
                  doctor_projects  2025-03-01T08:00:00Z
                outbox             queued 2
                versions           local_api 1, vdsyncd 0.6.0

                """)
        #expect(
            ResultFormatter.render(method: "chat.send", result: ["mutation_id": 5, "state": "queued", "uploads": [3, 4]])
                == "mutation 5 queued; photo uploads 3, 4\n")
        #expect(
            ResultFormatter.render(method: "patient.create", result: ["mutation_id": 6, "state": "queued", "created_id": -1, "uploads": []])
                == "mutation 6 queued; created record -1\n")
        #expect(ResultFormatter.render(method: "session.login", result: ["role": "doctor", "user_id": 3]) == "logged in as doctor (user 3)\n")
        #expect(
            ResultFormatter.render(method: "session.login_by_code", result: ["role": "patient", "user_id": 9, "is_new": true])
                == "logged in as patient (user 9, a new account)\n")
        let others = ResultFormatter.render(method: "status", result: ["session": "active", "outbox": ["queued": 0], "outbox_other_accounts": 2])
        #expect(others.contains("other accounts") && others.contains("2 unsent, waiting for their own login"))
        #expect(ResultFormatter.render(method: "sync.now", result: ["hot", "warm"]) == "sync requested: hot, warm\n")
        let outbox: JSONValue = [
            [
                "mutation_id": 1, "kind": "chat.send", "state": "rejected", "attempts": 1, "updated_at": "2025-03-01T08:00:00Z", "last_error": "refused",
                "upstream_error_message": "对方不存在",
            ]
        ]
        #expect(
            ResultFormatter.render(method: "outbox.list", result: outbox) == """
                ID  KIND       STATE     ATTEMPTS  UPDATED               LAST ERROR
                1   chat.send  rejected  1         2025-03-01T08:00:00Z  对方不存在

                """)
        #expect(ResultFormatter.render(method: "outbox.list", result: []) == "the outbox is empty\n")
        // An unknown shape is printed as JSON rather than lost.
        #expect(ResultFormatter.render(method: "x.y", result: ["b": 1, "a": [true]]) == "{\n  \"a\" : [\n    true\n  ],\n  \"b\" : 1\n}\n")
    }

    @Test("an entry waiting for its last send to settle says until when, in status and in the outbox table")
    func settling() throws {
        let status = try json(
            """
            {"connectivity":"online","session":"active","role":"doctor","user_id":3,"last_pull":null,"last_pulls":{},
             "outbox":{"unknown":1,"queued":1},"outbox_settling":{"count":1,"until":"2025-03-01T08:02:00Z"},"outbox_paused_for_login":false,
             "last_errors":[],"versions":{}}
            """)
        #expect(
            ResultFormatter.render(method: "status", result: status).contains(
                "outbox        queued 1, unknown 1; 1 waiting for an earlier send to settle, until 2025-03-01T08:02:00Z"))
        let outbox: JSONValue = [
            [
                "mutation_id": 7, "kind": "chat.send", "state": "unknown", "attempts": 1, "updated_at": "2025-03-01T08:00:05Z",
                "settles_at": "2025-03-01T08:02:00Z",
                "last_error": "settling until 2025-03-01T08:02:00Z: not found upstream yet",
            ],
            [
                "mutation_id": 8, "kind": "chat.send", "state": "queued", "attempts": 0, "updated_at": "2025-03-01T08:00:05Z", "settles_at": .null,
                "last_error": .null,
            ],
        ]
        #expect(
            ResultFormatter.render(method: "outbox.list", result: outbox) == """
                ID  KIND       STATE               ATTEMPTS  UPDATED               LAST ERROR
                7   chat.send  unknown (settling)  1         2025-03-01T08:00:05Z  settling until 2025-03-01T08:02:00Z: no…
                8   chat.send  queued              0         2025-03-01T08:00:05Z

                """)
    }

    @Test("status says what the link carried today, in decimal units as a metered plan counts")
    func linkToday() throws {
        let status = try json(
            """
            {"session":"active","outbox":{"queued":0},"link":{"today":{"date":"2026-12-07","requests":312,"bytes_sent":40120,
             "bytes_received":1204311,"bytes_decoded":9318420},"days":[]}}
            """)
        func linkLine(_ status: JSONValue) -> String? {
            ResultFormatter.render(method: "status", result: status).split(separator: "\n").first { $0.hasPrefix("link today ") }.map {
                $0.dropFirst("link today".count).trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(linkLine(status) == "1.2 MB received (9.3 MB decoded), 40 kB sent, 312 requests")
        let plain = try json(
            #"{"link":{"today":{"date":"2026-12-07","requests":1,"bytes_sent":120,"bytes_received":980,"bytes_decoded":980},"days":[]}}"#)
        #expect(linkLine(plain) == "980 B received, 120 B sent, 1 request")
        #expect(
            [0, 999, 1000, 9949, 9950, 99_499, 999_499, 999_500, 12_345_678].map(ResultFormatter.byteCount) == [
                "0 B", "999 B", "1.0 kB", "9.9 kB", "10 kB", "99 kB", "999 kB", "1.0 MB", "12 MB",
            ])
    }

    @Test("--json output is pretty with sorted keys, and watch lines are one per notification")
    func jsonAndNotifications() {
        #expect(JSONText.pretty(["z": 1, "a": "x/y"]) == "{\n  \"a\" : \"x/y\",\n  \"z\" : 1\n}")
        let change = RPCNotification(method: "changes", params: ["subscription": "s1", "seq": 42, "collection": "projects", "id": 7, "operation": "update"])
        #expect(ResultFormatter.notificationLine(change) == "seq 42      projects        7         update")
        #expect(JSONText.compact(.object(change.params)) == #"{"collection":"projects","id":7,"operation":"update","seq":42,"subscription":"s1"}"#)
    }

    @Test("every error maps to its documented exit status")
    func exitStatuses() {
        let rpc = { (code: Int, data: JSONValue?) in ClientExitStatus(for: .rpc(RPCError(code: code, message: "m", data: data))) }
        #expect(ClientExitStatus(for: .cannotConnect(path: "/x", reason: .socketMissing)).rawValue == 2)
        #expect(ClientExitStatus(for: .cannotConnect(path: "/x", reason: .permissionDenied)).rawValue == 2)
        #expect(rpc(-32000, nil) == .cannotConnect)
        for code in [-32602, -32601, -32001, -32002, -32011, -32012, -32020, -32021] { #expect(rpc(code, nil) == .refused, "\(code)") }
        #expect(rpc(-32010, ["kind": "login_refused"]) == .upstream)
        #expect(rpc(-32013, ["kind": "unreachable"]) == .upstream)
        #expect(rpc(-32050, ["kind": "unreachable"]) == .upstream)
        for code in [-32603, -32700, -32600] { #expect(rpc(code, nil) == .internalError, "\(code)") }
        #expect(ClientExitStatus(for: .connectionClosed).rawValue == 5)
        #expect(ClientExitStatus(for: .protocolViolation("x")).rawValue == 5)
        #expect(ClientExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
    }
}
