/// A QR code symbol (ISO/IEC 18004) built from text, for showing a TOTP enrolment URI
/// (`otpauth://totp/...`) on a web page so that an authenticator app can scan it.
///
/// The project takes no package dependencies for this, so the encoder covers exactly what
/// enrolment needs and no more: byte mode (the URI as UTF-8, no mode switching), error
/// correction level M, and versions 1 to 10 (at most 213 bytes). Level M recovers about 15 %
/// of the codewords, the usual balance for a code shown on a screen: sturdy enough for a phone
/// camera, yet small enough that a 100 to 150 character URI lands at version 6 to 8.
///
/// The symbol is computed once, in the initializer, and is immutable afterwards.
public struct QRCode: Sendable {
    /// Why the text could not be encoded.
    public enum Error: Swift.Error, Sendable, Equatable {
        /// The text's UTF-8 bytes do not fit a version 10 symbol at level M (213 bytes),
        /// or, for the testing initializer, the forced version.
        case tooLong
    }

    /// Modules per side, without the quiet zone: 21 for version 1, 4 more per version.
    public let size: Int

    /// The version (1...10): the smallest that holds the text, unless forced for testing.
    let version: Int

    /// The mask pattern (0...7, standard numbering) that was applied.
    let mask: Int

    /// Dark flags, row by row, `size * size` of them.
    private let modules: [Bool]

    /// Encodes the text's UTF-8 bytes in the smallest version that fits, choosing the
    /// mask with the lowest penalty.
    public init(encoding text: String) throws(QRCode.Error) {
        try self.init(encoding: text, version: nil, mask: nil)
    }

    /// Encodes the text with a forced mask (0...7), or the lowest-penalty one for `nil`,
    /// so that tests can compare against a reference encoder mask by mask.
    init(encoding text: String, mask: Int?) throws(QRCode.Error) {
        try self.init(encoding: text, version: nil, mask: mask)
    }

    /// Encodes the text with a forced version (1...10) and mask (0...7); `nil` picks as
    /// usual. Forcing the version lets tests cover versions that short inputs would not reach.
    /// - Throws: `.tooLong` if the text does not fit the (forced or largest) version.
    init(encoding text: String, version forcedVersion: Int?, mask forcedMask: Int?) throws(QRCode.Error) {
        precondition(forcedVersion.map(Self.supportedVersions.contains) ?? true, "QR version must be 1...10")
        precondition(forcedMask.map(Self.maskPatterns.contains) ?? true, "QR mask must be 0...7")
        let bytes = Array(text.utf8)
        let candidates = forcedVersion.map { [$0] } ?? Array(Self.supportedVersions)
        guard let version = candidates.first(where: { Self.fits(byteCount: bytes.count, version: $0) }) else {
            throw QRCode.Error.tooLong
        }
        var grid = Self.unmaskedGrid(bytes: bytes, version: version)
        let mask = forcedMask ?? grid.lowestPenaltyMask()
        grid.applyMask(mask)
        grid.drawFormatInformation(mask: mask)

        self.size = grid.size
        self.version = version
        self.mask = mask
        self.modules = grid.modules
    }

    /// Everything but the mask: function patterns drawn, and the data with its error
    /// correction placed. The caller has checked that the bytes fit `version`.
    static func unmaskedGrid(bytes: [UInt8], version: Int) -> Grid {
        let layout = BlockLayout.levelM(version: version)
        let data = dataCodewords(bytes: bytes, version: version, capacity: layout.dataCodewords)
        var grid = Grid(version: version)
        grid.drawFunctionPatterns()
        grid.placeCodewords(finalCodewords(data: data, layout: layout))
        return grid
    }

    /// Whether the module at column `x`, row `y` (origin top left) is dark. Coordinates
    /// outside the symbol answer `false`: that is the light quiet zone around it.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// The symbol as a standalone SVG document: black modules on a white background.
    ///
    /// Dark modules are merged into horizontal runs of one `<path>`, which keeps the markup
    /// small (a version 7 code is a few kilobytes), and `crispEdges` stops anti-aliasing
    /// seams between runs that could confuse a scanner. The image is `role="img"` with a
    /// `<title>` so that screen readers announce it.
    /// - Parameters:
    ///   - moduleSize: pixels per module in the `width`/`height` attributes (at least 1).
    ///   - quietZone: light modules around the symbol; the standard asks for 4 (at least 0).
    ///   - title: the accessible name, XML-escaped here.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String) -> String {
        let quiet = max(0, quietZone)
        let side = size + 2 * quiet
        let pixels = side * max(1, moduleSize)
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                var run = 1
                while isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" role="img" shape-rendering="crispEdges">\
            <title>\(Self.xmlEscaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    /// Escapes the five XML special characters so any title is safe inside the element
    /// (and would be inside an attribute too).
    static func xmlEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

// MARK: - Capacity and data codewords

extension QRCode {
    /// Versions this encoder produces. Version 10 (57 modules) holds 213 bytes at level M,
    /// well over any enrolment URI; larger versions would only add untested code.
    static let supportedVersions = 1...10

