import Testing

@testable import VolunteerAPI

/// The one list of upload formats: what a declared content type or a file name maps to.
@Suite("Image types")
struct ImageTypeTests {
    @Test("declared types: case and parameters aside, image/jpg taken for JPEG, anything else refused")
    func contentTypes() {
        #expect(ImageType(contentType: "image/png") == .png)
        #expect(ImageType(contentType: "IMAGE/JPEG; charset=binary") == .jpeg)
        #expect(ImageType(contentType: "image/jpg") == .jpeg)
        #expect(ImageType(contentType: "image/svg+xml") == nil)
        #expect(ImageType(contentType: "") == nil)
        #expect(ImageType.contentTypes == ["image/jpeg", "image/png", "image/gif", "image/webp"])
    }

    @Test("file extensions: jpg and jpeg are JPEG, whatever their case; a stored file gets the first")
    func fileExtensions() {
        #expect(ImageType(fileExtension: "JPEG") == .jpeg)
        #expect(ImageType(fileExtension: "jpg") == .jpeg)
        #expect(ImageType(fileExtension: "WebP") == .webp)
        #expect(ImageType(fileExtension: "heic") == nil)
        #expect(ImageType.jpeg.fileExtension == "jpg")
    }
}
