import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Chat over real HTTP: dialogs opened by the first message, their order, the rules of a
/// message, who may read a dialog, and read flags.
@Suite("Chat")
struct ChatTests {
    /// Sends a text message from `sender` to `recipient` and answers the dialog's messages.
    private func send(
        _ server: TestServer, from sender: TestServer.Account, to recipient: Int, _ content: String, photos: [JSONValue] = []
    ) async throws -> [ChatMessage] {
        try await server.call(
            .sendChatMessage, [:],
            ["content": .string(content), "photo": .array(photos), "type": .integer(sender.role.rawValue), "to_user_id": .integer(recipient)],
            token: sender.token
        ).payload(RecordList<ChatMessage>.self).records
    }

    private func dialogs(_ server: TestServer, _ account: TestServer.Account, _ query: [String: JSONValue] = [:]) async throws -> RecordList<ChatDialog> {
        try await server.call(.chatDialogs, [:], query, token: account.token).payload(RecordList<ChatDialog>.self)
    }

    @Test("the first message opens the dialog; each message moves last_msg_id; the answer is the conversation")
    func firstMessageOpensDialog() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000001", name: "李患者")
            let doctor = try await server.account(.doctor, phone: "13900000002", name: "王医生")
            #expect(try await dialogs(server, patient).records.isEmpty)

            let first = try await send(server, from: patient, to: doctor.id, "医生您好", photos: ["http://img.example/a.jpg"])
            #expect(try await server.database.count("chat_dialog") == 1)
            let opened = try #require(first.first)
            #expect(first.count == 1)
            #expect(opened.senderRole == 1 && opened.fromUserID == patient.id && opened.toUserID == doctor.id)
            #expect(opened.content == "医生您好" && opened.photos == ["http://img.example/a.jpg"] && opened.isRead == 0)
            #expect(opened.fromUser?.realName == "李患者" && opened.toUser?.realName == "王医生")
            let dialogID = try #require(opened.dialogID)

            let reply = try await send(server, from: doctor, to: patient.id, "请讲")
            #expect(try await server.database.count("chat_dialog") == 1, "a second message reuses the dialog")
            #expect(reply.map(\.content) == ["医生您好", "请讲"], "oldest first")
            #expect(reply.allSatisfy { $0.dialogID == dialogID })
            #expect(reply.last?.senderRole == 2 && reply.last?.fromUserID == doctor.id)

