import Testing
import VolunteerAPI

@testable import SyncEngine

/// The read-back's comparisons of what the server shows (in canonical form) with what was
/// sent: values, not forms. A comparison that missed a sent value would take an applied entry
/// for an absent one, and send it again.
@Suite("Outbox: read-back compares values")
struct ReadBackComparisonTests {
    @Test("a profile field: numbers and their text are the same, no value and \"\" are the same, other values differ")
    func profileFields() {
        #expect(Mutation.same(.integer(172), .string("172")))
        #expect(Mutation.same(.string("172"), .integer(172)))
        #expect(Mutation.same(.null, .string("")))
        #expect(Mutation.same(nil, .string("")))
        #expect(Mutation.same(.string("a@b.cn"), .string("a@b.cn")))
        #expect(!Mutation.same(.null, .string("a@b.cn")))
        #expect(!Mutation.same(.string("171"), .integer(172)))
        #expect(!Mutation.same(.array(["x"]), .array(["y"])))
    }

    @Test("text: none and \"\" are the same; times: with or without zero seconds are the same, other seconds are not")
    func textAndTimes() {
        #expect(Mutation.sameText(nil, ""))
        #expect(Mutation.sameText("", nil))
        #expect(Mutation.sameText("亲切", "亲切"))
        #expect(!Mutation.sameText(nil, "亲切"))
        #expect(Mutation.sameTime("09:00:00", "09:00"))
        #expect(Mutation.sameTime("09:00", "09:00:00"))
        #expect(!Mutation.sameTime("09:00:30", "09:00"))
        #expect(!Mutation.sameTime("09:30:00", "09:00:00"))
    }
}
