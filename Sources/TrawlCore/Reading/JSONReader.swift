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
        var path: String
    }

    let input: BufferedInput
    let path: String
    var stack: [Frame] = []
    var state = State.value
    var pendingKeyPath: String?
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

    private func peek() throws(InputError) -> UInt8? {
        if input.available == 0 { try input.ensure(1) }
        return input.available > 0 ? input.byte(at: 0) : nil
    }

    @inline(__always)
    private func take() throws(InputError) -> UInt8? {
        guard let b = try peek() else { return nil }
        position.advance(over: b)
        input.consume(1)
        return b
    }

    private func skipWhitespace() throws(InputError) -> Bool {
        while let b = try peek() {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { _ = try take() } else { return true }
        }
        return false
    }

    private var currentValuePath: String {
        if let key = pendingKeyPath { return key }
        if let top = stack.last { return top.path + "[*]" }
        return "$"
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
            var key: [UInt8] = []
            try readString { key.append($0) }
            let name = String(decoding: key, as: UTF8.self)
            let parent = stack.last?.path ?? "$"
            pendingKeyPath = Self.isPlainKey(key) ? parent + "." + name : parent + "[\"" + name + "\"]"
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
            // Past `maxPathDepth` levels the path stops growing (memory stays linear in depth).
            let framePath = stack.count < Self.maxPathDepth ? valuePath : (stack.last?.path ?? "$")
            stack.append(Frame(isArray: b == 0x5B, path: framePath))
            pendingKeyPath = nil
            if b == 0x5B {
                if try skipWhitespace(), try peek() == 0x5D {
                    _ = try take()
                    closeContainer()
                } else {
                    state = .value
                }
            } else {
                state = .objectKeyOrEnd
            }
            return
        case 0x22:
            _ = try take()
            builder.begin(at: position)
            try readString { byte in
                builder.bytes.append(byte)
                if builder.isFull { builder.flushPiece(into: &batch, field: valuePath) }
            }
            if builder.bytes.isEmpty && builder.emitFrom == 0 {
                batch.appendEmpty(field: batch.fieldID(valuePath))  // "": a value present but empty
            } else {
                builder.finish(into: &batch, field: valuePath)
            }
        case 0x2D, 0x30...0x39:
            builder.begin(at: position)
            while let c = try peek(), c == 0x2D || c == 0x2B || c == 0x2E || c == 0x45 || c == 0x65 || (c >= 0x30 && c <= 0x39) {
                builder.bytes.append(c)
                _ = try take()
            }
            builder.finish(into: &batch, field: valuePath)
        case 0x74, 0x66, 0x6E:  // true false null
            let word: [UInt8] = b == 0x74 ? Array("true".utf8) : b == 0x66 ? Array("false".utf8) : Array("null".utf8)
            for expected in word {
                guard try take() == expected else { throw SyntaxError(message: "invalid literal") }
            }
            if b == 0x6E { batch.appendEmpty(field: batch.fieldID(valuePath)) }  // null counts as an empty cell
        default:
            throw SyntaxError(message: "unexpected character '\(Self.printable(b))'")
        }
        pendingKeyPath = nil
        state = stack.isEmpty ? .value : .commaOrEnd
    }

    private func closeContainer() {
        _ = stack.popLast()
        pendingKeyPath = nil
        state = stack.isEmpty ? .value : .commaOrEnd
    }

    /// Reads the rest of a string (after the opening quote), decoding escapes to UTF-8.
    private func readString(_ emit: (UInt8) -> Void) throws {
        var pendingHigh: UInt32?
        while true {
            guard let b = try take() else { throw SyntaxError(message: "unterminated string") }
            if b == 0x22 { break }
            if b != 0x5C {
                if pendingHigh != nil { Self.utf8(0xFFFD, emit); pendingHigh = nil }
                emit(b)
                continue
            }
            guard let e = try take() else { throw SyntaxError(message: "unterminated string") }
            switch e {
            case 0x22, 0x5C, 0x2F: emit(e)
            case 0x62: emit(0x08)
            case 0x66: emit(0x0C)
            case 0x6E: emit(0x0A)
            case 0x72: emit(0x0D)
            case 0x74: emit(0x09)
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

    static func utf8(_ v: UInt32, _ emit: (UInt8) -> Void) {
        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
        for b in String(scalar).utf8 { emit(b) }
    }

    static func isPlainKey(_ key: [UInt8]) -> Bool {
        !key.isEmpty && key.allSatisfy { $0 >= 0x80 || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    static func printable(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? String(UnicodeScalar(b)) : String(format: "0x%02X", b)
    }
}
