import Foundation
@testable import Server
import Testing

/// The QR encoder is checked against reference symbols made by the Python `qrcode` package
/// (byte mode, level M, no border), saved as fixtures in `Fixtures/qr`: each file has
/// `# key: value` header lines (input, version, mask, whether that mask is the automatic
/// choice, and the reference's penalty score for every mask), then one line per row with
/// `#` for dark and `.` for light.
@Suite("QR code encoder")
struct QRCodeTests {
    /// One reference symbol from `Fixtures/qr`.
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let version: Int
        let mask: Int
        let isAutomatic: Bool
        let penalties: [Int]
        let rows: [String]

        var testDescription: String { name }

        static let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/qr")

        static func load(_ name: String) throws -> Fixture {
            let text = try String(contentsOf: directory.appendingPathComponent(name + ".txt"), encoding: .utf8)
            var header: [String: String] = [:]
            var rows: [String] = []
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# "), let colon = line.firstIndex(of: ":") {
                    let key = line[line.index(line.startIndex, offsetBy: 2)..<colon]
                    header[String(key)] = String(line[line.index(after: colon)...].dropFirst())
                } else {
                    rows.append(String(line))
                }
            }
            return Fixture(
                name: name,
                input: try #require(header["input"]),
                version: try #require(header["version"].flatMap { Int($0) }),
                mask: try #require(header["mask"].flatMap { Int($0) }),
                isAutomatic: header["automatic"] == "yes",
                penalties: try #require(header["penalties"]?.split(separator: " ").compactMap { Int($0) }),
                rows: rows
            )
        }

        static let names = [
            "v1-hello", "v2-utf8", "v5-otpauth-short", "v6-otpauth-100", "v7-otpauth", "v8-otpauth-example",
            "v10-otpauth-long", "v1-forced-mask3", "v3-forced-mask0", "v4-forced-mask1", "v9-forced-mask5",
            "v10-forced-mask7",
        ]
    }

    /// The symbol as fixture-style rows, for a readable diff when a test fails.
    static func rows(of code: QRCode) -> [String] {
        (0..<code.size).map { y in String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "#" : "." }) }
    }

    @Test("each reference symbol matches module for module at its version and mask", arguments: Fixture.names)
    func matchesReference(name: String) throws {
        let fixture = try Fixture.load(name)
        let code = try QRCode(encoding: fixture.input, version: fixture.version, mask: fixture.mask)
        #expect(code.size == 17 + 4 * fixture.version)
        #expect(Self.rows(of: code) == fixture.rows)
    }

    @Test("a version 7 code matches the reference module for module")
    func versionSeven() throws {
        let fixture = try Fixture.load("v7-otpauth")
        let code = try QRCode(encoding: fixture.input, mask: fixture.mask)
        #expect(code.version == 7)
        #expect(code.size == 45)
        #expect(Self.rows(of: code) == fixture.rows)
    }

    @Test("left to itself, the encoder picks the reference's version and lowest-penalty mask",
          arguments: Fixture.names)
    func automaticChoice(name: String) throws {
        let fixture = try Fixture.load(name)
        let lowest = try #require(fixture.penalties.min())
        let code = try QRCode(encoding: fixture.input, version: fixture.version, mask: nil)
        #expect(code.mask == fixture.penalties.firstIndex(of: lowest))
        if fixture.isAutomatic {
            let automatic = try QRCode(encoding: fixture.input)
            #expect(automatic.version == fixture.version)
            #expect(automatic.mask == fixture.mask)
            #expect(Self.rows(of: automatic) == fixture.rows)
        }
    }

    @Test("the penalty of every mask equals the reference's score", arguments: Fixture.names)
    func penalties(name: String) throws {
        let fixture = try Fixture.load(name)
        let grid = QRCode.unmaskedGrid(bytes: Array(fixture.input.utf8), version: fixture.version)
        #expect(QRCode.maskPatterns.map { grid.penalty(ofMask: $0) } == fixture.penalties)
    }

    /// Byte-mode capacity at level M, versions 1 to 10 (ISO/IEC 18004 Table 7).
    static let byteCapacities = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]

    @Test("the smallest version that holds the bytes is chosen, at every capacity boundary")
    func versionBoundaries() throws {
        for (index, capacity) in Self.byteCapacities.enumerated() {
            #expect(try QRCode(encoding: String(repeating: "a", count: capacity)).version == index + 1)
            if index + 1 < Self.byteCapacities.count {
                #expect(try QRCode(encoding: String(repeating: "a", count: capacity + 1)).version == index + 2)
            }
        }
    }

    @Test("text beyond 213 UTF-8 bytes is rejected as too long, counting bytes rather than characters")
    func tooLong() throws {
        #expect(throws: QRCode.Error.tooLong) { try QRCode(encoding: String(repeating: "a", count: 214)) }
        #expect(throws: QRCode.Error.tooLong) { try QRCode(encoding: String(repeating: "€", count: 72)) }
        #expect(throws: QRCode.Error.tooLong) { try QRCode(encoding: "Clusterfund!!!!", version: 1, mask: nil) }
        #expect(try QRCode(encoding: String(repeating: "€", count: 71)).version == 10)
    }

    @Test("data codewords carry the mode, the count, the terminator and alternating pad bytes")
    func dataCodewords() {
        let codewords = QRCode.dataCodewords(bytes: Array("hello".utf8), version: 1, capacity: 16)
        #expect(codewords == [
            0x40, 0x56, 0x86, 0x56, 0xC6, 0xC6, 0xF0, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC,
        ])
        // From version 10 on, the character count takes 16 bits.
        let long = QRCode.dataCodewords(bytes: [0x41], version: 10, capacity: 4)
        #expect(long == [0x40, 0x00, 0x14, 0x10])
    }

    @Test("Reed-Solomon codewords match the worked example of ISO/IEC 18004 Annex I")
    func reedSolomon() {
        let data: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        let generator = QRCode.ReedSolomon.generator(degree: 10)
        #expect(QRCode.ReedSolomon.remainder(of: data[...], generator: generator)
            == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test("format information matches the standard's table for level M")
    func formatInformation() {
        let expected = [
            0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
            0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
        ]
        #expect(QRCode.maskPatterns.map { QRCode.formatBits(mask: $0) } == expected)
    }

    @Test("version information matches the standard's table")
    func versionInformation() {
        #expect((7...10).map { QRCode.versionBits(version: $0) } == [0x07C94, 0x085BC, 0x09A99, 0x0A4D3])
    }

    @Test("the SVG is one crisp-edged path on white, titled for screen readers with the title escaped")
    func svgMarkup() throws {
        let code = try QRCode(encoding: "hello")
        let svg = code.svg(moduleSize: 5, quietZone: 4, title: #"Scan <me> & "you'll" see"#)
        #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" width="145" height="145" viewBox="0 0 29 29""#))
        #expect(svg.contains(#"role="img""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(svg.contains("<title>Scan &lt;me&gt; &amp; &quot;you&apos;ll&quot; see</title>"))
        #expect(svg.contains(##"<rect width="29" height="29" fill="#fff"/>"##))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test("the SVG path covers exactly the dark modules, shifted by the quiet zone")
    func svgPathCoversDarkModules() throws {
        let code = try QRCode(encoding: "otpauth://totp/Clusterfund:a%40b.test?secret=JBSWY3DPEHPK3PXP")
        let quiet = 2
        let svg = code.svg(quietZone: quiet, title: "code")
        let start = try #require(svg.range(of: #" d=""#)?.upperBound)
        let end = try #require(svg[start...].firstIndex(of: "\""))
        var painted = Set<[Int]>()
        for run in svg[start..<end].split(separator: "z") {
            // Each run reads "M<x> <y>h<n>v1h-<n>".
            let numbers = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            try #require(numbers.count == 5)
            let (x, y, length) = (numbers[0], numbers[1], numbers[2])
            #expect(numbers == [x, y, length, 1, length])
            for column in x..<(x + length) { painted.insert([column - quiet, y - quiet]) }
        }
        var dark = Set<[Int]>()
        for y in 0..<code.size { for x in 0..<code.size where code.isDark(x: x, y: y) { dark.insert([x, y]) } }
        #expect(painted == dark)
    }

    @Test("modules outside the symbol read as light, like the quiet zone")
    func outsideIsLight() throws {
        let code = try QRCode(encoding: "hello")
        #expect(code.isDark(x: 0, y: 0))
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
        #expect(!code.isDark(x: code.size, y: code.size - 1))
    }
}
