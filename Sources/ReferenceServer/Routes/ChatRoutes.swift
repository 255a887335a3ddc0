import Foundation
import GRDB
import VolunteerAPI

/// Chat between a patient and a doctor (§3.6, §2.2.13, §2.2.14): the caller's dialogs, sending
/// a message (which opens the dialog on the first one), and reading a dialog (which marks the
/// messages addressed to the reader as read).
enum ChatRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .chatDialogs: chatDialogs,
        .sendChatMessage: sendChatMessage,
        .chatMessages: chatMessages,
    ]

    static func chatDialogs(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            // Message ids grow with time, so the newest last message is the most recent talk.
            return try paging.list(
                db, select: "SELECT * FROM chat_dialog WHERE patient_user_id = ? OR doctor_user_id = ?",
                orderBy: "COALESCE(last_msg_id, 0) DESC, id DESC", arguments: [caller.userID, caller.userID],
                present: presenter.chatDialog)
        }
    }

    static func sendChatMessage(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let message = try ChatRules.OutgoingMessage(call.parameters, caller: caller)
        return try await call.database.write { db in
            guard
                try Int.fetchOne(
                    db, sql: "SELECT id FROM user WHERE id = ? AND type = ?", arguments: [message.recipientID, message.recipientRole.rawValue]) != nil
            else {
                throw CallError.notFound(message.recipientRole == .doctor ? "医生" : "患者")
            }
            let (patientID, doctorID) = caller.role == .patient ? (caller.userID, message.recipientID) : (message.recipientID, caller.userID)
            let dialogID: Int
            if let existing = try Int.fetchOne(
                db, sql: "SELECT id FROM chat_dialog WHERE patient_user_id = ? AND doctor_user_id = ?", arguments: [patientID, doctorID])
            {
                dialogID = existing
            } else {
                try db.execute(sql: "INSERT INTO chat_dialog (patient_user_id, doctor_user_id) VALUES (?, ?)", arguments: [patientID, doctorID])
                dialogID = Int(db.lastInsertedRowID)
            }
            try db.execute(
                sql: """
                    INSERT INTO chat_message (dialog_id, type, from_user_id, to_user_id, content, photo, is_read, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 0, ?)
                    """,
                arguments: [
                    dialogID, caller.role.rawValue, caller.userID, message.recipientID, message.content,
                    Presenter.listColumn(message.photos), call.timestamp,
                ])
            let messageID = Int(db.lastInsertedRowID)
            try db.execute(sql: "UPDATE chat_dialog SET last_msg_id = ? WHERE id = ?", arguments: [messageID, dialogID])

            // The answer is the conversation as it now stands: its latest messages, oldest first.
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM (SELECT * FROM chat_message WHERE dialog_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [dialogID, ChatRules.sentAnswerLimit])
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return RecordList(try rows.map(presenter.chatMessage))
        }
    }

    static func chatMessages(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let dialogID = try call.pathID()
        let paging = try Paging(call.parameters)
        // Reading a dialog changes state (is_read), so the check, the change and the answer
        // share one write transaction.
        return try await call.database.write { db in
            guard let dialog = try Row.fetchOne(db, sql: "SELECT * FROM chat_dialog WHERE id = ?", arguments: [dialogID]) else {
                throw CallError.notFound("对话")
            }
            guard [dialog["patient_user_id"] as Int, dialog["doctor_user_id"] as Int].contains(caller.userID) else {
                throw CallError.forbidden
            }
            try db.execute(
                sql: "UPDATE chat_message SET is_read = 1 WHERE dialog_id = ? AND to_user_id = ? AND is_read = 0",
                arguments: [dialogID, caller.userID])
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM chat_message WHERE dialog_id = ? ORDER BY id LIMIT ? OFFSET ?",
                arguments: [dialogID] + paging.limitArguments)
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            // The document's answer has no `page`: the paging parameters still choose the rows.
            return RecordList(try rows.map(presenter.chatMessage))
        }
    }
}

/// The rules of a chat message, checked before anything is written.
private enum ChatRules {
    static let maxContentLength = 256
    static let maxPhotos = 3
    /// How many of the dialog's latest messages `POST /chat` answers with.
    static let sentAnswerLimit = 20

    struct OutgoingMessage {
        let content: String
        let photos: [String]
        let recipientID: Int
        let recipientRole: UserRole

        init(_ parameters: Parameters, caller: Caller) throws(CallError) {
            // The limit counts Unicode scalars, as every length limit of vdapi and JSON Schema's
            // maxLength do, so docs/openapi.yaml states it exactly. Content is kept as sent.
            content = try parameters.requiredString("content", maxLength: ChatRules.maxContentLength)
            photos = try parameters.strings("photo", maxCount: ChatRules.maxPhotos, maxLength: 1_000)
            for photo in photos {
                let lowered = photo.lowercased()
                guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
                    throw .invalid("photo", "应为图片 URL")
                }
            }
            let type = try parameters.requiredInt("type")
            // The sender's type is the caller's own role; the roles of the endpoint already
            // keep assistants out.
            guard type == caller.role.rawValue else { throw .invalid("type", "应为登录用户的类型 \(caller.role.rawValue)") }
            recipientID = try parameters.requiredInt("to_user_id")
            recipientRole = caller.role == .patient ? .doctor : .patient
        }
    }
}
