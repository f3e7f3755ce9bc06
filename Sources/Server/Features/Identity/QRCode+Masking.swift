// Data masking: the eight mask patterns, and the penalty score used to pick one.
//
// Masking exists because raw data can produce patterns that confuse a reader: large flat
// areas, long runs, or shapes that look like finder patterns. The encoder tries all eight
// masks and keeps the one whose finished symbol scores the fewest penalty points.

extension QRCode {
    /// Whether mask `mask` inverts the module at column `x`, row `y` (ISO/IEC 18004
    /// Table 10, where i is the row and j the column).
    static func maskCondition(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (y + x) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (y + x) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (y * x) % 2 + (y * x) % 3 == 0
        case 6: ((y * x) % 2 + (y * x) % 3) % 2 == 0
        case 7: ((y + x) % 2 + (y * x) % 3) % 2 == 0
        default: false
        }
    }
}

extension QRCode.Grid {
    /// The mask (0...7) whose finished symbol has the lowest penalty; ties go to the lower
    /// number. Each candidate is scored with its own format information drawn in, because
    /// those modules are part of the symbol a reader sees. (The Python `qrcode` package scores
    /// with format and version information left light, so it sometimes picks another mask;
    /// any mask makes a valid symbol, the choice only affects how easily it scans.)
    func lowestPenaltyMask() -> Int {
        var best = (mask: 0, penalty: Int.max)
        for mask in QRCode.maskPatterns {
            let penalty = penalty(ofMask: mask)
            if penalty < best.penalty { best = (mask, penalty) }
        }
        return best.mask
    }

    /// The penalty of this grid (data placed, not yet masked) finished with `mask`.
    func penalty(ofMask mask: Int) -> Int {
        var candidate = self
        candidate.applyMask(mask)
        candidate.drawFormatInformation(mask: mask)
        return candidate.penalty()
    }

    /// The total penalty score, rules N1 to N4 of ISO/IEC 18004 (7.8.3).
    func penalty() -> Int {
        var total = 0
        for index in 0..<size {
            let row = (0..<size).map { self[$0, index] }
            let column = (0..<size).map { self[index, $0] }
            total += Self.runPenalty(row) + Self.runPenalty(column)
            total += Self.finderLikePenalty(row) + Self.finderLikePenalty(column)
        }
        return total + blockPenalty() + balancePenalty()
    }

    /// N1: 3 points for each run of five same-coloured modules in a row or column, plus
    /// 1 for each module beyond five.
    static func runPenalty(_ line: [Bool]) -> Int {
        var penalty = 0
        var runStart = 0
        for index in 1...line.count where index == line.count || line[index] != line[runStart] {
            let length = index - runStart
            if length >= 5 { penalty += length - 2 }
            runStart = index
        }
        return penalty
    }

    /// N2: 3 points for each 2×2 block of one colour (overlapping blocks each count).
    func blockPenalty() -> Int {
        var penalty = 0
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = self[x, y]
                if self[x + 1, y] == colour && self[x, y + 1] == colour && self[x + 1, y + 1] == colour {
                    penalty += 3
                }
            }
        }
        return penalty
    }

    /// The finder-like shape 1:1:3:1:1 followed by four light modules, and the same
    /// preceded by four light modules.
    private static let finderLikeWindows: [[Bool]] = [
        [true, false, true, true, true, false, true, false, false, false, false],
        [false, false, false, false, true, false, true, true, true, false, true],
    ]

    /// N3: 40 points for each finder-like pattern in a row or column: dark-light-dark-dark-
    /// dark-light-dark with four light modules before or after it. A pattern with light on
    /// both sides counts twice. Only modules inside the symbol count (the quiet zone is not
    /// taken as the light side), as in the widely used `qrcode` Python package.
    static func finderLikePenalty(_ line: [Bool]) -> Int {
        guard line.count >= 11 else { return 0 }
        var penalty = 0
        for start in 0...(line.count - 11) {
            let window = line[start..<(start + 11)]
            for pattern in finderLikeWindows where window.elementsEqual(pattern) {
                penalty += 40
            }
        }
        return penalty
    }

    /// N4: 10 points for each full 5 % step that the proportion of dark modules departs
    /// from 50 %.
    func balancePenalty() -> Int {
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        // |dark/total − 1/2| / 5 % = |20·dark − 10·total| / total, rounded down.
        return abs(20 * dark - 10 * total) / total * 10
    }
}
