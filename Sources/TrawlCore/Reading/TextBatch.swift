/// The last `TextBatch.fieldsStamp` given, for every batch of the process (taken only when a
/// field is added; `Locked` rather than `Synchronization.Atomic`, which needs macOS 15).
private let fieldStamps = Locked<UInt64>(0)

/// A run of cells handed from a reader to the detector engine.
///
/// Readers append each cell's decoded UTF-8 bytes, separated by a newline, and record where it
/// came from. The engine matches every detector once over the whole buffer and maps each match
/// back to its segment, so the per-cell cost stays small and readers never see detectors.
public struct TextBatch: Sendable {
    public struct Segment: Sendable, Equatable {
        /// Byte range of the cell in `bytes`.
        public var start: Int
        public var end: Int
        /// Index into `fields`, or -1 when the format has no field name (plain text).
        public var field: Int32
        /// 1-based physical line and column (Unicode scalars) of the first byte of the cell.
        public var line: Int
        public var column: Int
        /// Matches starting before this offset belong to the previous batch (overlap carried over
        /// when a long line is cut); they are not reported twice.
        public var emitFrom: Int
        /// Matches starting at or after this offset belong to the next batch.
        public var emitUntil: Int
        /// Record number within its table (SQL row index, SQLite rowid, spreadsheet row), or 0.
        public var row: Int = 0
        /// Index into `locations` (`Sheet1!C7`), or -1.
        public var location: Int32 = -1
        /// True when the cell's bytes are decoded from an escaped form (SQL strings): every match
        /// in it is placed on the cell's own line, whatever newlines decoding produced.
        public var anchored = false

        /// True for the second and later pieces of a long cell cut by `CellBuilder`.
        public var isContinuation: Bool { emitFrom > start }
    }

    /// Where a field belongs: the table (SQL, SQLite, sheet) and the name reported as `field`.
    public struct FieldKey: Sendable, Hashable {
        public var table: String?
        public var name: String
    }

    public var bytes: [UInt8] = []
    public var segments: [Segment] = []
    /// Field names, indexed by `Segment.field`.
    public private(set) var fields: [String] = []
    /// The table of each field, parallel to `fields` (nil when the format has no tables).
    public private(set) var fieldTables: [String?] = []
    public var locations: [String] = []
    /// Cells that were present but empty or NULL, per field id: they count as rows seen in the
    /// column statistics without costing bytes.
    public var emptyCells: [Int32: Int] = [:]
    private var fieldIndex: [FieldKey: Int32] = [:]

    public init() {}

    public var isEmpty: Bool { segments.isEmpty }
    public var byteCount: Int { bytes.count }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        locations.removeAll(keepingCapacity: true)
        emptyCells.removeAll(keepingCapacity: true)
    }

    public mutating func fieldID(_ name: String?, table: String? = nil) -> Int32 {
        guard let name else { return -1 }
        let key = FieldKey(table: table, name: name)
        if let id = fieldIndex[key] { return id }
        let id = Int32(fields.count)
        fields.append(name)
        fieldTables.append(table)
        fieldIndex[key] = id
        fieldsStamp = fieldStamps.withLock { last in
            last += 1
            return last
        }
        return id
    }

    /// Changes, to a value no batch has had before, whenever a field is added (0 while there is
    /// none): two batches with the same stamp have the same fields, so ids a reader looked up
    /// under a stamp hold while it is unchanged (`FieldIDCache`).
    public private(set) var fieldsStamp: UInt64 = 0

    /// Appends one cell. `emitFrom` and `emitUntil` are relative to the cell's first byte.
    public mutating func append<C: Collection>(_ cell: C, field: String?, line: Int, column: Int, emitFrom: Int = 0, emitUntil: Int? = nil) where C.Element == UInt8 {
        append(cell, field: fieldID(field), line: line, column: column, emitFrom: emitFrom, emitUntil: emitUntil)
    }

    /// Appends one cell of a known field id, with its record number, location and anchoring.
    public mutating func append<C: Collection>(_ cell: C, field id: Int32, line: Int, column: Int, emitFrom: Int = 0, emitUntil: Int? = nil,
                                               row: Int = 0, location: String? = nil, anchored: Bool = false) where C.Element == UInt8 {
        if !segments.isEmpty { bytes.append(0x0A) }
        let start = bytes.count
        bytes.append(contentsOf: cell)
        let until = emitUntil.map { start + $0 } ?? Int.max
        var locationID: Int32 = -1
        if let location {
            locationID = Int32(locations.count)
            locations.append(location)
        }
        segments.append(Segment(start: start, end: bytes.count, field: id, line: line, column: column, emitFrom: start + emitFrom,
                                emitUntil: until, row: row, location: locationID, anchored: anchored))
    }

    /// Records a cell that is present but empty or NULL (counted as a row seen, not scanned).
    public mutating func appendEmpty(field id: Int32) {
        guard id >= 0 else { return }
        emptyCells[id, default: 0] += 1
    }

    public func text(of segment: Segment) -> String {
        String(decoding: bytes[segment.start..<segment.end], as: UTF8.self)
    }
}

/// The field ids a reader looked up, by a key of its own (a column number, a key path), each
/// with the batch's `fieldsStamp` at the time: an entry holds while the stamp is unchanged, and a
/// cell then gets its field's id with two loads. Before, each cell compared its field's name and
/// table with the batch's, and retaining and releasing those strings was 3 % of a scan. (A new
/// field makes every entry stale, and each is looked up again once: emptying the cache instead
/// would refill it up to the new key each time, quadratic in a JSON file with a key per record.)
struct FieldIDCache {
    private var ids: [Int32] = []
    private var stamps: [UInt64] = []

    /// The id of the field `name` (in `table`) that the reader calls `key`.
    @inline(__always)
    mutating func id(_ key: Int, in batch: inout TextBatch, name: @autoclosure () -> String, table: @autoclosure () -> String? = nil) -> Int32 {
        if key < ids.count, stamps[key] == batch.fieldsStamp, ids[key] >= 0 { return ids[key] }
        return lookUp(key, in: &batch, name: name(), table: table())
    }

    private mutating func lookUp(_ key: Int, in batch: inout TextBatch, name: String, table: String?) -> Int32 {
        let id = batch.fieldID(name, table: table)
        if key >= ids.count {
            ids += repeatElement(-1, count: key + 1 - ids.count)
            stamps += repeatElement(0, count: key + 1 - stamps.count)
        }
        ids[key] = id
        stamps[key] = batch.fieldsStamp
        return id
    }
}