    /// Mask pattern references, in the standard's numbering.
    static let maskPatterns = 0...7

    /// Byte mode's mode indicator, `0100`.
    static let byteModeIndicator = 0b0100

    /// Bits of the character count field in byte mode: 8 up to version 9, 16 from version 10.
    static func characterCountBits(version: Int) -> Int {
        version <= 9 ? 8 : 16
    }

    /// Whether `byteCount` bytes fit the data codewords of `version` at level M, counting
    /// the mode indicator and the character count field.
    static func fits(byteCount: Int, version: Int) -> Bool {
        let needed = 4 + characterCountBits(version: version) + 8 * byteCount
        return needed <= BlockLayout.levelM(version: version).dataCodewords * 8
    }

    /// The data codewords: mode indicator, character count, the bytes, then a terminator of
    /// up to four zero bits, zero bits to the byte boundary, and the alternating pad bytes
    /// 0xEC 0x11 up to `capacity`. The caller has checked that the bytes fit.
    static func dataCodewords(bytes: [UInt8], version: Int, capacity: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(byteModeIndicator, bitCount: 4)
        bits.append(bytes.count, bitCount: characterCountBits(version: version))
        for byte in bytes { bits.append(Int(byte), bitCount: 8) }
        bits.append(0, bitCount: min(4, capacity * 8 - bits.count))
        bits.append(0, bitCount: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        let padBytes: [UInt8] = [0xEC, 0x11]
        var padIndex = 0
        while codewords.count < capacity {
            codewords.append(padBytes[padIndex % 2])
            padIndex += 1
        }
        return codewords
    }

    /// A growing sequence of bits, most significant first, as the standard writes fields.
    struct BitBuffer {
        private(set) var bytes: [UInt8] = []
        private(set) var count = 0

        /// Appends the low `bitCount` bits of `value`, most significant first.
        mutating func append(_ value: Int, bitCount: Int) {
            for shift in stride(from: bitCount - 1, through: 0, by: -1) {
                if count % 8 == 0 { bytes.append(0) }
                if (value >> shift) & 1 == 1 {
                    bytes[bytes.count - 1] |= UInt8(0x80 >> (count % 8))
                }
                count += 1
            }
        }
    }
}

// MARK: - Symbol layout

extension QRCode {
    /// The symbol while it is being built: module colours plus which modules belong to
    /// function patterns, because data placement and masking must skip those.
    ///
    /// Coordinates are `x` (column) and `y` (row) from the top left, as in the standard.
    struct Grid {
        let version: Int
        let size: Int
        private(set) var modules: [Bool]
        private var isFunction: [Bool]

        init(version: Int) {
            self.version = version
            self.size = 17 + 4 * version
            self.modules = Array(repeating: false, count: size * size)
            self.isFunction = Array(repeating: false, count: size * size)
        }

        subscript(x: Int, y: Int) -> Bool {
            modules[y * size + x]
        }

        private mutating func setFunction(x: Int, y: Int, dark: Bool) {
            modules[y * size + x] = dark
            isFunction[y * size + x] = true
        }

        /// Draws everything that is not data: timing patterns, finders with their
        /// separators, alignment patterns, the dark module, version information, and a
        /// placeholder for format information (reserved now, written once the mask is known).
        mutating func drawFunctionPatterns() {
            // Timing patterns first: finders and alignment patterns overwrite their ends.
            for index in 0..<size {
                setFunction(x: 6, y: index, dark: index % 2 == 0)
                setFunction(x: index, y: 6, dark: index % 2 == 0)
            }
            for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                drawFinderPattern(centreX: x, centreY: y)
            }
            let positions = Self.alignmentPatternPositions(version: version)
            let last = positions.count - 1
            for (i, x) in positions.enumerated() {
                for (j, y) in positions.enumerated() {
                    // The three corners that a finder pattern already occupies get none.
                    let overlapsFinder = (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)
                    if !overlapsFinder { drawAlignmentPattern(centreX: x, centreY: y) }
                }
            }
            setFunction(x: 8, y: size - 8, dark: true)
            drawFormatInformation(mask: 0)
            drawVersionInformation()
        }

