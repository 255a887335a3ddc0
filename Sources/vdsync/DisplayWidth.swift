/// How many terminal columns a string takes, so that tables of Chinese names and addresses line
/// up: East Asian wide and fullwidth characters take two columns, combining marks and zero-width
/// characters none, everything else one.
///
/// An approximation of `wcwidth` over the ranges that matter for this project's data (CJK,
/// Hangul, Kana, fullwidth forms, emoji); it needs no locale, so output does not depend on the
/// environment.
public enum DisplayWidth {
    /// The columns `text` takes.
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    /// The columns one scalar takes: 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 || zeroWidth(value) { return 0 }
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        return wide(value) ? 2 : 1
    }

    /// `text` cut to at most `columns` columns, ending in "…" when it was cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard of(text) > columns else { return text }
        guard columns > 1 else { return columns == 1 ? "…" : "" }
        var result = ""
        var used = 0
        for character in text {
            let width = of(String(character))
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        return result + "…"
    }

    /// `text` followed by spaces up to `columns` columns.
    public static func pad(_ text: String, to columns: Int) -> String {
        text + String(repeating: " ", count: max(0, columns - of(text)))
    }

    private static func zeroWidth(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value) || (0x200B...0x200F).contains(value) || (0xFE00...0xFE0F).contains(value)
            || (0x20D0...0x20FF).contains(value) || value == 0xFEFF || (0xE0100...0xE01EF).contains(value)
    }

    private static func wide(_ value: UInt32) -> Bool {
        (0x1100...0x115F).contains(value)  // Hangul Jamo
            || (0x2E80...0x303E).contains(value)  // CJK radicals, punctuation
            || (0x3041...0x33FF).contains(value)  // Kana, CJK symbols
            || (0x3400...0x4DBF).contains(value)  // CJK extension A
            || (0x4E00...0x9FFF).contains(value)  // CJK unified ideographs
            || (0xA000...0xA4CF).contains(value)  // Yi
            || (0xAC00...0xD7A3).contains(value)  // Hangul syllables
            || (0xF900...0xFAFF).contains(value)  // CJK compatibility ideographs
            || (0xFE30...0xFE4F).contains(value)  // CJK compatibility forms
            || (0xFF00...0xFF60).contains(value)  // fullwidth forms
            || (0xFFE0...0xFFE6).contains(value)
            || (0x1F300...0x1F64F).contains(value)  // emoji
            || (0x1F900...0x1F9FF).contains(value)
            || (0x20000...0x3FFFD).contains(value)  // CJK extensions B and later
    }
}
