#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the engine reports and how.
public struct DetectionOptions: Sendable {
    /// Findings below this confidence are not reported.
    public var minConfidence: Confidence
    /// Put raw values into findings (`--show-values`). Off by default: only masked values.
    public var showValues: Bool
    /// Gives each finding its fingerprint, computed from the raw value inside the worker.
    public var fingerprinter: Fingerprinter?
    /// Run each pattern only on the lines its prefilter admits (and, for detectors that require
    /// context, on lines with a context word or in a hinted field). Off only to check that it
    /// changes no finding (`--no-prefilter`).
    public var prefilter: Bool

    public init(minConfidence: Confidence = .medium, showValues: Bool = false, fingerprinter: Fingerprinter? = nil, prefilter: Bool = true) {
        self.minConfidence = minConfidence
        self.showValues = showValues
        self.fingerprinter = fingerprinter
        self.prefilter = prefilter
    }
}

/// The detector engine: one per scan, shared by all workers (immutable).
public struct DetectionEngine: Sendable {
    public let catalog: DetectorCatalog
    public let options: DetectionOptions
    /// The `words` of the prefilters and the context anchors, and each detector's slot in it for
    /// each (-1 without).
    let anchors: AnchorMatcher?
    let anchorSlots: [Int]
    let contextSlots: [Int]

    public init(catalog: DetectorCatalog, options: DetectionOptions = DetectionOptions()) {
        self.catalog = catalog
        self.options = options
        var slots: [Int] = []
        var words: [[String]] = []
        for d in catalog.detectors {
            if let list = d.definition.prefilter?.allWords, !list.isEmpty, d.pattern != nil, words.count < 64 {
                slots.append(words.count)
                words.append(list)
            } else {
                slots.append(-1)
            }
        }
        // The lines of a detector that requires context are those with one of its context words
        // (`withContext`): their anchors go into the same automaton, in the slots left.
        var contextSlots: [Int] = []
        for d in catalog.detectors {
            if d.contextAnywhere != nil, let fragments = d.context?.anchorFragments(), words.count < 64 {
                contextSlots.append(words.count)
                words.append(fragments)
            } else {
                contextSlots.append(-1)
            }
        }
        let anchors = AnchorMatcher(words: words)
        self.anchors = anchors
        // Without a matcher (no words, or too many), a words condition cannot be checked: the
        // detectors concerned run everywhere, and context words are searched with a regex.
        self.anchorSlots = anchors == nil ? slots.map { _ in -1 } : slots
        self.contextSlots = anchors == nil ? contextSlots.map { _ in -1 } : contextSlots
    }

    /// A worker owns PCRE2 match data and caches; make one per thread.
    public func makeWorker() -> DetectionWorker { DetectionWorker(engine: self) }
}

/// The per-thread half of the engine. Not thread-safe: one per worker.
public final class DetectionWorker {
    let detectors: [Detector]
    let options: DetectionOptions
    let scratch = MatchScratch()
    /// For each field name seen, which detectors' `fields` hint matches it.
    private var hintCache: [String: [Bool]] = [:]
    /// Number of match attempts abandoned at a PCRE2 limit since the last reset, by this worker
    /// (any regex it ran) and by helpers for its batches.
    public var limitHits: Int { scratch.limitHits - hitsAtReset + absorbedLimitHits }
    private var hitsAtReset = 0
    private var absorbedLimitHits = 0
    /// The lines of the current batch (prefilters), and per detector whether it is filtered.
    private var lineIndex = LineIndex()
    /// Detectors whose patterns run on admitted lines only: each one's ordinal among them (-1
    /// for the others), the detector of each ordinal, and the lines admitted in this batch.
    private let filteredOrdinal: [Int]
    private let filteredDetectors: [Int]
    private var admittedLines: [[Int32]] = []
    /// True when every prefilter needs a digit, a mark or a word (lines with none are skipped).
    private let skipBareLines: Bool
    private let anchors: AnchorMatcher?
    private let anchorSlots: [Int]
    private let contextSlots: [Int]
    /// Each detector's prefilter as threshold sets (a line passes when it meets one).
    private let conditions: [[LineCondition]]
    /// The threshold sets of the filtered detectors in order, and the ordinal of each one's detector.
    private let flatConditions: [LineCondition]
    private let conditionOwners: [Int]
    /// The same sets as tables (nil past 64 sets: they are then tested one by one).
    private let admission: AdmissionTable?
    /// With the tables, the context requirement of a detector that requires context and has a
    /// context slot is part of its admission (`withContext` is then not needed): the sets of
    /// those detectors, and for each anchor slot the sets whose detector has its context there.
    private let contextSets: UInt64
    private let contextSlotSets: [UInt64]
    private let contextSlotBits: UInt64

    private let contextBefore = 100
    private let contextAfter = 60
    private let excludeWindow = 30

