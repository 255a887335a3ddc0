import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    func imageMethods() -> [RPCMethod] {
        [imagesGetMethod()]
    }

    /// `images.get`: a picture from the cache, or word that it is not there yet (with its URL,
    /// for a front end that is online and may fetch it itself). Asking makes it wanted before
    /// every planned picture, so it arrives soon when the link is up.
    private func imagesGetMethod() -> RPCMethod {
        RPCMethod(
            "images.get",
            summary:
                "A picture a record names (casebook, result and chat photos, avatars): its bytes when cached, else {cached: false, url}; asking fetches it soon.",
            access: .read,
            params: [.required("url", RPCSchema.string(description: "the http(s) URL as a record names it"))],
            result: .init(
                "image",
                RPCSchema.object(
                    [
                        "cached": RPCSchema.boolean(),
                        "content_type": RPCSchema.string(description: "image/jpeg, image/png, ... (when cached)"),
                        "bytes_base64": RPCSchema.string(description: "the picture, base64 (when cached)"),
                        "size": RPCSchema.integer(description: "bytes of the picture (when cached)"),
                        "url": RPCSchema.string(description: "the URL asked for (when not cached)"),
                    ], required: ["cached"]))
        ) { params, _ in
            let url = try Self.imageURL(params)
            try requireSession()
            guard let images = agent.images else { return ["cached": false, "url": .string(url)] }
            if let picture = try await images.cached(url) {
                return [
                    "cached": true, "content_type": .string(picture.contentType), "bytes_base64": .string(picture.bytes.base64EncodedString()),
                    "size": .integer(picture.bytes.count),
                ]
            }
            try await images.request(url)
            return ["cached": false, "url": .string(url)]
        }
    }

    /// The `url` parameter: an absolute http(s) URL with a host, at most 2048 bytes.
    static func imageURL(_ params: RPCParams) throws(RPCError) -> String {
        let given = try params.requiredString("url")
        guard !given.trimmingCharacters(in: .whitespaces).isEmpty else { throw RPCError.invalidParams(field: "url", problem: "must not be empty") }
        guard given.utf8.count <= ImagePlan.maximumURLLength else {
            throw RPCError.invalidParams(field: "url", problem: "must be at most \(ImagePlan.maximumURLLength) bytes")
        }
        guard let url = ImagePlan.usableURL(given) else { throw RPCError.invalidParams(field: "url", problem: "must be an absolute http or https URL") }
        return url
    }

    /// What `status` shows of the image cache.
    static func imageCacheStatus(_ status: SyncAgent.Status) -> JSONValue {
        [
            "files": .integer(status.imageCache.files), "bytes": .integer(status.imageCache.bytes), "cap": .integer(status.imageCacheCap),
            "waiting": .integer(status.imageCache.waiting), "failed": .integer(status.imageCache.failed),
        ]
    }
}
