import Foundation
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// How command-line arguments become params: photos (URL passed on, file read into base64 with
/// its content type) and role-dependent fields typed by the endpoint.
@Suite("vdsync argument mapping")
struct ArgumentMappingTests {
    @Test("a local photo becomes {data: base64, content_type, filename}; a URL is passed on as it is")
    func photos() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]
        let path = directory + "/舌苔.PNG"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let value = try PhotoArgument.value(for: path)
        #expect(value == ["data": .string(Data(bytes).base64EncodedString()), "content_type": "image/png", "filename": "舌苔.PNG"])
        #expect(value["data"] == "iVBORw0KGgoA/w==")

        let jpeg = directory + "/x.jpeg"
        _ = FileManager.default.createFile(atPath: jpeg, contents: Data([1, 2, 3]))
        #expect(try PhotoArgument.value(for: jpeg)["content_type"] == "image/jpeg")

        #expect(try PhotoArgument.value(for: "https://cdn.example/p/1.jpg") == "https://cdn.example/p/1.jpg")
        #expect(throws: PhotoArgument.Failure.unsupportedType(path: directory + "/scan.pdf")) { try PhotoArgument.value(for: directory + "/scan.pdf") }
        #expect(throws: PhotoArgument.Failure.unreadable(path: directory + "/missing.jpg")) { try PhotoArgument.value(for: directory + "/missing.jpg") }
    }

    @Test("--set fields are typed by the endpoint: integers, comma lists, strings; unknown fields and passwords are refused")
    func fields() throws {
        let params = try FieldAssignment.params(
            ["real_name=张三", "marital_status=1", "work_photo=https://a/1.jpg, https://a/2.jpg", "addr=a=b"], for: .completeProfile)
        #expect(
            params == [
                "real_name": "张三", "marital_status": 1, "work_photo": ["https://a/1.jpg", "https://a/2.jpg"], "addr": "a=b",
            ])
        #expect(throws: FieldAssignment.Failure.notAnInteger(field: "marital_status")) {
            try FieldAssignment.params(["marital_status=yes"], for: .completeProfile)
        }
        #expect(throws: FieldAssignment.Failure.malformed("real_name")) { try FieldAssignment.params(["real_name"], for: .completeProfile) }
        #expect(throws: FieldAssignment.Failure.reserved("pwd")) { try FieldAssignment.params(["pwd=secret"], for: .createPatient) }
        #expect(throws: (any Error).self) { try FieldAssignment.params(["team_name=x"], for: .createPatient) }
        #expect(!FieldAssignment.fields(of: .createPatient).contains { $0.name == "pwd" })
    }
}