    init(engine: DetectionEngine) {
        self.detectors = engine.catalog.detectors
        self.options = engine.options
        anchors = engine.anchors
        anchorSlots = engine.anchorSlots
        contextSlots = engine.contextSlots
        let filtered = zip(detectors, engine.anchorSlots).map { d, slot in
            guard engine.options.prefilter, d.pattern != nil, let prefilter = d.definition.prefilter else { return false }
            // A words condition that cannot be checked would admit nothing: run everywhere.
            return prefilter.allWords.isEmpty || slot >= 0
        }
        let conditions = zip(detectors, engine.anchorSlots).map { d, slot in
            d.definition.prefilter?.conditions(wordBit: slot >= 0 ? 1 << UInt64(slot) : 0) ?? []
        }
        self.conditions = conditions
        filteredDetectors = filtered.indices.filter { filtered[$0] }
        var ordinals = [Int](repeating: -1, count: detectors.count)
        for (k, d) in filteredDetectors.enumerated() { ordinals[d] = k }
        filteredOrdinal = ordinals
        admittedLines = filteredDetectors.map { _ in [] }
        flatConditions = filteredDetectors.flatMap { conditions[$0] }
        conditionOwners = filteredDetectors.enumerated().flatMap { k, d in conditions[d].map { _ in k } }
        skipBareLines = filteredDetectors.allSatisfy { d in conditions[d].allSatisfy(\.needsSomething) }
        admission = AdmissionTable(flatConditions)
        var contextSets: UInt64 = 0
        var contextSlotSets = [UInt64](repeating: 0, count: 64)
        if admission != nil {
            for (c, k) in conditionOwners.enumerated() {
                let d = filteredDetectors[k]
                guard detectors[d].requiresContext, engine.contextSlots[d] >= 0 else { continue }
                contextSets |= 1 << UInt64(c)
                contextSlotSets[engine.contextSlots[d]] |= 1 << UInt64(c)
            }
        }
        self.contextSets = contextSets
        self.contextSlotSets = contextSlotSets
        contextSlotBits = contextSlotSets.indices.reduce(0) { bits, slot in contextSlotSets[slot] != 0 ? bits | 1 << UInt64(slot) : bits }
    }

    struct Candidate: Sendable {
        var detector: Int
        var segment: Int
        var range: Range<Int>
        var confidence: Confidence
        var signals: [String]
    }

    public func resetLimitHits() {
        hitsAtReset = scratch.limitHits
        absorbedLimitHits = 0
    }

    func hints(for field: String) -> [Bool] {
        if let cached = hintCache[field] { return cached }
        let normalized = FieldName.normalize(field)
        var utf8 = Array(normalized.utf8)
        let result = utf8.withUnsafeMutableBufferPointer { buf in
            detectors.map { detector in
                guard let fields = detector.fields, !normalized.isEmpty else { return false }
                return fields.matches(UnsafeBufferPointer(buf), scratch: scratch)
            }
        }
        hintCache[field] = result
        return result
    }

    /// Scans one batch and appends its findings (sorted by position) to `findings`.
    public func scan(_ batch: TextBatch, path: String, into findings: inout [Finding]) {
        var tally = ColumnTally(path: path)
        scan(batch, path: path, into: &findings, tally: &tally)
    }

    /// Scans one batch, appends its findings and counts its cells and hits per column.
    public func scan(_ batch: TextBatch, path: String, into findings: inout [Finding], tally: inout ColumnTally) {
        let detected = detect(batch, path: path)
        findings += detected.findings
        count(detected, in: batch, tally: &tally)
    }

    /// What `detect` found in a batch: its findings and the accepted matches the column counts
    /// need. Any worker can detect a batch; its counts must then be taken in batch order.
    public struct Detected: Sendable {
        public var findings: [Finding] = []
        var accepted: [Candidate] = []
        /// For each field of the batch, which detectors its name hints (the counts need them too).
        var fieldHints: [[Bool]] = []
        /// Match attempts abandoned at the PCRE2 limit in this batch.
        public var limitHits = 0
    }