            // Both sides see the dialog, with the reply as its last message.
            for account in [patient, doctor] {
                let list = try await dialogs(server, account)
                let dialog = try #require(list.records.first)
                #expect(list.records.count == 1 && String(dialog.id) == dialogID)
                #expect(dialog.patientUserID == patient.id && dialog.doctorUserID == doctor.id)
                #expect(dialog.lastMessageID == reply.last.map { String($0.id) })
                #expect(dialog.lastMessage?.content == "请讲")
                #expect(dialog.patientUser?.realName == "李患者" && dialog.doctorUser?.realName == "王医生")
            }
            let stored = try await server.database.read { db in
                try Int.fetchOne(db, sql: "SELECT last_msg_id FROM chat_dialog")
            }
            #expect(stored == reply.last?.id)
        }
    }

    @Test("dialogs are listed most recent first, paged, and only to their two users")
    func dialogOrderAndPaging() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000011")
            let hospital = try await server.insertHospital()
            var doctors: [TestServer.Account] = []
            for index in 0..<3 {
                doctors.append(try await server.account(.doctor, phone: "1390000002\(index)", hospitalID: hospital))
            }
            _ = try await send(server, from: patient, to: doctors[0].id, "一")
            _ = try await send(server, from: patient, to: doctors[1].id, "二")
            _ = try await send(server, from: doctors[2], to: patient.id, "三")
            _ = try await send(server, from: patient, to: doctors[0].id, "四")

            let all = try await dialogs(server, patient)
            #expect(all.records.map(\.doctorUserID) == [doctors[0].id, doctors[2].id, doctors[1].id])
            #expect(all.records.map { $0.lastMessage?.content } == ["四", "三", "二"])
            #expect(all.page == Page(current: 1, totalPages: 1, totalCount: 3, size: 10))

            let first = try await dialogs(server, patient, ["page_size": 2])
            #expect(first.records.map(\.doctorUserID) == [doctors[0].id, doctors[2].id])
            #expect(first.page == Page(current: 1, totalPages: 2, totalCount: 3, size: 2))
            let second = try await dialogs(server, patient, ["page_size": 2, "current_page": 2])
            #expect(second.records.map(\.doctorUserID) == [doctors[1].id])
            #expect(second.page?.totalCount == 3)

            let doctorView = try await dialogs(server, doctors[1])
            #expect(doctorView.records.map(\.patientUserID) == [patient.id] && doctorView.page?.totalCount == 1)

            let assistant = try await server.account(.assistant, phone: "13900000019")
            try await server.call(.chatDialogs, token: assistant.token).expectFailure(.forbidden)
            try await server.call(.chatDialogs).expectFailure(.notLoggedIn)
            try await server.call(.chatDialogs, [:], ["page_size": 0], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("a message is at most 256 characters and 3 photo URLs, from the caller's own type, to the other kind of user")
    func messageRules() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000031")
            let otherPatient = try await server.account(.patient, phone: "13900000032")
            let doctor = try await server.account(.doctor, phone: "13900000033")
            let otherDoctor = try await server.account(.doctor, phone: "13900000034")
            let assistant = try await server.account(.assistant, phone: "13900000035")

            // Unicode scalars, as JSON Schema's maxLength counts: 128 skin-toned thumbs are 256 of them.
            let longest = String(repeating: "👍🏽", count: 128)
            #expect(try await send(server, from: patient, to: doctor.id, longest).last?.content == longest)
            let photos: [JSONValue] = ["http://img.example/1.jpg", "http://img.example/2.jpg", "https://img.example/3.png"]
            #expect(try await send(server, from: doctor, to: patient.id, "看图", photos: photos).last?.photos.count == 3)
            // An empty photo list is a text-only message; form encoding sends it as an empty value.
            _ = try await server.call(
                .sendChatMessage, [:], ["content": "表单", "photo": "", "type": 1, "to_user_id": .integer(doctor.id)],
                token: patient.token, encoding: .form
            ).payload(RecordList<ChatMessage>.self)

            let messages = try await server.database.count("chat_message")
            let dialogs = try await server.database.count("chat_dialog")
            #expect(messages == 3 && dialogs == 1)

            func refused(
                _ sender: TestServer.Account, _ parameters: [String: JSONValue], _ code: ErrorCode,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                try await server.call(.sendChatMessage, [:], parameters, token: sender.token).expectFailure(code, sourceLocation: sourceLocation)
            }
            let valid: [String: JSONValue] = ["content": "你好", "photo": [], "type": 1, "to_user_id": .integer(doctor.id)]
            try await refused(patient, valid.merging(["content": .string(String(repeating: "字", count: 257))]) { $1 }, .invalidParameter)
            try await refused(patient, valid.merging(["content": .string(String(repeating: "👍🏽", count: 129))]) { $1 }, .invalidParameter)
            try await refused(patient, valid.filter { $0.key != "content" }, .invalidParameter)
            try await refused(patient, valid.merging(["photo": .array(photos + ["http://img.example/4.jpg"])]) { $1 }, .invalidParameter)
            try await refused(patient, valid.merging(["photo": ["not a url"]]) { $1 }, .invalidParameter)
            // The catalogue marks photo required: an absent list is refused, an empty one is not.
            try await refused(patient, valid.filter { $0.key != "photo" }, .invalidParameter)
            try await refused(patient, valid.merging(["type": 2]) { $1 }, .invalidParameter)
            try await refused(patient, valid.merging(["type": "医生"]) { $1 }, .invalidParameter)
            try await refused(patient, valid.filter { $0.key != "to_user_id" }, .invalidParameter)
            // Patients talk to doctors and doctors to patients.
            try await refused(patient, valid.merging(["to_user_id": .integer(otherPatient.id)]) { $1 }, .notFound)
            try await refused(doctor, valid.merging(["type": 2, "to_user_id": .integer(otherDoctor.id)]) { $1 }, .notFound)
            try await refused(patient, valid.merging(["to_user_id": .integer(assistant.id)]) { $1 }, .notFound)
            try await refused(patient, valid.merging(["to_user_id": 999_999]) { $1 }, .notFound)
            try await refused(assistant, valid.merging(["type": 3]) { $1 }, .forbidden)
            try await server.call(.sendChatMessage, [:], valid).expectFailure(.notLoggedIn)

            #expect(try await server.database.count("chat_message") == messages)
            #expect(try await server.database.count("chat_dialog") == dialogs)
        }
    }

    @Test("only the dialog's two users read it, and reading marks what was addressed to the reader")
    func readingDialogs() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000041")
            let doctor = try await server.account(.doctor, phone: "13900000042")
            let thirdPatient = try await server.account(.patient, phone: "13900000043")
            let thirdDoctor = try await server.account(.doctor, phone: "13900000044")
            _ = try await send(server, from: patient, to: doctor.id, "一")
            _ = try await send(server, from: patient, to: doctor.id, "二")
            let sent = try await send(server, from: doctor, to: patient.id, "三")
            let dialogID = try #require(sent.first?.dialogID)

            for outsider in [thirdPatient, thirdDoctor] {
                try await server.call(.chatMessages, ["id": dialogID], token: outsider.token).expectFailure(.forbidden)
            }
            #expect(try await server.database.count("chat_message", where: "is_read = 1") == 0, "a refused read marks nothing")
            try await server.call(.chatMessages, ["id": "999999"], token: patient.token).expectFailure(.notFound)
            try await server.call(.chatMessages, ["id": "abc"], token: patient.token).expectFailure(.notFound)
            try await server.call(.chatMessages, ["id": dialogID]).expectFailure(.notLoggedIn)

            // The doctor reads: the patient's two messages become read, the doctor's own reply does not.
            let doctorRead = try await server.call(.chatMessages, ["id": dialogID], token: doctor.token).payload(RecordList<ChatMessage>.self)
            #expect(doctorRead.records.map(\.content) == ["一", "二", "三"])
            #expect(doctorRead.records.map(\.isRead) == [1, 1, 0])
            #expect(try await server.database.count("chat_message", where: "to_user_id = ? AND is_read = 1", [doctor.id]) == 2)
            #expect(try await server.database.count("chat_message", where: "to_user_id = ? AND is_read = 0", [patient.id]) == 1)
            let patientView = try await dialogs(server, patient).records.first
            #expect(patientView?.lastMessage?.isRead == 0, "the last message tells the patient there is something unread")

            let patientRead = try await server.call(.chatMessages, ["id": dialogID], token: patient.token).payload(RecordList<ChatMessage>.self)
            #expect(patientRead.records.map(\.isRead) == [1, 1, 1])
            #expect(try await dialogs(server, patient).records.first?.lastMessage?.isRead == 1)
        }
    }

    @Test("a dialog's messages come oldest first, paged, without a page object")
    func messagePaging() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000051")
            let doctor = try await server.account(.doctor, phone: "13900000052")
            var dialogID = ""
            for index in 1...5 {
                let sender = index.isMultiple(of: 2) ? doctor : patient
                dialogID = try #require(try await send(server, from: sender, to: sender.role == .patient ? doctor.id : patient.id, "\(index)").first?.dialogID)
            }
            let answer = try await server.call(.chatMessages, ["id": dialogID], ["page_size": 2, "current_page": 2], token: patient.token)
            #expect(try answer.payload(RecordList<ChatMessage>.self).records.map(\.content) == ["3", "4"])
            #expect(try answer.json["data"]?["page"] == nil, "the document's answer has no page")
            let past = try await server.call(.chatMessages, ["id": dialogID], ["current_page": 9], token: patient.token)
            #expect(try past.payload(RecordList<ChatMessage>.self).records.isEmpty)
            try await server.call(.chatMessages, ["id": dialogID], ["page_size": "x"], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("sending answers the dialog's latest 20 messages, oldest first")
    func sendAnswerIsBounded() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000061")
            let doctor = try await server.account(.doctor, phone: "13900000062")
            var answer: [ChatMessage] = []
            for index in 1...21 {
                answer = try await send(server, from: patient, to: doctor.id, "\(index)")
            }
            #expect(answer.map(\.content) == (2...21).map(String.init))
            #expect(try await server.database.count("chat_message") == 21)
        }
    }
}
