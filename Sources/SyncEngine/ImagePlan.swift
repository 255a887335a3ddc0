import Foundation
import VolunteerAPI

/// Which pictures the image cache should hold, and in what order: those of the records the
/// role is working with. A value computed from mirror records (``Inputs``), tested without
/// sockets or files; ``ImageFetcher`` reads the inputs from the mirror and carries the plan out.
///
/// What is wanted, by ``Priority``:
/// - `today`: casebook photos (`casebook_info.photo`) and result photos (`diag_photo`) of the
///   bookings of projects dated today;
/// - `current`: the avatars of today's patients, the photos of chat messages, and the
///   logged-in user's own avatar;
/// - `upcoming`: casebook and result photos of bookings of later projects;
/// - `people`: the avatars of upcoming patients, of the people in chat dialogs and messages,
///   and of the people the account follows or works with (the mirrored users).
///
/// Bookings of past projects are not wanted (their pictures leave the cache in their turn).
/// A URL wanted for several reasons gets the highest priority among them; URLs that are empty,
/// not `http(s)` or longer than ``maximumURLLength`` are left out, and the plan holds at most
/// ``maximumWants`` pictures, the highest priorities first.
public enum ImagePlan {
    /// How soon a picture is wanted; higher first. A front end asking for one over the socket
    /// (`images.get`) outranks every plan.
    public enum Priority: Int, Sendable, Comparable, CaseIterable {
        case people = 10
        case upcoming = 20
        case current = 30
        case today = 40
        case requested = 50

        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One wanted picture.
    public struct Want: Sendable, Hashable {
        public var url: String
        public var priority: Priority

        public init(url: String, priority: Priority) {
            self.url = url
            self.priority = priority
        }
    }

    /// The records the plan is made from, as the mirror holds them.
    public struct Inputs: Sendable {
        /// `yyyy-MM-dd` in the API's time zone.
        public var today: String
        /// Projects by id: their date (`yyyy-MM-dd`).
        public var projectDates: [Int: String] = [:]
        /// Bookings with the project they belong to, when known.
        public var diagnoses: [(projectID: Int?, diagnosis: Diagnosis)] = []
        public var chatMessages: [ChatMessage] = []
        public var chatDialogs: [ChatDialog] = []
        /// The avatars of the mirrored users (follows, assistants, patients).
        public var peopleAvatars: [String?] = []
        /// The logged-in user's own avatar.
        public var ownAvatar: String?

        public init(today: String) {
            self.today = today
        }
    }

    public static let maximumWants = 2000
    public static let maximumURLLength = 2048

    /// The pictures wanted, highest priority first (then by URL, so the plan is stable).
    public static func wants(_ inputs: Inputs) -> [Want] {
        var best: [String: Priority] = [:]
        func want(_ url: String?, _ priority: Priority) {
            guard let url = url.flatMap(usableURL) else { return }
            best[url] = max(best[url] ?? priority, priority)
        }
        for (projectID, diagnosis) in inputs.diagnoses {
            guard let projectID, let date = inputs.projectDates[projectID], date >= inputs.today else { continue }
            let isToday = date == inputs.today
            for photo in (diagnosis.casebook?.photos ?? []) + diagnosis.resultPhotos { want(photo, isToday ? .today : .upcoming) }
            want(diagnosis.patient?.avatars, isToday ? .current : .people)
        }
        for message in inputs.chatMessages {
            for photo in message.photos { want(photo, .current) }
            want(message.fromUser?.avatars, .people)
            want(message.toUser?.avatars, .people)
        }
        for dialog in inputs.chatDialogs {
            want(dialog.patientUser?.avatars, .people)
            want(dialog.doctorUser?.avatars, .people)
            for photo in dialog.lastMessage?.photos ?? [] { want(photo, .current) }
        }
        for avatar in inputs.peopleAvatars { want(avatar, .people) }
        want(inputs.ownAvatar, .current)
        let sorted = best.map { Want(url: $0.key, priority: $0.value) }.sorted {
            $0.priority != $1.priority ? $0.priority > $1.priority : $0.url < $1.url
        }
        return Array(sorted.prefix(maximumWants))
    }

    /// `text` trimmed when it is an absolute `http(s)` URL with a host, short enough to keep; nil otherwise.
    public static func usableURL(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maximumURLLength else { return nil }
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        guard let url = URL(string: trimmed), url.host(percentEncoded: false)?.isEmpty == false else { return nil }
        return trimmed
    }
}