    /// Runs every detector over one batch (the part of `scan` that batches of one input can do
    /// on several workers at once).
    public func detect(_ batch: TextBatch, path: String) -> Detected {
        var detected = Detected()
        let hitsBefore = scratch.limitHits
        let fieldHints = batch.fields.map { hints(for: $0) }
        detected.fieldHints = fieldHints
        guard !batch.segments.isEmpty else {
            detected.limitHits = scratch.limitHits - hitsBefore
            return detected
        }
        var candidates: [Candidate] = []
        batch.bytes.withUnsafeBufferPointer { buffer in
            var measured = false
            for (index, detector) in detectors.enumerated() {
                guard let pattern = detector.pattern else { continue }
                let found = { (range: Range<Int>) in
                    if let candidate = self.evaluate(detector: index, range: range, batch: batch, buffer: buffer, fieldHints: fieldHints) {
                        candidates.append(candidate)
                    }
                }
                let ordinal = filteredOrdinal[index]
                let block = options.prefilter ? detector.block : nil
                if ordinal >= 0 || block != nil {
                    if !measured {
                        lineIndex.measure(buffer, anchors: anchors)
                        lineIndex.assignFields(batch.segments)
                        admitAll(fieldHints: fieldHints)
                        measured = true
                    }
                    var admitted: [Int32]
                    if let block {
                        // Never narrowed to the lines with context words: a block's other lines
                        // hold the rest of its matches.
                        admitted = blockLines(block, buffer: buffer)
                    } else {
                        admitted = admittedLines[ordinal]
                        if detector.requiresContext && !(contextSets != 0 && contextSlots[index] >= 0) {
                            admitted = withContext(admitted, detector: index, buffer: buffer, fieldHints: fieldHints)
                        }
                    }
                    let lines = lineIndex.lines, lineWords = lineIndex.words, bounds = lineIndex.bounds, firstSegments = lineIndex.firstSegments
                    var passes: [(PCRE2Regex, [Int32], MatchStart?)] = [(pattern, admitted, nil)]
                    if let lean = detector.leanPattern {
                        // Lines that do not meet `unless` take the lean pattern (same matches there).
                        var full: [Int32] = [], leanLines: [Int32] = []
                        for l in admitted {
                            if detector.leanUnless.contains(where: { $0.admits(lines[Int(l)], words: lineWords[Int(l)]) }) { full.append(l) } else { leanLines.append(l) }
                        }
                        if !leanLines.isEmpty {
                            let leanPass = detector.leanStarts.map { ($0.anchored, leanLines, $0.shape) } ?? (lean, leanLines, nil)
                            passes = [(pattern, full, nil), leanPass]
                        }
                    }
                    for (regex, lineList, shape) in passes {
                        forEachWindow(lineList) { first, start, end in
                            // The match's line gives the cell to start looking from (`segmentIndex`).
                            var l = first
                            regex.forEachMatch(in: buffer, from: start, upTo: end, startingWith: shape, scratch: scratch) { range in
                                while l + 1 < bounds.count, bounds.end(l) < range.lowerBound { l += 1 }
                                self.segmentHint = Int(firstSegments[l])
                                found(range)
                            }
                        }
                    }
                } else {
                    pattern.forEachMatch(in: buffer, scratch: scratch, found)
                }
            }
            if !batch.fields.isEmpty {
                fieldValueCandidates(batch: batch, buffer: buffer, fieldHints: fieldHints, into: &candidates)
            }
            detected.accepted = resolveOverlaps(candidates, buffer: buffer)
            var locator = Locator(buffer: buffer)
            for candidate in detected.accepted where candidate.confidence >= options.minConfidence {
                detected.findings.append(makeFinding(candidate, batch: batch, buffer: buffer, path: path, locator: &locator))
            }
        }
        detected.limitHits = scratch.limitHits - hitsBefore
        return detected
    }

    /// Counts a detected batch's cells and hits per column (in batch order: columns are listed
    /// in order of first appearance, and a long cell's pieces carry over batches).
    public func count(_ detected: Detected, in batch: TextBatch, tally: inout ColumnTally) {
        guard !batch.segments.isEmpty || !batch.emptyCells.isEmpty else { return }
        let fieldHints = detected.fieldHints.count == batch.fields.count ? detected.fieldHints : batch.fields.map { hints(for: $0) }
        count(detected.accepted, in: batch, fieldHints: fieldHints, tally: &tally)
    }

    /// Match attempts another worker abandoned for this worker's input.
    public func absorbLimitHits(_ n: Int) { absorbedLimitHits += n }

