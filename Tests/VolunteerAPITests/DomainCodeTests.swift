import Foundation
import Testing

@testable import VolunteerAPI

/// The API's numeric codes have names in `VolunteerAPI/Codes` (and `UserRole`); nothing outside
/// `VolunteerAPI` compares or writes them as bare numbers, in Swift or in SQL.
@Suite("Named domain codes")
struct DomainCodeTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// A bare code: `status = 1`, `verify_status IN (2, 3)`, `(row["status"] as Int) == 3`,
    /// `"verify_status": 2`, `isJoined == 1`, `type = 2`.
    static let bareCode = try! NSRegularExpression(
        pattern:
            #"\b(status|verify_status|refund_status|progress_status|project_status|is_join|type|verifyStatus|refundStatus|progressStatus|projectStatus|isJoined)\s*(=|==|!=|<>)\s*[0-9]"#
            + #"|\b(status|verify_status|refund_status|progress_status|type)\s+IN\s*\(\s*[0-9]"#
            + #"|\["(verify_status|status|refund_status|type|project_status|is_join)"\]( as Int\??)?\)?\s*(==|!=)\s*[0-9]"#
            + #"|"(status|verify_status|refund_status|progress_status|project_status|is_join)"\s*:\s*[0-9]"#)

    static func matches(_ line: String) -> Bool {
        bareCode.firstMatch(in: line, range: NSRange(location: 0, length: (line as NSString).length)) != nil
    }

    @Test("the pattern finds the forms a bare code takes, and not their named forms")
    func pattern() {
        for bare in [
            #"WHERE status = 1 AND"#, #"verify_status IN (2, 3)"#, #"(row["status"] as Int) == 3"#, #"["verify_status": 2]"#,
            "$0.isJoined == 1", "user.type = 2",
        ] {
            #expect(Self.matches(bare), "\(bare)")
        }
        for named in [#"status = \(VisitStatus.seen.rawValue)"#, "$0.bookingStatus == .rejected", #"status = ?"#, "httpStatus == 502"] {
            #expect(!Self.matches(named), "\(named)")
        }
    }

    @Test("no module but VolunteerAPI spells a code as a bare number")
    func noBareCodes() throws {
        var found: [String] = []
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let swift = files.filter { $0.pathExtension == "swift" && !$0.path.contains("/Sources/VolunteerAPI/") }
        #expect(swift.count > 100, "the sources were found")
        for file in swift {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = String(line)
                guard !code.trimmingCharacters(in: .whitespaces).hasPrefix("//"), Self.matches(code) else { continue }
                found.append("\(file.lastPathComponent):\(number + 1): \(code.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.isEmpty, "bare codes: \(found.joined(separator: "\n"))")
    }
}
