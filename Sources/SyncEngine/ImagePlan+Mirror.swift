import Foundation
import MirrorStore
import VolunteerAPI

extension ImagePlan.Inputs {
    /// Bounds on what one plan reads from the mirror: the soonest projects, the newest messages.
    static let maximumProjects = 200
    static let maximumRowsPerList = 500

    /// The plan's inputs as the mirror holds them for the account `userID`: today's and later
    /// projects (the soonest first) with their bookings, the newest chat messages and dialogs,
    /// the mirrored users, the account's own profile. A record that cannot be decoded is left
    /// out (its pictures are simply not planned); a failed read leaves that part empty.
    static func read(from store: MirrorStore, userID: Int, today: String) async -> ImagePlan.Inputs {
        var inputs = ImagePlan.Inputs(today: today)
        let decoder = JSONValueDecoder()
        let projects = await rows(
            store, MirrorQuery(.projects, filters: [.init("date", .greaterOrEqual, .text(today))], sort: "date", limit: maximumProjects))
        for project in projects {
            guard case .string(let date)? = project.raw["date"] else { continue }
            inputs.projectDates[project.id] = date
        }
        for projectID in inputs.projectDates.keys.sorted() {
            for row in await rows(store, MirrorQuery(.diagnoses, filters: [.init("project_id", .equal, .integer(projectID))], limit: maximumRowsPerList)) {
                if let diagnosis = try? decoder.decode(Diagnosis.self, from: row.raw) { inputs.diagnoses.append((projectID, diagnosis)) }
            }
        }
        for row in await rows(store, MirrorQuery(.chatMessages, sort: "id", descending: true, limit: maximumRowsPerList)) {
            if let message = try? decoder.decode(ChatMessage.self, from: row.raw) { inputs.chatMessages.append(message) }
        }
        for row in await rows(store, MirrorQuery(.chatDialogs, sort: "id", descending: true, limit: maximumRowsPerList)) {
            if let dialog = try? decoder.decode(ChatDialog.self, from: row.raw) { inputs.chatDialogs.append(dialog) }
        }
        // Every user shape names its picture `avatars`; reading the field needs no role.
        for row in await rows(store, MirrorQuery(.users, limit: maximumRowsPerList)) where row.id != userID {
            if case .string(let avatar)? = row.raw["avatars"] { inputs.peopleAvatars.append(avatar) }
        }
        if case .string(let avatar)? = (try? await store.row(.users, id: userID))?.raw["avatars"] { inputs.ownAvatar = avatar }
        return inputs
    }

    private static func rows(_ store: MirrorStore, _ query: MirrorQuery) async -> [MirrorRow] {
        (try? await store.query(query))?.rows ?? []
    }
}
