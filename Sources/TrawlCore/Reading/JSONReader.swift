import Foundation

/// JSON and NDJSON, streamed: string and number values become cells whose field is the key path
/// (`$.student.contact.email`, arrays as `[*]` so every element shares its column). Any number of
/// top-level values may follow each other (NDJSON). Nesting is tracked on an explicit stack, so
/// depth costs memory, never the call stack. After a syntax error the rest of the input is read
/// as plain text, so nothing is left unscanned, and the error is reported.
public final class JSONReader: CellReader {
    enum State { case value, objectKeyOrEnd, objectKey, colon, commaOrEnd }

    struct Frame {
        var isArray: Bool
        /// Index in `paths` of the container's own key path.
        var path: Int
    }

    /// A key path met in this input, interned so that the objects of an NDJSON file, which repeat
    /// the same keys, build no string and hash nothing per key or value.
    struct KeyPath {
        var path: String
        /// The path of this container's elements (`[*]`), once met.
        var elements: Int?
        /// This object's keys as first met, with their paths; `keyIndex` finds one by its bytes,
        /// and `lastKey` is where the last key read was: the next key is most often the one after
        /// it (objects of one kind list their keys in one order), found by comparing bytes only.
        var keys: [(key: [UInt8], path: Int)] = []
        var keyIndex: [[UInt8]: Int] = [:]
        var lastKey = -1

        init(_ path: String) { self.path = path }

        /// The path of the key `bytes` when this object had it before. Mutating, so that it works
        /// in place: reading `paths[i]` field by field copied the node, with a retain per field.
        mutating func path(ofKey bytes: UnsafeBufferPointer<UInt8>) -> Int? {
            let next = lastKey + 1
            if next < keys.count, keys[next].key.withUnsafeBufferPointer({ RunScan.same($0, bytes) }) {
                lastKey = next
                return keys[next].path
            }
            // A short list is searched: hashing the key (and copying it to look it up) cost more
            // than comparing it with a few dozen keys.
            if keys.count <= 32 {
                for k in keys.indices where keys[k].key.withUnsafeBufferPointer({ RunScan.same($0, bytes) }) {
                    lastKey = k
                    return keys[k].path
                }
                return nil
            }
            guard let known = keyIndex[Array(bytes)] else { return nil }
            lastKey = known
            return keys[known].path
        }

        mutating func add(key: [UInt8], path: Int) {
            lastKey = keys.count
            keyIndex[key] = keys.count
            keys.append((key, path))
        }
    }

    let input: BufferedInput
    let path: String
    var stack: [Frame] = []
    var state = State.value
    var pendingKeyPath: Int?
    var paths = [KeyPath("$")]
    /// A key with escapes or cut by the buffer's end, as it is read (reused across keys).
    var key: [UInt8] = []
    var position = TextPosition()
    var builder = CellBuilder()
    var fallback: TextReader?
    public private(set) var problems: [InputError] = []

    public static let maxDepth = 100_000
    public static let maxPathDepth = 64

    public init(input: BufferedInput, path: String) {
        self.input = input
        self.path = path
    }

    struct SyntaxError: Error { let message: String }

    public func fill(_ batch: inout TextBatch) throws(InputError) -> Bool {
        if let fallback {
            return try fallback.fill(&batch)
        }
        do {
            while batch.byteCount < BatchLimits.bytes {
                guard try skipWhitespace() else {
                    if !stack.isEmpty || state == .colon || state == .objectKey {
                        throw SyntaxError(message: "unexpected end of input inside a value")
                    }
                    return false
                }
                if plainTokens(&batch) { continue }
                try step(&batch)
            }
            return true
        } catch let error as InputError {
            throw error
        } catch let error as SyntaxError {
            problems.append(InputError(path: path, code: .parseFailed,
                message: "invalid JSON at line \(position.line), column \(position.column): \(error.message); the rest of the file was scanned as plain text",
                line: position.line))
            let reader = TextReader(input: input, from: position)
            fallback = reader
            return try reader.fill(&batch)
        } catch {
            throw InputError(path: path, code: .readFailed, message: "\(error)")
        }
    }

    @inline(__always)
    private func peek() throws(InputError) -> UInt8? {
        if input.available > 0 { return input.byte(at: 0) }
        try input.ensure(1)
        return input.available > 0 ? input.byte(at: 0) : nil
    }

    @inline(__always)
    private func take() throws(InputError) -> UInt8? {
        guard let b = try peek() else { return nil }
        position.advance(over: b)
        input.consume(1)
        return b
    }

