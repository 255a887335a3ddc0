/// The API's timestamps (`yyyy-MM-dd HH:mm:ss`) and times of day (`HH:mm:ss`), which servers of
/// this kind may write without their seconds when those are zero (`2018-03-04 15:33`, `09:00`).
public enum TimeText {
    /// `text` with `:00` appended when it is a time of day or a timestamp written without
    /// seconds; any other text as it is.
    public static func withSeconds(_ text: String) -> String {
        let characters = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            characters[range].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        func clock(at start: Int) -> Bool {
            digits(start..<start + 2) && characters[start + 2] == UInt8(ascii: ":") && digits(start + 3..<start + 5)
        }
        switch characters.count {
        case 5 where clock(at: 0):
            return text + ":00"
        case 16
        where digits(0..<4) && characters[4] == UInt8(ascii: "-") && digits(5..<7) && characters[7] == UInt8(ascii: "-")
            && digits(8..<10) && characters[10] == UInt8(ascii: " ") && clock(at: 11):
            return text + ":00"
        default:
            return text
        }
    }
}
