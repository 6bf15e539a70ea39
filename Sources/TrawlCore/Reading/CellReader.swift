/// A format reader: turns an input's bytes into cells (value, field name, line, column).
/// Readers know formats, not detectors.
public protocol CellReader: AnyObject {
    /// Appends the next cells to `batch` (about `BatchLimits.bytes` worth). Returns false once the
    /// input is exhausted (the batch may still hold the last cells).
    func fill(_ batch: inout TextBatch) throws(InputError) -> Bool
    /// Problems met while reading that did not stop it (a parse error after which the rest was
    /// scanned as text, an unterminated quote...). Each makes the scan incomplete.
    var problems: [InputError] { get }
}

public enum BatchLimits {
    /// Target size of one batch handed to the engine.
    public static let bytes = 1 << 20
    /// A single cell longer than this is scanned in overlapping pieces (bounded memory).
    public static let cellPiece = 1 << 20
    /// Overlap kept between pieces of a long cell; longer than any detector match.
    public static let overlap = 1024
}

/// Position arithmetic on UTF-8 bytes: lines counted on `\n`, columns in Unicode scalars.
public struct TextPosition: Sendable, Equatable {
    public var line: Int
    public var column: Int

    public init(line: Int = 1, column: Int = 1) {
        self.line = line
        self.column = column
    }

    @inline(__always)
    public mutating func advance(over byte: UInt8) {
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    public mutating func advance<C: Collection>(over bytes: C) where C.Element == UInt8 {
        for b in bytes { advance(over: b) }
    }
}

extension Array {
    /// Empties the array and keeps its storage, doing nothing when it is already empty:
    /// `removeAll(keepingCapacity:)` is a generic `replaceSubrange` call even then, and readers
    /// and the column counts clear per value or per cell.
    @inline(__always)
    mutating func clear() {
        if !isEmpty { removeAll(keepingCapacity: true) }
    }

    /// Grows the array with `value` or drops its last elements to `count` elements, keeping its
    /// storage: per-batch arrays are then written in place through a pointer (appending checked
    /// uniqueness and capacity per element). The elements kept are stale until overwritten.
    @inline(__always)
    mutating func resize(to count: Int, with value: Element) {
        if self.count < count {
            append(contentsOf: repeatElement(value, count: count - self.count))
        } else if self.count > count {
            removeLast(self.count - count)
        }
    }
}

/// Accumulates one cell; a cell longer than `BatchLimits.cellPiece` is handed over in pieces that
/// overlap, so a 1 GB single-line value scans in bounded memory without losing matches at the cuts.
struct CellBuilder {
    var bytes: [UInt8] = []
    var position = TextPosition()
    var emitFrom = 0
    /// Record number and anchoring given to every piece of the cell (see `TextBatch.Segment`).
    var row = 0
    var anchored = false

    mutating func begin(at position: TextPosition, row: Int = 0) {
        bytes.clear()
        self.position = position
        self.row = row
        emitFrom = 0
    }

    var isFull: Bool { bytes.count >= BatchLimits.cellPiece }

    /// Appends a run of the cell's bytes. A cell reaching `BatchLimits.cellPiece` bytes is handed
    /// over at exactly the byte where appending byte by byte would (so the pieces are the same
    /// whatever the runs); `field` is only asked then.
    mutating func append(_ run: UnsafeBufferPointer<UInt8>, into batch: inout TextBatch, field: @autoclosure () -> String?) {
        append(run, into: &batch) { $0.fieldID(field()) }
    }

    /// The same with the field's id (asked only when a piece is handed over).
    mutating func append(_ run: UnsafeBufferPointer<UInt8>, into batch: inout TextBatch, fieldID: (inout TextBatch) -> Int32) {
        var from = 0
        while from < run.count {
            let take = min(run.count - from, max(0, BatchLimits.cellPiece - bytes.count))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[from..<(from + take)]))
            from += take
            if isFull {
                let id = fieldID(&batch)
                flushPiece(into: &batch, field: id)
            }
        }
    }

    /// Hands over all but the overlap tail; matches starting in the tail's second half are left
    /// to the next piece.
    mutating func flushPiece(into batch: inout TextBatch, field: String?) {
        flushPiece(into: &batch, field: batch.fieldID(field))
    }

    mutating func flushPiece(into batch: inout TextBatch, field id: Int32) {
        let overlap = BatchLimits.overlap
        guard bytes.count > overlap else { return }
        batch.append(bytes, field: id, line: position.line, column: position.column,
                     emitFrom: emitFrom, emitUntil: bytes.count - overlap / 2, row: row, anchored: anchored)
        let cut = bytes.count - overlap
        if anchored {
            // An anchored cell keeps its first line; its column counts every scalar.
            for b in bytes[0..<cut] where b & 0xC0 != 0x80 { position.column += 1 }
        } else {
            position.advance(over: bytes[0..<cut])
        }
        bytes.removeFirst(cut)
        emitFrom = overlap / 2
    }

    /// Hands over what remains of the cell, if any.
    mutating func finish(into batch: inout TextBatch, field: String?) {
        finish(into: &batch, field: batch.fieldID(field))
    }

    mutating func finish(into batch: inout TextBatch, field id: Int32) {
        guard bytes.count > emitFrom else { return }
        batch.append(bytes, field: id, line: position.line, column: position.column, emitFrom: emitFrom, row: row, anchored: anchored)
    }

    /// Only spaces, line ends or NULs (a `_binary '\0\0'` padding value): nothing to scan.
    var isBlank: Bool { Self.isBlank(bytes) }

    static func isBlank<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }
}
