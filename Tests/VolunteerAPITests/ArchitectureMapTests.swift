import Foundation
import Testing

/// `docs/ARCHITECTURE.md` is the map of the tree: every source file is named in its module's
/// listing, every module has a row in the Modules table, and every `.swift` file the page names
/// exists. These tests fail, naming what is missing, when the code moves and the page does not.
@Suite("The architecture page names the tree")
struct ArchitectureMapTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sources = root.appendingPathComponent("Sources")
    static let page = root.appendingPathComponent("docs/ARCHITECTURE.md")

    /// Every `.swift` file under `Sources/`, as its path from the repository root
    /// (`Sources/LocalRPC/LineFramer.swift`), sorted.
    static func sourceFiles() -> [String] {
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let prefix = root.standardizedFileURL.path + "/"
        return files.filter { $0.pathExtension == "swift" }.map { String($0.standardizedFileURL.path.dropFirst(prefix.count)) }.sorted()
    }

    /// The modules: the directories directly under `Sources/`, as SwiftPM finds its targets.
    static func modules() throws -> [String] {
        try FileManager.default.contentsOfDirectory(at: sources, includingPropertiesForKeys: [.isDirectoryKey]).filter {
            try $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true
        }.map(\.lastPathComponent).sorted()
    }

    /// The page's fenced blocks (between lines starting with ```), each as one text.
    static func fencedBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                if let open = current {
                    blocks.append(open.joined(separator: "\n"))
                    current = nil
                } else {
                    current = []
                }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Whether `text` names `name` as a whole word: `LineFramer` in `LineFramer.swift` or
    /// `Faults/LineFramer`, but not `ReadBack` in `Mutation+ReadBack.swift` nor `Call` in `CallTests`.
    static func names(_ text: String, _ name: String) -> Bool {
        let word = "[A-Za-z0-9_+]"
        let pattern = "(?<!\(word))" + NSRegularExpression.escapedPattern(for: name) + "(?!\(word))"
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The first cells of the rows of the table under `## Modules`.
    static func moduleTableCells(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let heading = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "## Modules" }) else { return [] }
        let rows = lines[(heading + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        return rows.dropFirst(2).compactMap { $0.split(separator: "|", omittingEmptySubsequences: false).dropFirst().first.map(String.init) }
    }

    @Test("the whole-word match finds a file's name and not a longer name containing it")
    func wordMatch() {
        #expect(Self.names("  LineFramer.swift   the framing", "LineFramer"))
        #expect(Self.names("Database/ReferenceDatabase.swift", "ReferenceDatabase"))
        #expect(Self.names("Mutation+ReadBack.swift", "Mutation+ReadBack"))
        #expect(!Self.names("Mutation+ReadBack.swift", "ReadBack"))
        #expect(!Self.names("Mutation+ReadBack.swift", "Mutation"))
        #expect(!Self.names("CallTests.swift", "Call"))
    }

    @Test("every source file is named in a listing of its module's folder")
    func everySourceFileNamed() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let blocks = Self.fencedBlocks(text)
        let files = Self.sourceFiles()
        #expect(files.count > 200, "the sources were found: \(files.count) files under \(Self.sources.path)")
        #expect(blocks.count > 5, "the page's listings were found")
        var missing: [String] = []
        for file in files {
            let parts = file.split(separator: "/")
            guard parts.count >= 3 else { continue }
            let folder = "Sources/\(parts[1])/"
            let name = String((parts.last ?? "").dropLast(".swift".count))
            let listed = blocks.contains { $0.contains(folder) && Self.names($0, name) }
            guard !listed else { continue }
            let elsewhere = Self.names(text, name) ? " (the name appears, but not in a listing of \(folder))" : ""
            missing.append(file + elsewhere)
        }
        #expect(
            missing.isEmpty,
            """
            docs/ARCHITECTURE.md does not name \(missing.count) source files in a fenced listing of their module's folder \
            (a block naming `Sources/<Module>/`); add a line for each, by its file name:
            \(missing.joined(separator: "\n"))
            """)
    }

    @Test("every module has a row in the Modules table")
    func everyModuleInTable() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let cells = Self.moduleTableCells(text)
        let modules = try Self.modules()
        #expect(modules.count > 10, "the modules were found: \(modules)")
        #expect(cells.count > 5, "the Modules table was found: \(cells.count) rows")
        let missing = modules.filter { module in !cells.contains { $0.contains("`\(module)`") } }
        #expect(missing.isEmpty, "modules without a row (`Module` in the first cell) in the Modules table of docs/ARCHITECTURE.md: \(missing)")
    }

    @Test("every .swift file the page names exists")
    func everyNamedFileExists() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let regex = try NSRegularExpression(pattern: #"(?<![A-Za-z0-9_+])[A-Za-z0-9_+]+\.swift(?![A-Za-z0-9_])"#)
        let named = Set(
            regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
                Range(match.range, in: text).map { String(text[$0]) }
            })
        let tests = Self.root.appendingPathComponent("Tests")
        var existing: Set<String> = ["Package.swift"]
        for directory in [Self.sources, tests] {
            let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            existing.formUnion(files.map(\.lastPathComponent))
        }
        #expect(named.count > 100, "the page's file names were found: \(named.count)")
        let stale = named.subtracting(existing).sorted()
        #expect(stale.isEmpty, "docs/ARCHITECTURE.md names files that exist nowhere under Sources/ or Tests/: \(stale)")
    }

    /// The package's own modules each library and program target depends on, as `Package.swift`
    /// declares them (products of other packages left out), by target name.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try NSRegularExpression(
            pattern: #"\.(target|executableTarget)\(\s*name: "([^"]+)"(?:,\s*dependencies: \[(.*?)\]\s*,\s*(?:resources|swiftSettings|exclude|path))?"#,
            options: .dotMatchesLineSeparators)
        let product = try NSRegularExpression(pattern: #"\.product\([^)]*\)"#)
        let quoted = try NSRegularExpression(pattern: #""([^"]+)""#)
        var result: [String: Set<String>] = [:]
        for match in target.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)) {
            guard let name = Range(match.range(at: 2), in: manifest).map({ String(manifest[$0]) }) else { continue }
            var list = Range(match.range(at: 3), in: manifest).map { String(manifest[$0]) } ?? ""
            list = product.stringByReplacingMatches(in: list, range: NSRange(list.startIndex..., in: list), withTemplate: "")
            result[name] = Set(
                quoted.matches(in: list, range: NSRange(list.startIndex..., in: list)).compactMap { found in
                    Range(found.range(at: 1), in: list).map { String(list[$0]) }
                })
        }
        return result
    }

    /// The rows of the table under `## Dependencies`: target → the modules in its second cell.
    static func dependencyTable(_ text: String) -> [String: Set<String>] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let heading = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "## Dependencies" }) else { return [:] }
        let rows = lines[(heading + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        var table: [String: Set<String>] = [:]
        for row in rows {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let names = { (cell: String) in
                Set(cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
            }
            guard let target = names(cells[0]).first else { continue }
            table[target] = names(cells[1])
        }
        return table
    }

    @Test("the Dependencies table is what Package.swift declares")
    func dependenciesMatchManifest() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let declared = try Self.declaredDependencies()
        let documented = Self.dependencyTable(text)
        #expect(declared.count > 10, "Package.swift's targets were found: \(declared.keys.sorted())")
        #expect(declared["SocketClient"] == ["LocalRPC", "VolunteerAPI"], "the manifest is read as written")
        var wrong: [String] = []
        for (target, modules) in declared.sorted(by: { $0.key < $1.key }) where documented[target] != modules {
            wrong.append("\(target): Package.swift says \(modules.sorted()), the page says \(documented[target].map { $0.sorted().description } ?? "nothing")")
        }
        for target in documented.keys where declared[target] == nil { wrong.append("\(target): not a target of Package.swift") }
        #expect(wrong.isEmpty, "the Dependencies table of docs/ARCHITECTURE.md differs from Package.swift:\n\(wrong.joined(separator: "\n"))")
    }
}
