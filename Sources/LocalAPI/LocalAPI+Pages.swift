import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    /// Home pages and personal centres kept whole, banners, special projects, regions, one news item.
    func pageReads() -> [RPCMethod] {
        [
            page("home.get", "The role's home page as the server composed it (/doctor/index, /custom/homepage, /assistant/homepage).", .home),
            page("center.get", "The patient's or assistant's personal centre: profile and unread message count.", .center),
            list("banners.list", "The home page's banners, in their order.", .banners, params: []) { _ in MirrorQuery(.banners) },
            list("special_projects.list", "Special (themed) projects, by date.", .specialProjects, params: []) { _ in
                MirrorQuery(.specialProjects, sort: "date", descending: true)
            },
            list(
                "cities.list", "Regions under a parent, in the server's order: provinces (parent_id 0), their cities, the cities' counties.",
                .cities, params: [.optional("parent_id", RPCSchema.integer(description: "default 0: the provinces"))]
            ) { params in
                MirrorQuery(.cities, filters: [.init("parent_id", .equal, .integer(try params.optionalInt("parent_id") ?? 0))], sort: "sort")
            },
            get("news.get", "One news item, content included.", .news, id: "news_id"),
        ]
    }

    /// A method reading one composite page.
    private func page(_ name: String, _ summary: String, _ page: MirrorPage) -> RPCMethod {
        RPCMethod(name, summary: summary, access: .read, result: .init("item", Self.itemSchema)) { _, request in
            try requireSession()
            guard let row = try await store.row(.pages, id: page.rawValue) else { throw RPCError.notFound("the \(page) page") }
            return Self.item(row, request)
        }
    }
}