    /// Fills `admittedLines`: for each filtered detector, the lines its prefilter admits, in one
    /// pass over the lines (a line with no digit, mark or anchor word meets no prefilter).
    private func admitAll(fieldHints: [[Bool]]) {
        // Locals only in the loops: properties of a class would pay an exclusivity check per
        // access, and a second reference to the arrays would copy them on write.
        var lists: [[Int32]] = []
        swap(&lists, &admittedLines)
        defer { swap(&lists, &admittedLines) }
        for k in lists.indices { lists[k].removeAll(keepingCapacity: true) }
        let lines = lineIndex.lines, lineWords = lineIndex.words
        // Every threshold set in one flat array: with an array per detector, loading each one's
        // header was a dependent load per line and detector, a third of a CSV batch's admission
        // (a line per cell).
        let flat = flatConditions, owners = conditionOwners
        let skipBare = self.skipBareLines
        if let admission {
            let bare = admission.bareMask
            // A detector that requires context is admitted on a line in a field whose name hints
            // it, over several cells, or holding one of its context words (as `withContext`).
            let contextSets = self.contextSets, slotSets = self.contextSlotSets, contextSlotBits = self.contextSlotBits
            let hintedSets: [UInt64] = fieldHints.map { hints in
                var sets: UInt64 = 0
                for (c, k) in owners.enumerated() where contextSets & (1 << UInt64(c)) != 0 && hints[filteredDetectors[k]] {
                    sets |= 1 << UInt64(c)
                }
                return sets
            }
            let lineFields = lineIndex.fields
            admission.withTables { counted, bitSets, marks in
                owners.withUnsafeBufferPointer { owners in
                    for l in lines.indices {
                        let line = lines[l], words = lineWords[l]
                        var mask = line.digits == 0 && line.marks == 0 && words == 0
                            ? bare : admission.mask(line, words: words, counted: counted, bitSets: bitSets, marks: marks)
                        if mask & contextSets != 0 {
                            let field = lineFields[l]
                            var allowed = field == LineIndex.severalFields ? contextSets : field >= 0 ? hintedSets[Int(field)] : 0
                            var words = words & contextSlotBits
                            while words != 0 {
                                allowed |= slotSets[words.trailingZeroBitCount]
                                words &= words - 1
                            }
                            mask &= ~contextSets | allowed
                        }
                        var last = -1
                        while mask != 0 {
                            // A detector's sets are consecutive bits: the line is listed once.
                            let k = owners[mask.trailingZeroBitCount]
                            mask &= mask - 1
                            if k != last {
                                last = k
                                lists[k].append(Int32(l))
                            }
                        }
                    }
                }
            }
            return
        }
        for l in lines.indices {
            let line = lines[l], words = lineWords[l]
            if skipBare && line.digits == 0 && line.marks == 0 && words == 0 { continue }
            var last = -1
            for c in flat.indices {
                let k = owners[c]
                // A detector's alternatives are consecutive: the line is listed once.
                if k != last && flat[c].admits(line, words: words) {
                    last = k
                    lists[k].append(Int32(l))
                }
            }
        }
    }

    /// The admitted lines of a detector that requires context: those in a field whose name hints
    /// it (a line over several cells counts as hinted), and those holding one of its context words
    /// (found by the anchor matcher's pass when the detector has a slot in it, else with the
    /// boundary-free form of its keywords; either finds at least what the context check will).
    private func withContext(_ admitted: [Int32], detector index: Int, buffer: UnsafeBufferPointer<UInt8>, fieldHints: [[Bool]]) -> [Int32] {
        let detector = detectors[index]
        let hinted = fieldHints.map { $0[index] }
        let bounds = lineIndex.bounds
        let lineFields = lineIndex.fields, lineWords = lineIndex.words
        let slot = contextSlots[index]
        if slot >= 0 {
            let bit: UInt64 = 1 << UInt64(slot)
            return admitted.filter { l in
                let field = lineFields[Int(l)]
                return field == LineIndex.severalFields || (field >= 0 && hinted[Int(field)]) || lineWords[Int(l)] & bit != 0
            }
        }
        var kept: [Int32] = []
        var pending: [Int32] = []
        for l in admitted {
            let field = lineFields[Int(l)]
            if field == LineIndex.severalFields || (field >= 0 && hinted[Int(field)]) { kept.append(l) } else { pending.append(l) }
        }
        guard !pending.isEmpty, let context = detector.contextAnywhere else { return kept }
        var marked = [Bool](repeating: false, count: pending.count)
        var i = 0
        while i < pending.count {
            var j = i
            while j + 1 < pending.count, pending[j + 1] == pending[j] + 1 { j += 1 }
            // One search over the run of consecutive lines; every line a match touches is marked.
            let first = Int(pending[i]), last = Int(pending[j])
            var cursor = first
            context.forEachMatch(in: buffer, from: bounds.start(first), upTo: bounds.end(last), scratch: scratch) { range in
                while cursor <= last, bounds.end(cursor) < range.lowerBound { cursor += 1 }
                var k = cursor
                while k <= last, bounds.start(k) <= range.upperBound {
                    marked[i + k - first] = true
                    k += 1
                }
            }
            i = j + 1
        }
        // Both lists are in line order: merge them.
        var out: [Int32] = []
        out.reserveCapacity(kept.count + pending.count)
        var a = 0
        for (p, l) in pending.enumerated() where marked[p] {
            while a < kept.count, kept[a] < l { out.append(kept[a]); a += 1 }
            out.append(l)
        }
        out.append(contentsOf: kept[a...])
        return out
    }

