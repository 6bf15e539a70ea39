import Foundation

/// A calendar day as days since 1970-01-01 (proleptic Gregorian), with the civil-date arithmetic
/// retention and age rules need.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var number: Int

    public init(number: Int) { self.number = number }

    /// Today in UTC.
    public static func today() -> Day { Day(number: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))) }

    /// nil when the date does not exist (2025-02-29, 2026-13-01).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(year: year, month: month), (1000...9999).contains(year) else { return nil }
        number = Day.number(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date, unchecked (Howard Hinnant's
    /// `days_from_civil`).
    static func number(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var civil: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Moves back by a period: years and months first (the day clamped to the month's length, so
    /// 2024-02-29 minus one year is 2023-02-28), then days.
    public func minus(_ period: PolicyDuration) -> Day {
        let (y, m, d) = civil
        let months = (y * 12 + (m - 1)) - (period.years * 12 + period.months)
        let year = months / 12, month = months % 12 + 1
        let day = min(d, Day.daysIn(year: year, month: month))
        let moved = Day(year: year, month: month, day: day) ?? self
        return Day(number: moved.number - period.days)
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }

    public var description: String {
        let (y, m, d) = civil
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// A date at the start of a cell: `2024-02-29`, `2024-02-29 10:00:00`, `2024-02-29T…`,
    /// `1962/2/18`, `29/02/2024` or `29.02.2024` (day first, as French exports write it).
    public static func parse(_ cell: UnsafeBufferPointer<UInt8>) -> Day? {
        var numbers: [Int] = []
        var separators: [UInt8] = []
        var current = -1
        var digits = 0
        for b in cell.prefix(19) {
            if b >= 0x30 && b <= 0x39 {
                current = (current < 0 ? 0 : current) * 10 + Int(b - 0x30)
                digits += 1
                if digits > 4 { return nil }
            } else {
                guard current >= 0 else { return nil }
                numbers.append(current)
                current = -1
                digits = 0
                if numbers.count == 3 { break }
                guard b == 0x2D || b == 0x2F || b == 0x2E else { return nil }
                separators.append(b)
            }
        }
        if current >= 0 && numbers.count < 3 { numbers.append(current) }
        guard numbers.count == 3, separators.count == 2, separators[0] == separators[1] else { return nil }
        if numbers[0] >= 1000 { return Day(year: numbers[0], month: numbers[1], day: numbers[2]) }
        if numbers[2] >= 1000 { return Day(year: numbers[2], month: numbers[1], day: numbers[0]) }
        return nil
    }
}

/// The dates of one column, by day: enough to answer "how many records are older than X" for
/// any X chosen after the scan, with one example row per day, in memory bounded by the number of
/// distinct days (a century is 36,525).
public struct DateHistogram: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var count: Int
        /// The first record seen on that day: its row (SQL, SQLite, sheet) and line.
        public var row: Int
        public var line: Int
    }

    public private(set) var days: [Int: Entry] = [:]
    /// Cells of the column that are not dates.
    public var unparsed = 0

    public init() {}

    public mutating func add(_ day: Day, row: Int, line: Int) {
        if var e = days[day.number] {
            e.count += 1
            days[day.number] = e
        } else {
            days[day.number] = Entry(count: 1, row: row, line: line)
        }
    }

    public var total: Int { days.values.reduce(0) { $0 + $1.count } }

    /// Records strictly before `day`, the oldest of them and its entry.
    public func before(_ day: Day) -> (count: Int, oldest: Day, example: Entry)? {
        let older = days.filter { $0.key < day.number }
        guard let oldest = older.keys.min(), let entry = older[oldest] else { return nil }
        return (older.values.reduce(0) { $0 + $1.count }, Day(number: oldest), entry)
    }

    /// Records strictly after `day`, the latest of them and its entry.
    public func after(_ day: Day) -> (count: Int, latest: Day, example: Entry)? {
        let newer = days.filter { $0.key > day.number }
        guard let latest = newer.keys.max(), let entry = newer[latest] else { return nil }
        return (newer.values.reduce(0) { $0 + $1.count }, Day(number: latest), entry)
    }
}

/// Which columns keep their dates during a scan (for retention and age rules): names from the
/// policy's retention rows and the declarations, and every column named like a birth date.
public struct DateTracking: Sendable {
    /// Normalised field names (`FieldName.normalize`).
    public var names: Set<String>
    public var birthDates: Bool
    /// Normalised names of declared consent columns, whose yes/no values are counted.
    public var consentNames: Set<String>

    public init(names: Set<String> = [], birthDates: Bool = true, consentNames: Set<String> = []) {
        self.names = Set(names.map(FieldName.normalize))
        self.birthDates = birthDates
        self.consentNames = Set(consentNames.map(FieldName.normalize))
    }

    func tracksConsent(field: String) -> Bool { consentNames.contains(FieldName.normalize(field)) }

    func tracks(field: String, hints: [String]) -> Bool {
        names.contains(FieldName.normalize(field)) || (birthDates && hints.contains("user.demographic.date_of_birth"))
    }
}

/// The values of a consent column: how many records say yes, and how many say no (`0`, `false`,
/// `non`, `no`, `n`, `f`); empty and NULL cells are counted by the column itself.
public struct ConsentCount: Sendable, Hashable {
    public var yes = 0
    public var no = 0

    public init() {}

    public mutating func add(_ cell: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: cell, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        if ["0", "false", "non", "no", "n", "f", "faux"].contains(text) { no += 1 } else { yes += 1 }
    }
}
