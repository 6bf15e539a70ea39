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
    }

    public var bytes: [UInt8] = []
    public var segments: [Segment] = []
    public var fields: [String] = []
    private var fieldIndex: [String: Int32] = [:]

    public init() {}

    public var isEmpty: Bool { segments.isEmpty }
    public var byteCount: Int { bytes.count }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
    }

    public mutating func fieldID(_ name: String?) -> Int32 {
        guard let name else { return -1 }
        if let id = fieldIndex[name] { return id }
        let id = Int32(fields.count)
        fields.append(name)
        fieldIndex[name] = id
        return id
    }

    /// Appends one cell. `emitFrom` and `emitUntil` are relative to the cell's first byte.
    public mutating func append<C: Collection>(_ cell: C, field: String?, line: Int, column: Int, emitFrom: Int = 0, emitUntil: Int? = nil) where C.Element == UInt8 {
        let id = fieldID(field)
        if !segments.isEmpty { bytes.append(0x0A) }
        let start = bytes.count
        bytes.append(contentsOf: cell)
        let until = emitUntil.map { start + $0 } ?? Int.max
        segments.append(Segment(start: start, end: bytes.count, field: id, line: line, column: column, emitFrom: start + emitFrom, emitUntil: until))
    }

    public func text(of segment: Segment) -> String {
        String(decoding: bytes[segment.start..<segment.end], as: UTF8.self)
    }
}
