import Foundation

/// Bulk scans over buffered bytes, eight bytes at a time (SWAR): a reader copies a run of plain
/// content in one append instead of deciding byte by byte.
enum RunScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Eight bytes at `p`, the first in the low byte.
    @inline(__always)
    static func load8(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// True when `a` and `b` hold the same bytes (one `memcmp`: a generic `elementsEqual` goes
    /// byte by byte through iterators).
    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    /// The high bit of each byte of `x` equal to `b`, exact up to the first such byte (a borrow
    /// may mark bytes after it, which callers never look at: they take the lowest bit).
    @inline(__always)
    static func equal(_ x: UInt64, _ b: UInt8) -> UInt64 {
        let t = x ^ (ones &* UInt64(b))
        return (t &- ones) & ~t & highs
    }

    /// Offset of the first byte of `p[from...]` equal to `a`, `b` or `c` (pass a byte twice to
    /// look for fewer), or `p.count` when there is none.
    @inline(__always)
    static func first(_ a: UInt8, _ b: UInt8, _ c: UInt8, in p: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = p.baseAddress else { return from }
        var i = from
        while i + 8 <= p.count {
            let x = load8(base + i)
            let hits = equal(x, a) | equal(x, b) | equal(x, c)
            if hits != 0 { return i + hits.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < p.count {
            let x = base[i]
            if x == a || x == b || x == c { return i }
            i += 1
        }
        return i
    }

    /// Number of UTF-8 continuation bytes (`10xxxxxx`) in `x`: bytes that start no scalar.
    /// Counted only when there is one: the build targets baseline x86-64, without `popcnt`, and
    /// its bit count was a dozen instructions for every word of ASCII text.
    @inline(__always)
    static func continuations(_ x: UInt64) -> Int {
        x & highs == 0 ? 0 : (x & ~(x << 1) & highs).nonzeroBitCount
    }
}

extension TextPosition {
    /// `advance(over:)` for a run of buffered bytes, eight at a time: a word without LF moves the
    /// column by its scalar count at once (the per-byte loop was a reader's main cost).
    mutating func advance(over run: UnsafeBufferPointer<UInt8>) {
        advance(over: run, readable: run.count)
    }

    /// The same when `readable` bytes from the run's start may be read (the rest of a reader's
    /// buffer): a last partial word is then loaded whole and masked, not read byte by byte (most
    /// cells are shorter than eight bytes).
    mutating func advance(over run: UnsafeBufferPointer<UInt8>, readable: Int) {
        guard let base = run.baseAddress else { return }
        var i = 0
        while i + 8 <= run.count {
            let x = RunScan.load8(base + i)
            if RunScan.equal(x, 0x0A) == 0 {
                column += 8 - RunScan.continuations(x)
            } else {
                for k in i..<(i + 8) { advance(over: base[k]) }
            }
            i += 8
        }
        let rest = run.count - i
        if rest > 0 && i + 8 <= readable {
            // Masked-out bytes are zero: neither LF nor continuation bytes.
            let x = RunScan.load8(base + i) & ((1 << UInt64(rest * 8)) - 1)
            if RunScan.equal(x, 0x0A) == 0 {
                column += rest - RunScan.continuations(x)
                return
            }
        }
        while i < run.count {
            advance(over: base[i])
            i += 1
        }
    }
}
