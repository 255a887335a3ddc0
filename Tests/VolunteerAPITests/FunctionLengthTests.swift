import Foundation
import Testing

/// No function under `Sources/` runs past 80 lines unless a comment just above it says why
/// ("Long because ..."): a long function is usually two jobs, and the map should show them.
@Suite("Functions are short, or say why not")
struct FunctionLengthTests {
    static let limit = 80

    /// A function, initializer, subscript or computed property of more than `limit` lines.
    struct LongFunction: CustomStringConvertible {
        let file: String
        let line: Int
        let lines: Int
        let declaration: String
        let saysWhy: Bool

        var description: String { "\(file):\(line) \(declaration) (\(lines) lines)" }
    }

    /// One line with string literals and comments removed, so that only code braces count.
    /// `inString` carries a multi-line (`"""`) literal over from the lines before.
    static func code(_ line: String, inString: inout Bool) -> String {
        var out = ""
        var index = line.startIndex
        while index < line.endIndex {
            let rest = line[index...]
            if inString {
                guard let end = rest.range(of: "\"\"\"") else { return out }
                inString = false
                index = end.upperBound
                continue
            }
            if rest.hasPrefix("//") { break }
            if rest.hasPrefix("\"\"\"") {
                inString = true
                index = line.index(index, offsetBy: 3)
                continue
            }
            if line[index] == "\"" {
                // A one-line literal: skip to its closing quote, stepping over escapes.
                var scan = line.index(after: index)
                while scan < line.endIndex, line[scan] != "\"" {
                    scan = line[scan] == "\\" ? line.index(scan, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex : line.index(after: scan)
                }
                index = scan < line.endIndex ? line.index(after: scan) : scan
                continue
            }
            out.append(line[index])
            index = line.index(after: index)
        }
        return out
    }

    static let declaration = try! NSRegularExpression(
        pattern:
            #"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|convenience|required|class)\s+)*(func\s+\w+|init[?!]?\s*[<(]|subscript\s*[<(]|(?:var|let)\s+\w+\s*:[^=]*\{\s*$)"#
    )

    /// The long functions of one file's text.
    static func longFunctions(in text: String, file: String) -> [LongFunction] {
        let lines = text.components(separatedBy: "\n")
        var inString = false
        let code = lines.map { Self.code($0, inString: &inString) }
        var found: [LongFunction] = []
        for (start, line) in code.enumerated() {
            guard let match = declaration.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                let range = Range(match.range(at: 1), in: line)
            else { continue }
            var depth = 0
            var opened = false
            var end = start
            scan: while end < code.count {
                for character in code[end] {
                    if character == "{" {
                        depth += 1
                        opened = true
                    } else if character == "}" {
                        depth -= 1
                    }
                }
                if opened, depth <= 0 { break scan }
                // A declaration without a body (a protocol requirement) opens nothing nearby.
                if !opened, end > start + 8 { break scan }
                end += 1
            }
            guard opened, end - start + 1 > limit else { continue }
            var saysWhy = false
            var above = start - 1
            while above >= 0 {
                let trimmed = lines[above].trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("//") || trimmed.hasPrefix("@") else { break }
                if trimmed.lowercased().contains("long because") { saysWhy = true }
                above -= 1
            }
            found.append(
                LongFunction(
                    file: file, line: start + 1, lines: end - start + 1, declaration: String(line[range]).trimmingCharacters(in: .whitespaces), saysWhy: saysWhy
                ))
        }
        return found
    }

    @Test("the scanner measures a function from its declaration to its closing brace, strings and comments aside")
    func scannerMeasures() {
        let body = (0..<85).map { "    let x\($0) = \"}\" // }" }.joined(separator: "\n")
        let text = "struct S {\n    func long() {\n\(body)\n    }\n\n    func short() { }\n}\n"
        let found = Self.longFunctions(in: text, file: "S.swift")
        #expect(found.map(\.declaration) == ["func long"])
        #expect(found.first?.lines == 87)
        #expect(found.first?.saysWhy == false)
        let explained = Self.longFunctions(
            in: text.replacingOccurrences(of: "    func long", with: "    // Long because it is a table.\n    func long"), file: "S.swift")
        #expect(explained.first?.saysWhy == true)
        let multiline = "func f() {\n    let s = \"\"\"\n    }\n    \"\"\"\n" + body + "\n}\n"
        #expect(Self.longFunctions(in: multiline, file: "M.swift").first?.lines == 90)
    }

    @Test("no function in Sources/ is longer than 80 lines without a comment that says why")
    func noUnexplainedLongFunction() throws {
        let files = ArchitectureMapTests.sourceFiles()
        #expect(files.count > 200, "the sources were found")
        var long: [LongFunction] = []
        for file in files {
            let text = try String(contentsOf: ArchitectureMapTests.root.appendingPathComponent(file), encoding: .utf8)
            long += Self.longFunctions(in: text, file: file)
        }
        let unexplained = long.filter { !$0.saysWhy }
        #expect(
            unexplained.isEmpty,
            """
            functions longer than \(Self.limit) lines: split them, or say why in a comment just above ("// Long because ..."):
            \(unexplained.map(\.description).joined(separator: "\n"))
            """)
    }
}
