import Foundation
import GRDB
import MirrorStore
import VolunteerAPI

/// Fills a stopped daemon's mirror with synthetic diagnoses, for the RSS target "with 100,000
/// diagnoses mirrored", which no single account of a scale world reaches (a patient sees its own
/// few bookings). Each is a copy of a real mirrored diagnosis under a new id, written through
/// `MirrorStore.write` like a pulled page, into a list of its own that no pull plan touches, so
/// the restarted daemon keeps them.
enum SyntheticDiagnoses {
    static let list = "bench:synthetic-diagnoses"
    static let firstID = 50_000_000

    /// Adds `count` diagnoses to the mirror at `path`; returns how many diagnoses it then holds.
    static func add(_ count: Int, to path: String) async throws -> Int {
        let template = try template(in: path)
        let store = try MirrorStore(path: path)
        defer { try? store.close() }
        var written = 0
        while written < count {
            let batch = (written..<min(count, written + 2_000)).map { index in
                let id = firstID + index
                // Each its own patient's name and phone, so that search (part 6) has text to find.
                let patient: JSONValue = ["real_name": .string(name(index)), "phone": .string(phone(index))]
                let raw = MergePatch.apply(["id": .integer(id), "sn": .string("S\(id)"), "user_info": patient], to: template)
                return MirroredRecord.decoding(.diagnoses, id: id, raw: raw, context: [:])
            }
            _ = try await store.write(batch, list: list, offset: written)
            written += batch.count
        }
        return try await store.query(MirrorQuery(.diagnoses, limit: 1)).total
    }

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    static let givenNames = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玲飞鹏辉燕")

    /// The patient's name of the `index`th synthetic diagnosis: 18,000 three-character names,
    /// each shared by about six of 100,000 diagnoses.
    static func name(_ index: Int) -> String {
        let given = givenNames.count
        return String([surnames[index % surnames.count], givenNames[(index / surnames.count) % given], givenNames[(index / surnames.count / given) % given]])
    }

    /// Its patient's phone: 139 and eight digits, so that its last four are shared by one
    /// diagnosis in 10,000.
    static func phone(_ index: Int) -> String {
        "139" + String(format: "%08d", index)
    }

    /// A diagnosis the mirror holds, or one of the world's when the account has none yet.
    private static func template(in path: String) throws -> JSONValue {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let text = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT raw FROM \(MirrorCollection.diagnoses.table.quotedDatabaseIdentifier) LIMIT 1")
        }
        guard let text else { throw BenchError("the mirror holds no diagnosis to copy") }
        return try JSONValue.parse(text)
    }
}
