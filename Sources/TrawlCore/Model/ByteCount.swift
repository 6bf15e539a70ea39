/// "512 MiB (536870912 bytes)" for messages.
struct ByteCount: CustomStringConvertible {
    let value: Int64
    init(_ value: Int64) { self.value = value }

    var description: String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard value >= 1024 else { return "\(value) bytes" }
        var scaled = Double(value)
        var unit = ""
        for u in units where scaled >= 1024 {
            scaled /= 1024
            unit = u
        }
        let rounded = (scaled * 10).rounded() / 10
        return "\(rounded) \(unit) (\(value) bytes)"
    }

    /// Sizes as reports show them: decimal units, one decimal (`31.0 KB`, `48.2 MB`, `512 bytes`).
    static func decimal(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