    /// The lines a `block` detector's pattern runs on: the `lines` lines from each line that
    /// starts a block.
    private func blockLines(_ block: BlockPrefilter.Compiled, buffer: UnsafeBufferPointer<UInt8>) -> [Int32] {
        let ends = lineIndex.bounds.ends
        var out: [Int32] = []
        var listed = 0
        var start = 0
        for (l, end) in ends.enumerated() {
            defer { start = Int(end) + 1 }
            guard block.startsBlock(buffer, start: start, end: Int(end)) else { continue }
            let last = min(l + block.lines, ends.count)
            for k in max(l, listed)..<last { out.append(Int32(k)) }
            listed = max(listed, last)
        }
        return out
    }

    /// Calls `body` with each run of consecutive lines of `admitted` (first line, start offset, end
    /// newline).
    private func forEachWindow(_ admitted: [Int32], _ body: (Int, Int, Int) -> Void) {
        let bounds = lineIndex.bounds
        var i = 0
        while i < admitted.count {
            var j = i
            while j + 1 < admitted.count, admitted[j + 1] == admitted[j] + 1 { j += 1 }
            body(Int(admitted[i]), bounds.start(Int(admitted[i])), bounds.end(Int(admitted[j])))
            i = j + 1
        }
    }

    /// `NULL`, `null` or `\N` written as a value (CSV exports of databases): an empty cell.
    static func isNullMarker(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        switch cell.count {
        case 2: return cell[0] == 0x5C && cell[1] == 0x4E
        case 4: return (cell[0] == 0x4E && cell[1] == 0x55 && cell[2] == 0x4C && cell[3] == 0x4C)
            || (cell[0] == 0x6E && cell[1] == 0x75 && cell[2] == 0x6C && cell[3] == 0x6C)
        default: return false
        }
    }

    /// Column statistics: cells seen and non-empty per field, and per category the cells with
    /// at least one reported finding.
    private func count(_ accepted: [Candidate], in batch: TextBatch, fieldHints: [[Bool]], tally: inout ColumnTally) {
        let slots: [Int?] = batch.fields.indices.map { i in
            tally.slot(table: batch.fieldTables[i], field: batch.fields[i]) {
                var categories: [String] = []
                for (d, hinted) in fieldHints[i].enumerated() where hinted && !categories.contains(detectors[d].category) {
                    categories.append(detectors[d].category)
                }
                return categories
            }
        }
        // Cells per column counted in locals and added once: updating `tally.columns[slot]` in
        // place for every cell checked the array's uniqueness each time.
        var rows = [Int](repeating: 0, count: tally.columns.count), nonEmpty = rows
        let cellWise = tally.columns.map { $0.consent != nil || $0.dates != nil }
        batch.bytes.withUnsafeBufferPointer { bytes in
            for segment in batch.segments where segment.field >= 0 && !segment.isContinuation {
                guard let slot = slots[Int(segment.field)] else { continue }
                rows[slot] += 1
                let cell = UnsafeBufferPointer(rebasing: bytes[segment.start..<segment.end])
                if !Self.isNullMarker(cell) {
                    nonEmpty[slot] += 1
                    guard cellWise[slot] else { continue }
                    if tally.columns[slot].consent != nil { tally.columns[slot].consent?.add(cell) }
                    if tally.columns[slot].dates != nil {
                        if let day = Day.parse(cell) {
                            tally.columns[slot].dates?.add(day, row: segment.row, line: segment.line)
                        } else {
                            tally.columns[slot].dates?.unparsed += 1
                        }
                    }
                }
            }
        }
        for (field, n) in batch.emptyCells {
            guard let slot = slots[Int(field)] else { continue }
            rows[slot] += n
        }
        for slot in rows.indices where rows[slot] != 0 {
            tally.columns[slot].rows += rows[slot]
            tally.columns[slot].nonEmpty += nonEmpty[slot]
        }
        // Free text (no field): one pseudo-column per input counting findings per category, so a
        // log full of NIRs is classified and checked against the policy like a NIR column.
        var textSlot: Int?
        for candidate in accepted where candidate.confidence >= options.minConfidence && batch.segments[candidate.segment].field < 0 {
            if textSlot == nil {
                textSlot = tally.slot(table: nil, field: ColumnStats.freeTextField) { [] }
                if let slot = textSlot { tally.columns[slot].freeText = true }
            }
            guard let slot = textSlot else { break }
            let detector = detectors[candidate.detector]
            tally.columns[slot].detectors[detector.id, default: 0] += 1
            tally.columns[slot].hits[detector.category, default: 0] += 1
        }
        // Hits count cells, not pieces: the categories seen in a long cell carry over its pieces,
        // into the next batch too. A cell is known by its first piece (-1: the cell the previous
        // batch ended in); only the accepted matches are visited, in segment order, and the walk
        // back to a cell's first piece stops at the last segment looked up (a cell of many pieces
        // is walked once, not once per match).
        let segments = batch.segments
        var lastSegment = -1, lastOwner = -1
        func cell(of segment: Int) -> Int {
            var s = segment
            var owner: Int
            while true {
                if s == lastSegment { owner = lastOwner; break }
                if !segments[s].isContinuation { owner = s; break }
                if s == 0 { owner = -1; break }
                s -= 1
            }
            lastSegment = segment
            lastOwner = owner
            return owner
        }
        var seen = tally.openCell
        var seenCell = -1
        for candidate in accepted where candidate.confidence >= options.minConfidence {
            let segment = segments[candidate.segment]
            guard segment.field >= 0, let slot = slots[Int(segment.field)] else { continue }
            let owner = cell(of: candidate.segment)
            if owner != seenCell {
                seen.clear()
                seenCell = owner
            }
            let detector = detectors[candidate.detector]
            tally.columns[slot].detectors[detector.id, default: 0] += 1
            if !seen.contains(detector.category) {
                seen.append(detector.category)
                tally.columns[slot].hits[detector.category, default: 0] += 1
            }
        }
        // What the last cell showed carries over only if the next batch may continue it.
        let lastCell = segments.isEmpty ? -1 : cell(of: segments.count - 1)
        if lastCell != seenCell { seen.clear() }
        tally.openCell = seen
    }

