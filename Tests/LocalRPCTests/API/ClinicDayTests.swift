import Foundation
import ReferenceServer
import ReferenceServerTestKit
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// A clinic day per role through the socket, with the upstream gone after one sync: every read
/// a front end needs answers from the mirror (docs/local-api.md, "Every documented endpoint").
@Suite("A clinic day offline")
struct ClinicDayTests {
    /// Logs `account` in, waits for its first pull to finish (its plan's lists in
    /// `status.last_pulls`, written once at the end of a pull; the cold tier, with the doctor
    /// directory, is pulled after the others), then cuts the upstream: every request is reset
    /// before a handler sees it.
    static func syncOnceThenGoOffline(_ world: AgentWorld, _ client: APIClient, _ account: JSONValue, lastStep: String) async throws {
        try await syncOnce(world, client, account, lastStep: lastStep)
        await world.running.server.faults.add(FaultRule(.resetBeforeHandler))
    }

    /// Logs `account` in and waits for its first pull to finish.
    static func syncOnce(_ world: AgentWorld, _ client: APIClient, _ account: JSONValue, lastStep: String) async throws {
        _ = try await client.result("session.login", account, id: 1)
        try await SharedKioskTests.until(timeout: .seconds(60)) {
            let status = try await client.result("status", id: 2)
            return status["last_pulls"]?[lastStep] != nil
        }
    }

    /// The items of a list method's page.
    static func items(_ client: APIClient, _ method: String, _ params: JSONValue = [:]) async throws -> [JSONValue] {
        guard case .array(let items)? = try await client.result(method, params, id: 3)["items"] else { return [] }
        return items
    }

