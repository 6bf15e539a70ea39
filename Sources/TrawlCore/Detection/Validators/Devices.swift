// Network and device identifiers: IP addresses, MAC addresses (EUI-48), IMEI.
// Spec references: detectors-spec.md §12 (IP), §17 (IMEI, MAC).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum DeviceValidators {

    // MARK: - IP addresses

    /// IPv4 (strict dotted quad, no leading-zero octets, optional `/prefix`) or IPv6 (parsed with
    /// `inet_pton`, optional `%zone` stripped, optional `/prefix`).
    ///
    /// Outcome: public unicast → `.plausible`. Private (RFC 1918), CGNAT, link-local, ULA and
    /// documentation ranges → `.weak`. Unspecified, loopback, broadcast and multicast addresses
    /// are not personal either, but the published vectors (Presidio) list `127.0.0.1`, `0.0.0.0`,
    /// `255.255.255.255`, `::1`, `ff02::1` as valid IP addresses, so they are also `.weak`
    /// (reported at low confidence) rather than `.invalid`; see `nonPersonalOutcome`.
    static func ip(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        var hasColon = false
        for b in input where b == ByteClass.colon {
            hasColon = true
            break
        }
        if !hasColon {
            var octets: (Int, Int, Int, Int) = (0, 0, 0, 0)
            guard parseIPv4(input, octets: &octets) else { return .invalid }
            return classifyIPv4(octets.0, octets.1, octets.2, octets.3)
        }
        return ipv6(input)
    }

    /// Outcome for unspecified / loopback / broadcast / multicast addresses.
    static let nonPersonalOutcome: ValidationOutcome = .weak

    /// Strict IPv4 with optional `/0`–`/32`.
    private static func parseIPv4(_ s: UnsafeBufferPointer<UInt8>, octets: inout (Int, Int, Int, Int)) -> Bool {
        var values = (0, 0, 0, 0)
        var part = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        var i = 0
        func store() -> Bool {
            guard digits > 0, !(leadingZero && digits > 1), value <= 255 else { return false }
            switch part {
            case 0: values.0 = value
            case 1: values.1 = value
            case 2: values.2 = value
            default: values.3 = value
            }
            return true
        }
        while i < s.count {
            let b = s[i]
            if ByteClass.isDigit(b) {
                guard digits < 3 else { return false }
                if digits == 0 { leadingZero = b == ByteClass.zero }
                value = value * 10 + ByteClass.digitValue(b)
                digits += 1
            } else if b == ByteClass.dot {
                guard part < 3, store() else { return false }
                part += 1
                value = 0
                digits = 0
            } else if b == ByteClass.slash {
                break
            } else {
                return false
            }
            i += 1
        }
        guard part == 3, store() else { return false }
        if i < s.count {
            // "/prefix"
            guard prefixLength(s, from: i + 1, max: 32) else { return false }
        }
        octets = values
        return true
    }

    /// Decimal prefix length in `s[from...]`, no leading zero, ≤ `max`.
    private static func prefixLength(_ s: UnsafeBufferPointer<UInt8>, from: Int, max: Int) -> Bool {
        let n = s.count - from
        guard (1...3).contains(n), ByteScan.allDigits(s, from..<s.count) else { return false }
        if n > 1 && s[from] == ByteClass.zero { return false }
        return ByteScan.number(s, from..<s.count) <= max
    }

    static func classifyIPv4(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> ValidationOutcome {
        switch a {
        case 0, 127: return nonPersonalOutcome // "this network" / unspecified, loopback
        case 224...255: return nonPersonalOutcome // multicast, reserved, broadcast
        case 10: return .weak
        case 100 where (64...127).contains(b): return .weak // CGNAT
        case 169 where b == 254: return .weak // link-local
        case 172 where (16...31).contains(b): return .weak
        case 192 where b == 168: return .weak
        case 192 where b == 0 && c == 2: return .weak // TEST-NET-1
        case 198 where b == 51 && c == 100: return .weak // TEST-NET-2
        case 203 where b == 0 && c == 113: return .weak // TEST-NET-3
        default: return .plausible
        }
    }

    private static func ipv6(_ s: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        // Address part ends at '%' (zone id) or '/' (prefix length).
        var end = s.count
        var i = 0
        while i < s.count {
            let b = s[i]
            if b == ByteClass.percent || b == ByteClass.slash {
                end = i
                break
            }
            guard ByteClass.isHex(b) || b == ByteClass.colon || b == ByteClass.dot else { return .invalid }
            i += 1
        }
        guard end >= 2, end <= 45 else { return .invalid }
        var rest = end
        if rest < s.count && s[rest] == ByteClass.percent {
            var j = rest + 1
            while j < s.count && s[j] != ByteClass.slash {
                let b = s[j]
                guard ByteClass.isAlnum(b) || b == UInt8(ascii: "_") || b == ByteClass.dot || b == ByteClass.dash else {
                    return .invalid
                }
                j += 1
            }
            guard j > rest + 1 else { return .invalid }
            rest = j
        }
        if rest < s.count {
            guard s[rest] == ByteClass.slash, prefixLength(s, from: rest + 1, max: 128) else { return .invalid }
        }
        // NUL-terminated copy of the address part for inet_pton.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text -> ValidationOutcome in
            for k in 0..<end { text[k] = s[k] }
            text[end] = 0
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { addr -> ValidationOutcome in
                guard let textBase = text.baseAddress, let addrBase = addr.baseAddress else { return .invalid }
                let cString = UnsafeRawPointer(textBase).assumingMemoryBound(to: CChar.self)
                guard inet_pton(AF_INET6, cString, UnsafeMutableRawPointer(addrBase)) == 1 else { return .invalid }
                return classifyIPv6(UnsafeBufferPointer(start: addrBase, count: 16))
            }
        }
    }

    static func classifyIPv6(_ a: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        var zeroPrefix = 0 // number of leading zero bytes
        while zeroPrefix < 16 && a[zeroPrefix] == 0 { zeroPrefix += 1 }
        if zeroPrefix == 16 { return nonPersonalOutcome } // ::
        if zeroPrefix == 15 && a[15] == 1 { return nonPersonalOutcome } // ::1
        if a[0] == 0xFF { return nonPersonalOutcome } // multicast ff00::/8
        if a[0] == 0xFE && a[1] & 0xC0 == 0x80 { return .weak } // link-local fe80::/10
        if a[0] & 0xFE == 0xFC { return .weak } // unique local fc00::/7
        if a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8 { return .weak } // 2001:db8::/32
        // Embedded IPv4: mapped ::ffff:0:0/96, translated ::ffff:0:0:0/96, compatible ::/96,
        // NAT64 64:ff9b::/96 → classify the IPv4 part.
        let v4 = (Int(a[12]), Int(a[13]), Int(a[14]), Int(a[15]))
        if zeroPrefix >= 10 && a[10] == 0xFF && a[11] == 0xFF {
            return classifyIPv4(v4.0, v4.1, v4.2, v4.3)
        }
        if zeroPrefix >= 8 && a[8] == 0xFF && a[9] == 0xFF && a[10] == 0 && a[11] == 0 {
            return classifyIPv4(v4.0, v4.1, v4.2, v4.3)
        }
        if zeroPrefix >= 12 { return classifyIPv4(v4.0, v4.1, v4.2, v4.3) }
        if a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xFF && a[3] == 0x9B {
            var rest = true
            for k in 4..<12 where a[k] != 0 { rest = false }
            if rest { return classifyIPv4(v4.0, v4.1, v4.2, v4.3) }
        }
        return .plausible
    }

    // MARK: - MAC address (EUI-48)

    /// `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (one separator throughout) or Cisco
    /// `aabb.ccdd.eeff`; broadcast and all-zero addresses rejected.
    static func mac(_ s: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        var allZero = true
        var allFF = true
        @inline(__always) func hexPair(_ i: Int) -> Bool {
            guard ByteClass.isHex(s[i]), ByteClass.isHex(s[i + 1]) else { return false }
            let v = ByteClass.hexValue(s[i]) * 16 + ByteClass.hexValue(s[i + 1])
            if v != 0 { allZero = false }
            if v != 0xFF { allFF = false }
            return true
        }
        if s.count == 17 {
            let sep = s[2]
            guard sep == ByteClass.colon || sep == ByteClass.dash else { return .invalid }
            for g in 0..<6 {
                guard hexPair(g * 3) else { return .invalid }
                if g < 5 && s[g * 3 + 2] != sep { return .invalid }
            }
        } else if s.count == 14 {
            for g in 0..<3 {
                guard hexPair(g * 5), hexPair(g * 5 + 2) else { return .invalid }
                if g < 2 && s[g * 5 + 4] != ByteClass.dot { return .invalid }
            }
        } else {
            return .invalid
        }
        return allZero || allFF ? .invalid : .plausible
    }

    // MARK: - IMEI

    /// IMEI: 15 digits with a Luhn check digit → `.checksum`; 14 digits (printed without the check
    /// digit) and 16-digit IMEISV (no check digit) → `.plausible` (python-stdnum accepts both).
    static func imei(_ input: UnsafeBufferPointer<UInt8>) -> ValidationOutcome {
        ByteScan.withCompacted(input, maxCount: 16, allowed: .grouping, uppercase: false) { s, _ in
            guard (14...16).contains(s.count), ByteScan.allDigits(s), !ByteScan.allSame(s, 0..<s.count) else {
                return .invalid
            }
            if s.count == 15 { return CheckDigits.luhn(s) ? .checksum : .invalid }
            return .plausible
        } ?? .invalid
    }
}