    /// Where to start looking for a match's segment: the first cell of its line, or the segment
    /// of the last match (a detector's matches come in offset order). The search gallops forward
    /// from there (1, 2, 4... cells) before its binary search, and stays among nearby cells. A plain binary search over a CSV batch's ~80,000 segments missed the cache at
    /// most of its 17 steps: 4 % of a CSV scan.
    private var segmentHint = 0

    private func segmentIndex(containing offset: Int, in segments: [TextBatch.Segment]) -> Int {
        var lo = 0, hi = segments.count - 1
        if segmentHint < segments.count, segments[segmentHint].start <= offset {
            lo = segmentHint
            var step = 1
            while lo + step <= hi, segments[lo + step].start <= offset {
                lo += step
                step *= 2
            }
            hi = min(hi, lo + step - 1)
        }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if segments[mid].start <= offset { lo = mid } else { hi = mid - 1 }
        }
        segmentHint = lo
        return lo
    }

    private func evaluate(detector index: Int, range: Range<Int>, batch: TextBatch, buffer: UnsafeBufferPointer<UInt8>, fieldHints: [[Bool]]) -> Candidate? {
        let detector = detectors[index]
        guard !range.isEmpty else { return nil }
        var confidence = detector.baseConfidence
        // The validator first: most candidates of a decoy-dense input fail it (15-digit ids as
        // cards, private addresses), and neither their cell (a search among the batch's cells)
        // nor their signals need to be found.
        var validated: String?
        if let validator = detector.validator {
            switch validator.validate(UnsafeBufferPointer(rebasing: buffer[range])) {
            case .invalid: return nil
            case .checksum:
                confidence = max(confidence, detector.validatedConfidence)
                validated = "validator:\(validator.name)"
            case .plausible:
                validated = "validator:\(validator.name)"
            case .weak:
                // A test or reserved value ends at low confidence whatever else is found: below the
                // threshold, it can be dropped before the context searches (most rejected IP
                // candidates are private addresses). A low candidate never wins an overlap against
                // a reported one; only `merge_nearby` could stretch a reported finding over it.
                if options.minConfidence > .low && detector.definition.mergeNearby != true { return nil }
                validated = "validator:\(validator.name):test-or-reserved-value"
            }
        }
        let s = segmentIndex(containing: range.lowerBound, in: batch.segments)
        let segment = batch.segments[s]
        guard range.upperBound <= segment.end, range.lowerBound >= segment.emitFrom, range.lowerBound < segment.emitUntil else { return nil }
        var signals = ["pattern"]
        if let validated { signals.append(validated) }
        if let exclude = detector.excludeContext {
            var from = range.lowerBound
            let floor = max(segment.start, range.lowerBound - excludeWindow)
            while from > floor, buffer[from - 1] != 0x0A { from -= 1 }
            // A word in an earlier sentence or clause vetoes nothing ("N° de suivi 6A24…. CB 5223…").
            var clause = range.lowerBound
            while clause > from + 1, !((buffer[clause - 2] == 0x2E || buffer[clause - 2] == 0x3B || buffer[clause - 2] == 0x21 || buffer[clause - 2] == 0x3F)
                                         && buffer[clause - 1] == 0x20) { clause -= 1 }
            if clause > from + 1 { from = clause }
            let window = from..<range.lowerBound
            if !window.isEmpty, exclude.firstPhrase(in: UnsafeBufferPointer(rebasing: buffer[window]), scratch: scratch) != nil {
                return nil
            }
        }
        var contextSeen = false
        if let context = detector.context {
            // Context counts on the match's own line only: a word at the end of one log line
            // says nothing about a value at the start of the next.
            var from = range.lowerBound
            let floor = max(segment.start, range.lowerBound - contextBefore)
            while from > floor, buffer[from - 1] != 0x0A { from -= 1 }
            var to = range.upperBound
            let ceiling = min(segment.end, range.upperBound + contextAfter)
            while to < ceiling, buffer[to] != 0x0A { to += 1 }
            let before = from..<range.lowerBound
            let after = range.upperBound..<to
            for window in [before, after] where !window.isEmpty {
                if let phrase = context.firstPhrase(in: UnsafeBufferPointer(rebasing: buffer[window]), scratch: scratch) {
                    contextSeen = true
                    signals.append("context:\(context.phrases[phrase])")
                    break
                }
            }
        }
        let fieldHint = segment.field >= 0 && fieldHints[Int(segment.field)][index]
        if fieldHint { signals.append("field:\(batch.fields[Int(segment.field)])") }
        if detector.requiresContext && !contextSeen && !fieldHint { return nil }
        if contextSeen { confidence = confidence.raised() }
        if fieldHint { confidence = .high }
        if signals.contains(where: { $0.hasSuffix(":test-or-reserved-value") }) { confidence = .low }
        return Candidate(detector: index, segment: s, range: range, confidence: confidence, signals: signals)
    }

    /// Field-only detection: a cell whose column name is a hint and whose whole value has the
    /// expected shape (names, gender, address lines, salary amounts, yes/no status columns).
    private func fieldValueCandidates(batch: TextBatch, buffer: UnsafeBufferPointer<UInt8>, fieldHints: [[Bool]], into candidates: inout [Candidate]) {
        let withValues = detectors.indices.filter { detectors[$0].fieldValue != nil }
        guard !withValues.isEmpty else { return }
        // Most columns hint none of them (ids, dates, amounts): their cells are skipped at once.
        let hinted = fieldHints.map { hints in withValues.contains { hints[$0] } }
        guard hinted.contains(true) else { return }
        for (s, segment) in batch.segments.enumerated() where segment.field >= 0 && hinted[Int(segment.field)] && segment.start >= segment.emitFrom {
            let hints = fieldHints[Int(segment.field)]
            var lo = segment.start, hi = segment.end
            while lo < hi, buffer[lo] == 0x20 || buffer[lo] == 0x09 { lo += 1 }
            while hi > lo, buffer[hi - 1] == 0x20 || buffer[hi - 1] == 0x09 || buffer[hi - 1] == 0x0D { hi -= 1 }
            guard lo < hi else { continue }
            let value = UnsafeBufferPointer(rebasing: buffer[lo..<hi])
            for index in withValues where hints[index] {
                let detector = detectors[index]
                guard let fieldValue = detector.fieldValue, fieldValue.matchesWhole(value, scratch: scratch) else { continue }
                var signals = ["field:\(batch.fields[Int(segment.field)])", "value-shape"]
                if let validator = detector.validator {
                    if validator.validate(value) == .invalid { continue }
                    signals.append("validator:\(validator.name)")
                }
                candidates.append(Candidate(detector: index, segment: s, range: lo..<hi, confidence: .high, signals: signals))
            }
        }
    }

    /// Where candidates overlap, the most confident wins, then the longest, then catalog order.
    private func resolveOverlaps(_ candidates: [Candidate], buffer: UnsafeBufferPointer<UInt8>) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        let byStart = candidates.sorted { ($0.range.lowerBound, $0.detector) < ($1.range.lowerBound, $1.detector) }
        var accepted: [Candidate] = []
        accepted.reserveCapacity(byStart.count)
        // Only candidates that overlap, directly or through a chain, compete: resolve each such
        // cluster on its own (linear in the batch, clusters are tiny).
        var clusterStart = 0
        var clusterEnd = byStart[0].range.upperBound
        for i in 1...byStart.count {
            if i < byStart.count, byStart[i].range.lowerBound < clusterEnd {
                clusterEnd = max(clusterEnd, byStart[i].range.upperBound)
                continue
            }
            Self.resolveCluster(byStart[clusterStart..<i], into: &accepted)
            if i < byStart.count {
                clusterStart = i
                clusterEnd = byStart[i].range.upperBound
            }
        }
        return mergeNearby(accepted, buffer: buffer)
    }

    /// Within overlapping candidates the most confident wins, then the longest, then catalog
    /// order; the winners are appended in position order.
    private static func resolveCluster(_ cluster: ArraySlice<Candidate>, into accepted: inout [Candidate]) {
        if cluster.count == 1 {
            accepted.append(cluster[cluster.startIndex])
            return
        }
        let ranked = cluster.sorted { a, b in
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            // In a phone column a phone beats a card number of the same confidence.
            let ah = a.signals.contains { $0.hasPrefix("field:") }, bh = b.signals.contains { $0.hasPrefix("field:") }
            if ah != bh { return ah }
            if a.range.count != b.range.count { return a.range.count > b.range.count }
            if a.detector != b.detector { return a.detector < b.detector }
            return a.range.lowerBound < b.range.lowerBound
        }
        var winners: [Candidate] = []
        for candidate in ranked where !winners.contains(where: { $0.range.overlaps(candidate.range) }) {
            winners.append(candidate)
        }
        accepted += winners.sorted { ($0.range.lowerBound, $0.detector) < ($1.range.lowerBound, $1.detector) }
    }

    static let mergeGap = 40

    /// Joins consecutive matches of a `merge_nearby` detector separated by a short gap on the
    /// same line into one finding.
    private func mergeNearby(_ sorted: [Candidate], buffer: UnsafeBufferPointer<UInt8>) -> [Candidate] {
        guard sorted.count > 1, detectors.contains(where: { $0.definition.mergeNearby == true }) else { return sorted }
        var out: [Candidate] = []
        for c in sorted {
            if let last = out.last, last.detector == c.detector, last.segment == c.segment,
               detectors[c.detector].definition.mergeNearby == true,
               c.range.lowerBound >= last.range.upperBound,
               c.range.lowerBound - last.range.upperBound <= Self.mergeGap,
               !buffer[last.range.upperBound..<c.range.lowerBound].contains(0x0A) {
                var merged = last
                merged.range = last.range.lowerBound..<c.range.upperBound
                merged.confidence = max(last.confidence, c.confidence)
                for signal in c.signals where !merged.signals.contains(signal) { merged.signals.append(signal) }
                out[out.count - 1] = merged
            } else {
                out.append(c)
            }
        }
        return out
    }

    private func makeFinding(_ c: Candidate, batch: TextBatch, buffer: UnsafeBufferPointer<UInt8>, path: String, locator: inout Locator) -> Finding {
        let detector = detectors[c.detector]
        let segment = batch.segments[c.segment]
        let (line, column) = locator.position(of: c.range.lowerBound, in: segment)
        let bytes = UnsafeBufferPointer(rebasing: buffer[c.range])
        let field = segment.field >= 0 ? batch.fields[Int(segment.field)] : nil
        return Finding(
            path: path, line: line, column: column,
            field: segment.field >= 0 ? batch.fields[Int(segment.field)] : nil,
            category: detector.category, detector: detector.id, confidence: c.confidence,
            masked: Masking.mask(bytes), signals: c.signals,
            value: options.showValues ? String(decoding: bytes, as: UTF8.self) : nil,
            row: segment.row > 0 ? segment.row : nil,
            location: segment.location >= 0 ? batch.locations[Int(segment.location)] : nil,
            fingerprint: options.fingerprinter?.finding(detector: detector.id, value: bytes, field: field))
    }
}