    @Test("the doctor opens today's clinic, finds a booked patient, reads the earlier visits and the casebook with its photo")
    func doctor() async throws {
        try await RunningImageHost.withRunning { host in
            try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
                try await Self.doctorsDay(world, photo: host.url("/img/casebook-sun?bytes=3000"))
            }
        }
    }

    /// The doctor's day; 孙丽华's casebook of today names `photo`, on an image host of its own.
    static func doctorsDay(_ world: AgentWorld, photo: String) async throws {
        try await ImageTests.setDoctorAvatar(world, "")
        try await world.running.database.write { db in
            try db.execute(
                sql: """
                    UPDATE casebook SET photo = json_array(?) WHERE id = (
                        SELECT casebook_id FROM diagnosis JOIN project ON project.id = diagnosis.project_id
                        WHERE diagnosis.user_id = (SELECT id FROM user WHERE phone = '13800000022') AND project.date = date('now', '+8 hours'))
                    """, arguments: [photo])
        }
        let client = try await world.client()
        try await Self.syncOnce(world, client, SharedKioskTests.doctor, lastStep: "GET /doctor/index")
        // The photo of a booking of today is fetched in the background, unasked.
        try await ImageTests.eventually("the casebook photo cached") {
            try await client.result("images.get", ["url": .string(photo)], id: 9)["cached"] == true
        }
        await world.running.server.faults.add(FaultRule(.resetBeforeHandler))
        let today = try #require(
            try await world.upstream(
                "SELECT id FROM project WHERE date = date('now', '+8 hours') AND doctor_id = (SELECT id FROM user WHERE phone = '13800000001')"
            ).first)

        let clinics = try await Self.items(client, "projects.list", ["scope": "mine", "from_date": .string(Self.todayInChina())])
        #expect(clinics.contains { $0["id"] == .integer(today) }, "today's clinic is listed")
        let bookings = try await Self.items(client, "projects.patients", ["project_id": .integer(today)])
        #expect(bookings.contains { $0["record"]?["user_info"]?["real_name"] == "孙丽华" }, "孙丽华 is booked today")
        // Found by part of her name, among the bookings.
        let hits = try await Self.items(client, "search", ["query": "丽华", "kinds": ["diagnoses"]])
        let todays = Set(bookings.compactMap { $0["id"] })
        let sun = try #require(hits.first { $0["id"].map(todays.contains) == true }, "her booking of today is among the hits")
        #expect(sun["record"]?["user_info"]?["real_name"] == "孙丽华")
        let visitHits = try await Self.items(client, "search", ["query": "孙丽华", "kinds": ["visits"]])
        #expect(!visitHits.isEmpty, "her earlier visits are found by name too")
        // The casebook comes inside the booking, photos and all.
        #expect(sun["record"]?["casebook_info"]?["content"] == "想复查一下上次的心电图结果。")
        guard case .integer(let patient)? = sun["record"]?["user_info"]?["id"] else { throw UnexpectedReply(reply: sun) }

        // Her earlier visits, across doctors, each with its casebook.
        let visits = try await Self.items(client, "patients.visits", ["patient_id": .integer(patient)])
        let upstreamVisits = try await world.upstream("SELECT id FROM diagnosis WHERE user_id = ?", [patient])
        #expect(Set(visits.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }) == upstreamVisits)
        #expect(visits.contains { $0["record"]?["diag_result"] == "心脾两虚型失眠，予归脾汤加减七剂，睡前温水泡脚，忌浓茶。" }, "another doctor's visit")
        #expect(visits.allSatisfy { $0["record"]?["casebook"] != nil })

        // The comments it received, its assistants, its home page.
        let reviews = try await Self.items(client, "doctors.reviews")
        #expect(reviews.contains { $0["record"]?["doctor_comment"] == "王医生非常耐心，把用药讲得很清楚。" })
        #expect(!(try await Self.items(client, "assistants.list")).isEmpty)
        #expect(try await client.result("home.get", id: 4)["record"]?["doctor_info"] != nil)

        // The casebook's photo, from the cache.
        guard case .array(let photos)? = sun["record"]?["casebook_info"]?["photo"], photos.first == .string(photo) else {
            throw UnexpectedReply(reply: sun)
        }
        let picture = try await client.result("images.get", ["url": .string(photo)], id: 10)
        #expect(picture["cached"] == true && picture["content_type"] == "image/png")
        if case .string(let base64)? = picture["bytes_base64"] {
            #expect(Data(base64Encoded: base64) == RunningImageHost.png("casebook-sun", bytes: 3000))
        }
        await client.close()
    }

    @Test("the assistant finds its patients, their bookings and the doctors")
    func assistant() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await Self.syncOnceThenGoOffline(world, client, SharedKioskTests.assistant, lastStep: "GET /doctor/list")
            let patients = try await Self.items(client, "patients.list")
            // Each of its patients is found by part of the name.
            for patient in patients {
                guard case .string(let name)? = patient["record"]?["real_name"], name.count >= 2 else { continue }
                let hits = try await Self.items(client, "search", ["query": .string(String(name.suffix(2))), "kinds": ["patients"]])
                #expect(hits.contains { $0["id"] == patient["id"] }, "\(name) by the end of the name")
            }
            #expect(try await Self.items(client, "search", ["query": "建国", "kinds": ["doctors"]]).first?["record"]?["real_name"] == "王建国")
            let upstreamPatients = try await world.upstream(
                "SELECT patient_id FROM assistant_patient WHERE assistant_id = (SELECT id FROM user WHERE phone = '13800000011')")
            #expect(Set(patients.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }) == upstreamPatients)
            let booked = try await Self.items(client, "projects.list", ["scope": "booked"])
            #expect(!booked.isEmpty)
            if case .integer(let project)? = booked.first?["id"] {
                #expect(!(try await Self.items(client, "projects.patients", ["project_id": .integer(project)])).isEmpty)
            }
            let doctors = try await Self.items(client, "doctors.list")
            #expect(doctors.count == (try await world.upstream("SELECT id FROM user WHERE type = 2")).count)
            #expect(doctors.first?["record"]?["real_name"] != nil)
            let cardiology = try await Self.items(client, "doctors.list", ["departments": "心内科"])
            #expect(cardiology.map { $0["record"]?["real_name"] } == ["王建国"])
            #expect(try await client.result("center.get", id: 6)["record"]?["user_info"] != nil)
            await client.close()
        }
    }

    @Test("the patient browses the clinics near it, their doctors and reviews, its bookings awaiting a rating and its refunds")
    func patient() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await Self.syncOnceThenGoOffline(world, client, SharedKioskTests.patient, lastStep: "GET /doctor/list")
            let open = try await Self.items(client, "projects.list", ["scope": "open"])
            let doctorIDs = Set(open.compactMap { item -> Int? in if case .integer(let id)? = item["record"]?["doctor_info"]?["id"] { id } else { nil } })
            #expect(!doctorIDs.isEmpty, "open clinics name their doctors")
            for doctor in doctorIDs {
                let profile = try await client.result("users.get", ["user_id": .integer(doctor)], id: 7)
                #expect(profile["record"]?["departments"] != nil)
                let clinics = try await Self.items(client, "projects.list", ["doctor_id": .integer(doctor)])
                #expect(!clinics.isEmpty)
            }
            let wang = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000001'").first)
            let found = try await Self.items(client, "search", ["query": "王建国", "kinds": ["doctors"]])
            #expect(found.map { $0["id"] } == [.integer(wang)], "a doctor is found by name")
            let reviews = try await Self.items(client, "doctors.reviews", ["doctor_id": .integer(wang)])
            #expect(reviews.contains { $0["record"]?["doctor_comment"] == "排队稍久，但看得很仔细。" })
            let awaiting = try await Self.items(client, "diagnoses.list", ["scope": "awaiting_rating"])
            let upstreamAwaiting = try await world.upstream(
                "SELECT id FROM diagnosis WHERE user_id = (SELECT id FROM user WHERE phone = '13800000021' AND type = 1) AND verify_status = ? AND status = ? AND doctor_score = 0",
                [BookingStatus.booked.rawValue, VisitStatus.seen.rawValue])
            #expect(!upstreamAwaiting.isEmpty)
            #expect(Set(awaiting.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }) == upstreamAwaiting)
            let refunds = try await Self.items(client, "diagnoses.list", ["scope": "refunds"])
            #expect(
                refunds.count
                    == (try await world.upstream(
                        "SELECT id FROM diagnosis WHERE user_id = (SELECT id FROM user WHERE phone = '13800000021' AND type = 1) AND refund_status IS NOT NULL"))
                    .count)
            #expect(!(try await Self.items(client, "cities.list")).isEmpty, "provinces")
            #expect(try await client.result("home.get", id: 8)["record"]?["banner"] != nil)
            await client.close()
        }
    }

    /// `yyyy-MM-dd` in China Standard Time, as the API dates projects.
    static func todayInChina() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