        /// A 7×7 finder (dark ring, light ring, dark 3×3 centre) and its light separator,
        /// clipped to the symbol.
        private mutating func drawFinderPattern(centreX: Int, centreY: Int) {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = centreX + dx, y = centreY + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let ring = max(abs(dx), abs(dy))
                    setFunction(x: x, y: y, dark: ring != 2 && ring != 4)
                }
            }
        }

        /// A 5×5 alignment pattern: dark ring, light ring, dark centre.
        private mutating func drawAlignmentPattern(centreX: Int, centreY: Int) {
            for dy in -2...2 {
                for dx in -2...2 {
                    setFunction(x: centreX + dx, y: centreY + dy, dark: max(abs(dx), abs(dy)) != 1)
                }
            }
        }

        /// Centre coordinates of alignment patterns per version (ISO/IEC 18004 Annex E);
        /// every pair of them is a centre, except the three that overlap finder patterns.
        static func alignmentPatternPositions(version: Int) -> [Int] {
            switch version {
            case 2: [6, 18]
            case 3: [6, 22]
            case 4: [6, 26]
            case 5: [6, 30]
            case 6: [6, 34]
            case 7: [6, 22, 38]
            case 8: [6, 24, 42]
            case 9: [6, 26, 46]
            case 10: [6, 28, 50]
            default: []
            }
        }

        /// Writes both copies of the 15 format bits (level M and the mask, BCH protected,
        /// XOR 0x5412 so that they are never all light).
        mutating func drawFormatInformation(mask: Int) {
            let bits = QRCode.formatBits(mask: mask)
            func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
            // First copy, around the top-left finder: down column 8, then left along row 8,
            // stepping over the timing patterns in row 6 and column 6.
            for index in 0...5 { setFunction(x: 8, y: index, dark: bit(index)) }
            setFunction(x: 8, y: 7, dark: bit(6))
            setFunction(x: 8, y: 8, dark: bit(7))
            setFunction(x: 7, y: 8, dark: bit(8))
            for index in 9..<15 { setFunction(x: 14 - index, y: 8, dark: bit(index)) }
            // Second copy, split between the top-right and bottom-left finders.
            for index in 0..<8 { setFunction(x: size - 1 - index, y: 8, dark: bit(index)) }
            for index in 8..<15 { setFunction(x: 8, y: size - 15 + index, dark: bit(index)) }
        }

        /// Writes both 6×3 copies of the 18 version bits, which versions 7 and up carry so a
        /// reader need not infer the version from the symbol's width.
        private mutating func drawVersionInformation() {
            guard version >= 7 else { return }
            let bits = QRCode.versionBits(version: version)
            for index in 0..<18 {
                let dark = (bits >> index) & 1 == 1
                let long = size - 11 + index % 3, short = index / 3
                setFunction(x: long, y: short, dark: dark)
                setFunction(x: short, y: long, dark: dark)
            }
        }

        /// Places the codewords' bits in the standard zigzag: two-module-wide columns from
        /// the right, alternately upwards and downwards, skipping function modules and the
        /// vertical timing column. Modules left over (the remainder bits) stay light.
        mutating func placeCodewords(_ codewords: [UInt8]) {
            let totalBits = codewords.count * 8
            var bitIndex = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                let upward = (right + 1) & 2 == 0
                for step in 0..<size {
                    let y = upward ? size - 1 - step : step
                    for x in [right, right - 1] where !isFunction[y * size + x] && bitIndex < totalBits {
                        let byte = codewords[bitIndex >> 3]
                        modules[y * size + x] = (byte >> (7 - UInt8(bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
                right -= 2
            }
        }

        /// Inverts every non-function module where the mask's condition holds. Applying the
        /// same mask twice undoes it.
        mutating func applyMask(_ mask: Int) {
            for y in 0..<size {
                for x in 0..<size where !isFunction[y * size + x] && QRCode.maskCondition(mask, x: x, y: y) {
                    modules[y * size + x].toggle()
                }
            }
        }
    }

    /// The 15-bit format information for level M and `mask`: 5 data bits (level M is `00`),
    /// a BCH(15,5) remainder with generator 0x537, then XOR 0x5412.
    static func formatBits(mask: Int) -> Int {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return ((data << 10) | remainder) ^ 0x5412
    }

    /// The 18-bit version information: 6 version bits and a BCH(18,6) remainder with
    /// generator 0x1F25. Not masked.
    static func versionBits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return (version << 12) | remainder
    }
}