/// Turns byte offsets of a batch into physical line and column numbers.
struct Locator {
    let buffer: UnsafeBufferPointer<UInt8>
    private var newlines: [Int]?
    /// The last column counted: offsets come in order, so the characters of a long line are
    /// counted once, not once per finding on it (a line of 20,000 e-mails would be quadratic).
    private var last: (lineStart: Int, offset: Int, column: Int)?

    init(buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func position(of offset: Int, in segment: TextBatch.Segment) -> (line: Int, column: Int) {
        if segment.line == 0 { return (0, 0) }
        if segment.anchored { return (segment.line, column(of: offset, lineStart: segment.start, startColumn: segment.column)) }
        if newlines == nil {
            // memchr: a byte loop here was 4 % of a log scan (lines of ~200 bytes).
            var list: [Int] = []
            if let base = buffer.baseAddress {
                var offset = 0
                while offset < buffer.count, let hit = memchr(base + offset, 0x0A, buffer.count - offset) {
                    let newline = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    list.append(newline)
                    offset = newline + 1
                }
            }
            newlines = list
        }
        let lines = newlines ?? []
        let first = lowerBound(lines, segment.start)
        let upto = lowerBound(lines, offset)
        let count = upto - first
        if count == 0 {
            return (segment.line, column(of: offset, lineStart: segment.start, startColumn: segment.column))
        }
        let lastBreak = lines[upto - 1]
        return (segment.line + count, column(of: offset, lineStart: lastBreak + 1, startColumn: 1))
    }

    /// The column of `offset` on the line (or cell) that starts at `lineStart` in `startColumn`.
    private mutating func column(of offset: Int, lineStart: Int, startColumn: Int) -> Int {
        let column: Int
        if let last, last.lineStart == lineStart, last.offset <= offset {
            column = last.column + scalars(last.offset..<offset)
        } else {
            column = startColumn + scalars(lineStart..<offset)
        }
        last = (lineStart, offset, column)
        return column
    }

    private func scalars(_ range: Range<Int>) -> Int {
        var n = 0
        for i in range where buffer[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    private func lowerBound(_ array: [Int], _ value: Int) -> Int {
        var lo = 0, hi = array.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if array[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