    /// Skips whitespace a buffer at a time; false at end of input.
    private func skipWhitespace() throws(InputError) -> Bool {
        try consumeRun(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { _ in }
    }

    /// Consumes the bytes that satisfy `accepts`, a buffer at a time, handing each run to `body`
    /// and moving the position over it; false at end of input.
    private func consumeRun(while accepts: (UInt8) -> Bool, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(InputError) -> Bool {
        while try peek() != nil {
            let n = input.withBytes { p -> Int in
                var i = 0
                while i < p.count, accepts(p[i]) { i += 1 }
                let run = UnsafeBufferPointer(rebasing: p[0..<i])
                body(run)
                position.advance(over: run, readable: p.count)
                return i
            }
            input.consume(n)
            if input.available > 0 { return true }
        }
        return false
    }

    private var currentValuePath: Int {
        if let key = pendingKeyPath { return key }
        guard let top = stack.last else { return 0 }
        if let elements = paths[top.path].elements { return elements }
        let elements = paths.count
        paths.append(KeyPath(paths[top.path].path + "[*]"))
        paths[top.path].elements = elements
        return elements
    }

    /// The path of the key `bytes` (decoded) in the object at path `parent`: its interned path
    /// when the key came before, found by comparing bytes with the key after the last one.
    private func keyPath(in parent: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if let known = paths[parent].path(ofKey: bytes) { return known }
        let key = Array(bytes)
        let name = String(decoding: key, as: UTF8.self)
        let parentPath = paths[parent].path
        let id = paths.count
        paths.append(KeyPath(Self.isPlainKey(key) ? parentPath + "." + name : parentPath + "[\"" + name + "\"]"))
        paths[parent].add(key: key, path: id)
        return id
    }

    /// The field id of values at each path in the batch.
    private var ids = FieldIDCache()

    /// The field id of values at path `id`.
    private func fieldID(_ id: Int, _ batch: inout TextBatch) -> Int32 {
        ids.id(id, in: &batch, name: paths[id].path)
    }

    private func step(_ batch: inout TextBatch) throws -> Void {
        guard let b = try peek() else { return }
        switch state {
        case .value:
            try value(startingWith: b, &batch)
        case .objectKeyOrEnd, .objectKey:
            if b == 0x7D, state == .objectKeyOrEnd {
                _ = try take()
                closeContainer()
                return
            }
            guard b == 0x22 else { throw SyntaxError(message: "expected a key in double quotes") }
            _ = try take()
            let parent = stack.last?.path ?? 0
            if let known = withPlainString({ keyPath(in: parent, $0) }) {
                pendingKeyPath = known
            } else {
                key.removeAll(keepingCapacity: true)
                try readString { key.append(contentsOf: $0) }
                pendingKeyPath = key.withUnsafeBufferPointer { keyPath(in: parent, $0) }
            }
            state = .colon
        case .colon:
            guard b == 0x3A else { throw SyntaxError(message: "expected ':' after a key") }
            _ = try take()
            state = .value
        case .commaOrEnd:
            guard let top = stack.last else { state = .value; return }
            _ = try take()
            if b == 0x2C {
                state = top.isArray ? .value : .objectKey
            } else if (b == 0x5D && top.isArray) || (b == 0x7D && !top.isArray) {
                closeContainer()
            } else {
                throw SyntaxError(message: top.isArray ? "expected ',' or ']'" : "expected ',' or '}'")
            }
        }
    }

    private func value(startingWith b: UInt8, _ batch: inout TextBatch) throws {
        let valuePath = currentValuePath
        switch b {
        case 0x7B, 0x5B:  // { [
            guard stack.count < Self.maxDepth else { throw SyntaxError(message: "nesting deeper than \(Self.maxDepth) levels") }
            _ = try take()
            open(isArray: b == 0x5B, at: valuePath)
            if b == 0x5B, try skipWhitespace(), try peek() == 0x5D {
                _ = try take()
                closeContainer()
            }
            return
        case 0x22:
            _ = try take()
            let direct: Void? = withPlainString { run in appendString(run, at: valuePath, &batch) }
            if direct == nil {
                builder.begin(at: position)
                try readString { run in builder.append(run, into: &batch, field: paths[valuePath].path) }
                if builder.bytes.isEmpty && builder.emitFrom == 0 {
                    batch.appendEmpty(field: fieldID(valuePath, &batch))
                } else {
                    builder.finish(into: &batch, field: fieldID(valuePath, &batch))
                }
            }
        case 0x2D, 0x30...0x39:
            builder.begin(at: position)
            try readNumber()
            builder.finish(into: &batch, field: fieldID(valuePath, &batch))
        case 0x74, 0x66, 0x6E:  // true false null
            let word: StaticString = b == 0x74 ? "true" : b == 0x66 ? "false" : "null"
            for i in 0..<word.utf8CodeUnitCount {
                guard try take() == word.utf8Start[i] else { throw SyntaxError(message: "invalid literal") }
            }
            if b == 0x6E { batch.appendEmpty(field: fieldID(valuePath, &batch)) }  // null counts as an empty cell
        default:
            throw SyntaxError(message: "unexpected character '\(Self.printable(b))'")
        }
        endValue()
    }

    /// A string value read whole: a cell, or an empty one for `""`.
    @inline(__always)
    private func appendString(_ run: UnsafeBufferPointer<UInt8>, at valuePath: Int, _ batch: inout TextBatch) {
        let id = fieldID(valuePath, &batch)
        if run.isEmpty {
            batch.appendEmpty(field: id)  // "": a value present but empty
        } else {
            batch.append(run, field: id, line: position.line, column: position.column)
        }
    }

    @inline(__always)
    private func endValue() {
        pendingKeyPath = nil
        state = stack.isEmpty ? .value : .commaOrEnd
    }

    /// Opens an object or array at `valuePath` (the caller checks `maxDepth`).
    @inline(__always)
    private func open(isArray: Bool, at valuePath: Int) {
        // Past `maxPathDepth` levels the path stops growing (memory stays linear in depth).
        let framePath = stack.count < Self.maxPathDepth ? valuePath : (stack.last?.path ?? 0)
        stack.append(Frame(isArray: isArray, path: framePath))
        pendingKeyPath = nil
        state = isArray ? .value : .objectKeyOrEnd
    }

    /// The fast path: the tokens at the head of the buffer that are wholly buffered and plain
    /// (whitespace, punctuation, keys and string values without escapes, numbers, literals,
    /// objects), many at a time in one pass over the buffer, as `step` would read them one by one.
    /// Stops before anything else (an escape, a token the buffer cuts, an array's first element,
    /// a syntax error) and when the batch is full, for `step`. True when it took anything.
    private func plainTokens(_ batch: inout TextBatch) -> Bool {
        let taken = input.withBytes { p -> Int in
            var at = 0
            tokens: while at < p.count, batch.byteCount < BatchLimits.bytes {
                // Whitespace is taken whatever follows (`skipWhitespace` would take it).
                while at < p.count {
                    let w = p[at]
                    if w == 0x0A {
                        position.line += 1
                        position.column = 1
                    } else if w == 0x20 || w == 0x0D || w == 0x09 {
                        position.column += 1
                    } else {
                        break
                    }
                    at += 1
                }
                guard at < p.count else { break }
                let b = p[at]
                // The token is p[at..<end]; only strings may hold more than ASCII.
                var end = at + 1
                switch state {
                case .value:
                    switch b {
                    case 0x22:
                        guard let after = plainString(p, at: at, { appendString($0, at: currentValuePath, &batch) }) else { break tokens }
                        end = after
                        endValue()
                    case 0x2D, 0x30...0x39:
                        while end < p.count, Self.isNumberByte(p[end]) { end += 1 }
                        guard end < p.count, end - at < BatchLimits.cellPiece else { break tokens }
                        batch.append(UnsafeBufferPointer(rebasing: p[at..<end]), field: fieldID(currentValuePath, &batch),
                                     line: position.line, column: position.column)
                        position.column += end - at
                        endValue()
                    case 0x74, 0x66, 0x6E:  // true false null
                        let word: StaticString = b == 0x74 ? "true" : b == 0x66 ? "false" : "null"
                        end = at + word.utf8CodeUnitCount
                        guard end <= p.count,
                              RunScan.same(UnsafeBufferPointer(rebasing: p[at..<end]), UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
                        else { break tokens }
                        if b == 0x6E { batch.appendEmpty(field: fieldID(currentValuePath, &batch)) }
                        position.column += end - at
                        endValue()
                    case 0x7B:
                        guard stack.count < Self.maxDepth else { break tokens }
                        open(isArray: false, at: currentValuePath)
                        position.column += 1
                    default:
                        break tokens
                    }
                case .objectKeyOrEnd, .objectKey:
                    if b == 0x7D, state == .objectKeyOrEnd {
                        closeContainer()
                        position.column += 1
                    } else {
                        guard b == 0x22,
                              let after = plainString(p, at: at, { pendingKeyPath = keyPath(in: stack.last?.path ?? 0, $0) })
                        else { break tokens }
                        state = .colon
                        end = after
                    }
                case .colon:
                    guard b == 0x3A else { break tokens }
                    state = .value
                    position.column += 1
                case .commaOrEnd:
                    guard let top = stack.last else { break tokens }
                    if b == 0x2C {
                        state = top.isArray ? .value : .objectKey
                    } else if (b == 0x5D && top.isArray) || (b == 0x7D && !top.isArray) {
                        closeContainer()
                    } else {
                        break tokens
                    }
                    position.column += 1
                }
                at = end
            }
            return at
        }
        input.consume(taken)
        return taken > 0
    }

    private func closeContainer() {
        _ = stack.popLast()
        pendingKeyPath = nil
        state = stack.isEmpty ? .value : .commaOrEnd
    }

    /// The fast path for a string (after its opening quote) that is wholly buffered, has no
    /// escape and is shorter than a cell piece, as nearly every key and value: `body` gets its
    /// bytes in place, then the string is consumed with its closing quote. Nil, with nothing
    /// consumed, for any other string.
    private func withPlainString<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        var length = 0
        let result = input.withBytes { p -> R? in
            let end = RunScan.first(0x22, 0x5C, 0x5C, in: p, from: 0)
            guard end < p.count, p[end] == 0x22, end < BatchLimits.cellPiece else { return nil }
            let run = UnsafeBufferPointer(rebasing: p[0..<end])
            let result = body(run)
            position.advance(over: run, readable: p.count)
            position.column += 1  // the closing quote
            length = end + 1
            return result
        }
        input.consume(length)
        return result
    }

    /// A key or string value at `p[at]` (its opening quote) that `withPlainString` would take:
    /// `body` gets its bytes, the position moves over it with its quotes (a raw LF inside, invalid
    /// but read, restarts the column after the opening quote), and the offset past its closing
    /// quote is returned. Nil, with nothing done, for any other string.
    @inline(__always)
    private func plainString(_ p: UnsafeBufferPointer<UInt8>, at: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Int? {
        let close = RunScan.first(0x22, 0x5C, 0x5C, in: p, from: at + 1)
        guard close < p.count, p[close] == 0x22, close - at - 1 < BatchLimits.cellPiece else { return nil }
        let run = UnsafeBufferPointer(rebasing: p[(at + 1)..<close])
        position.column += 1
        body(run)
        position.advance(over: run, readable: p.count - at - 1)
        position.column += 1
        return close + 1
    }

    /// Reads a number's characters into the builder, a buffer at a time.
    private func readNumber() throws(InputError) {
        _ = try consumeRun(while: Self.isNumberByte) { builder.bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    static func isNumberByte(_ c: UInt8) -> Bool {
        c == 0x2D || c == 0x2B || c == 0x2E || c == 0x45 || c == 0x65 || (c >= 0x30 && c <= 0x39)
    }

    /// Reads the rest of a string (after the opening quote), decoding escapes to UTF-8, and hands
    /// it to `emit` in runs: the bytes up to the next quote or backslash go over in one run.
    private func readString(_ emit: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        var pendingHigh: UInt32?
        while true {
            if try peek() != nil {
                let run = input.withBytes { p -> Int in
                    let end = RunScan.first(0x22, 0x5C, 0x5C, in: p, from: 0)
                    guard end > 0 else { return 0 }
                    if pendingHigh != nil { Self.utf8(0xFFFD, emit); pendingHigh = nil }
                    let run = UnsafeBufferPointer(rebasing: p[0..<end])
                    emit(run)
                    position.advance(over: run, readable: p.count)
                    return end
                }
                input.consume(run)
                if input.available == 0 { continue }
            }
            // A quote, a backslash, or the end of input.
            guard let b = try take() else { throw SyntaxError(message: "unterminated string") }
            if b == 0x22 { break }
            guard let e = try take() else { throw SyntaxError(message: "unterminated string") }
            switch e {
            case 0x22, 0x5C, 0x2F: Self.emit(e, emit)
            case 0x62: Self.emit(0x08, emit)
            case 0x66: Self.emit(0x0C, emit)
            case 0x6E: Self.emit(0x0A, emit)
            case 0x72: Self.emit(0x0D, emit)
            case 0x74: Self.emit(0x09, emit)
            case 0x75:
                var v: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = try take(), let d = Self.hex(h) else { throw SyntaxError(message: "invalid \\u escape") }
                    v = v << 4 | d
                }
                if v >= 0xD800 && v <= 0xDBFF { pendingHigh = v; continue }
                if v >= 0xDC00 && v <= 0xDFFF, let high = pendingHigh {
                    Self.utf8(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00), emit)
                    pendingHigh = nil
                    continue
                }
                Self.utf8(v, emit)
            default:
                throw SyntaxError(message: "invalid escape")
            }
        }
    }

    static func hex(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: UInt32(b - 0x30)
        case 0x41...0x46: UInt32(b - 0x41 + 10)
        case 0x61...0x66: UInt32(b - 0x61 + 10)
        default: nil
        }
    }

    static func emit(_ byte: UInt8, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafePointer(to: byte) { emit(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    static func utf8(_ v: UInt32, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
        for b in scalar.utf8 { Self.emit(b, emit) }
    }

    static func isPlainKey(_ key: [UInt8]) -> Bool {
        !key.isEmpty && key.allSatisfy { $0 >= 0x80 || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    static func printable(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? String(UnicodeScalar(b)) : String(format: "0x%02X", b)
    }
}
