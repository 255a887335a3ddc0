/// A table of text for a terminal: a header row and aligned columns, widths measured in
/// terminal columns (``DisplayWidth``) so CJK text lines up.
///
/// Guarantees: every rendered line has its cells in the same columns; no cell is wider than
/// ``maxCellWidth`` (longer text is cut with "…"); newlines and tabs inside cells become spaces,
/// so one row is always one line; the last column is not padded (no trailing blanks).
public struct ResultTable: Sendable, Hashable {
    public var headers: [String]
    public var rows: [[String]]
    /// The widest a cell may be, in columns.
    public var maxCellWidth: Int

    public init(headers: [String], rows: [[String]] = [], maxCellWidth: Int = 40) {
        self.headers = headers
        self.rows = rows
        self.maxCellWidth = maxCellWidth
    }

    /// The table as lines of text, header first, each ending in "\n".
    public func render() -> String {
        let cleaned = ([headers] + rows).map { row in
            headers.indices.map { index in
                DisplayWidth.truncate(Self.oneLine(index < row.count ? row[index] : ""), to: maxCellWidth)
            }
        }
        var widths = Array(repeating: 0, count: headers.count)
        for row in cleaned {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        var output = ""
        for row in cleaned {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index > 0 { line += "  " }
                line += index == row.count - 1 ? cell : DisplayWidth.pad(cell, to: widths[index])
            }
            while line.hasSuffix(" ") { line.removeLast() }
            output += line + "\n"
        }
        return output
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
