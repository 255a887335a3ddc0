import Foundation
import Testing
import VolunteerAPI

@testable import SyncEngine

/// The planner's choices, as values: which pictures of which records, in which order.
@Suite("Image plan")
struct ImagePlanTests {
    static let cdn = "https://oss.example.com/"

    static func diagnosis(_ id: Int, casebook: [String] = [], result: [String] = [], avatar: String? = nil) -> Diagnosis {
        Diagnosis(id: id, resultPhotos: result, patient: Patient(id: 100 + id, avatars: avatar), casebook: Casebook(id: id, photos: casebook))
    }

    static func inputs() -> ImagePlan.Inputs {
        var inputs = ImagePlan.Inputs(today: "2026-12-07")
        inputs.projectDates = [1: "2026-12-06", 2: "2026-12-07", 3: "2026-12-09"]
        inputs.diagnoses = [
            (1, diagnosis(1, casebook: [cdn + "past-case.jpg"], result: [cdn + "past-result.jpg"], avatar: cdn + "past-patient.jpg")),
            (2, diagnosis(2, casebook: [cdn + "today-case.jpg"], result: [cdn + "today-result.jpg"], avatar: cdn + "today-patient.jpg")),
            (3, diagnosis(3, casebook: [cdn + "later-case.jpg"], avatar: cdn + "later-patient.jpg")),
            (nil, diagnosis(4, casebook: [cdn + "unknown-project.jpg"])),
        ]
        inputs.chatMessages = [
            ChatMessage(id: 9, photos: [cdn + "chat.jpg"], fromUser: UserSummary(id: 5, avatars: cdn + "sender.jpg"))
        ]
        inputs.peopleAvatars = [cdn + "follow.jpg", nil, ""]
        inputs.ownAvatar = cdn + "me.jpg"
        return inputs
    }

    @Test("today's booking photos first; then today's patients, chat photos and one's own avatar; then later bookings; then people")
    func priorities() {
        let wants = ImagePlan.wants(Self.inputs())
        let byURL = Dictionary(uniqueKeysWithValues: wants.map { ($0.url.replacingOccurrences(of: Self.cdn, with: ""), $0.priority) })
        #expect(
            byURL == [
                "today-case.jpg": .today, "today-result.jpg": .today,
                "today-patient.jpg": .current, "chat.jpg": .current, "me.jpg": .current,
                "later-case.jpg": .upcoming,
                "later-patient.jpg": .people, "sender.jpg": .people, "follow.jpg": .people,
            ])
        #expect(wants.map(\.priority) == wants.map(\.priority).sorted(by: >), "highest priority first")
    }

    @Test("past projects' and unknown projects' photos are not wanted")
    func pastLeftOut() {
        let urls = Set(ImagePlan.wants(Self.inputs()).map(\.url))
        for left in ["past-case.jpg", "past-result.jpg", "past-patient.jpg", "unknown-project.jpg"] {
            #expect(!urls.contains(Self.cdn + left), "\(left)")
        }
    }

    @Test("a picture wanted twice keeps its highest priority, once")
    func duplicates() {
        var inputs = Self.inputs()
        inputs.peopleAvatars.append(Self.cdn + "today-case.jpg")
        inputs.ownAvatar = Self.cdn + "later-case.jpg"
        let wants = ImagePlan.wants(inputs)
        #expect(wants.filter { $0.url == Self.cdn + "today-case.jpg" }.map(\.priority) == [.today])
        #expect(wants.filter { $0.url == Self.cdn + "later-case.jpg" }.map(\.priority) == [.current])
    }

    @Test("only absolute http(s) URLs with a host, of a bounded length, are planned")
    func unusableURLs() {
        var inputs = ImagePlan.Inputs(today: "2026-12-07")
        inputs.peopleAvatars = [
            "ftp://oss.example.com/a.jpg", "/uploads/relative.jpg", "file:///etc/passwd", "http://",
            "https://oss.example.com/"
                + String(repeating: "a", count: 3000), "  https://oss.example.com/trimmed.jpg ", "HTTP://OSS.example.com/upper.jpg",
        ]
        #expect(Set(ImagePlan.wants(inputs).map(\.url)) == ["https://oss.example.com/trimmed.jpg", "HTTP://OSS.example.com/upper.jpg"])
    }

    @Test("the plan is bounded")
    func bounded() {
        var inputs = ImagePlan.Inputs(today: "2026-12-07")
        inputs.peopleAvatars = (0..<(ImagePlan.maximumWants + 50)).map { Self.cdn + "p\($0).jpg" }
        inputs.ownAvatar = Self.cdn + "me.jpg"
        let wants = ImagePlan.wants(inputs)
        #expect(wants.count == ImagePlan.maximumWants)
        #expect(wants.first?.url == Self.cdn + "me.jpg", "the highest priority survives the bound")
    }

    @Test("a failed download waits longer each time, a refusal longer still, never past the cap")
    func backoff() {
        let configuration = ImageFetcher.Configuration(directory: URL(fileURLWithPath: "/nonexistent"))
        let delays = (1...12).map { ImageFetcher.retryDelay(attempts: $0, refused: false, configuration: configuration) }
        #expect(delays.prefix(3) == [.seconds(30), .seconds(60), .seconds(120)])
        #expect(delays.last == configuration.retryCap)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(ImageFetcher.retryDelay(attempts: 1, refused: true, configuration: configuration) == .seconds(3600))
        #expect(ImageFetcher.retryDelay(attempts: 40, refused: true, configuration: configuration) == configuration.retryCap)
    }
}
