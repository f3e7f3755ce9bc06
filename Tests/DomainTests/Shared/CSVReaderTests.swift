import Domain
import Foundation
import Testing

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("reading comma-separated files")
struct CSVReaderTests {
    static func read(_ bytes: [UInt8], chunk: Int = .max) -> (records: [[String]], lines: [Int], problems: [String?], utf8: Bool) {
        var reader = CSVReader()
        var records: [[String]] = []
        var lines: [Int] = []
        var problems: [String?] = []
        var raw: [[[UInt8]]] = []
        let collect = { (record: CSVReader.Record) in
            raw.append(record.fields)
            lines.append(record.line)
            problems.append(record.problem)
        }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, chunk))
            reader.consume(Array(bytes[start..<end])) { record, _ in collect(record) }
            start = end
        }
        reader.finish { record, _ in collect(record) }
        records = raw.map { $0.map { CSVText.decode($0, utf8: reader.isValidUTF8) } }
        return (records, lines, problems, reader.isValidUTF8)
    }

    @Test("quoted fields hold commas, doubled quotes and line breaks, and lines are counted where records start")
    func quoting() {
        let text = "URN,Name\r\n100001,\"Smith, Jones \"\"and\"\" Co\"\r\n100002,\"Two\r\nlines\"\n100003,Plain\n"
        let result = Self.read(Array(text.utf8))
        #expect(result.records == [["URN", "Name"], ["100001", "Smith, Jones \"and\" Co"], ["100002", "Two\r\nlines"], ["100003", "Plain"]])
        #expect(result.lines == [1, 2, 3, 5])
        #expect(result.utf8)
    }

    @Test("a byte-order mark is dropped; a last line without a line break is read; blank lines are skipped")
    func edges() {
        let result = Self.read([0xEF, 0xBB, 0xBF] + Array("URN\n\n100001\r\r\n100002".utf8))
        #expect(result.records == [["URN"], ["100001"], ["100002"]])
        #expect(result.lines == [1, 3, 5])
    }

    @Test("an empty quoted field and empty fields are kept as empty, not skipped")
    func emptyFields() {
        #expect(Self.read(Array("a,,\"\"\n\"\"\n".utf8)).records == [["a", "", ""], [""]])
    }

    @Test("a stray quote or an unclosed quoted field is reported on its record")
    func malformed() {
        let stray = Self.read(Array("\"ab\"c,d\n".utf8))
        #expect(stray.problems.first??.contains("doubled") == true)
        let open = Self.read(Array("a,\"never closed\n".utf8))
        #expect(open.problems.last??.contains("not closed") == true)
    }

    @Test("bytes that are not UTF-8 are read as Windows-1252: St Thérèse’s keeps its accent and curly apostrophe")
    func windows1252() {
        let bytes: [UInt8] = Array("St Th".utf8) + [0xE9] + Array("r".utf8) + [0xE8] + Array("se".utf8) + [0x92] + Array("s".utf8)
        let result = Self.read(bytes)
        #expect(!result.utf8)
        #expect(result.records == [["St Thérèse’s"]])
        let euro = Self.read([0x80, 0x20, 0x9F, 0xA3])
        #expect(euro.records == [["€ Ÿ£"]])
    }

    @Test("valid UTF-8 is read as UTF-8, even split across chunks in the middle of a character")
    func utf8AcrossChunks() {
        let text = "St Thérèse’s,\"naïve, café\"\n"
        for chunk in 1...4 {
            let result = Self.read(Array(text.utf8), chunk: chunk)
            #expect(result.utf8)
            #expect(result.records == [["St Thérèse’s", "naïve, café"]], "chunks of \(chunk)")
        }
    }

    @Test("overlong forms, surrogates and truncated sequences are not UTF-8", arguments: [
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x80],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(!Self.read(bytes).utf8)
    }

    @Test("any records written out with quoting and read back in any chunk size come back the same")
    func roundTrip() {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        print("CSVReaderTests.roundTrip seed \(seed) (to replay, set it in the test)")
        var random = SeededGenerator(seed: seed)
        let alphabet: [Character] = ["a", "Z", "1", " ", ",", "\"", "\n", "\r", "é", "’", "🙂", "-", "\t"]
        for round in 0..<200 {
            let columns = Int.random(in: 1...6, using: &random)
            let records = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                (0..<columns).map { _ in String((0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }) }
            }
            // A record of one empty field is a blank line, which the reader skips; give it something.
            let kept = records.map { $0.count == 1 && $0[0].isEmpty ? ["x"] : $0 }
            let ending = ["\n", "\r\n", "\r"].randomElement(using: &random) ?? "\n"
            let text = kept.map { fields in
                fields.map { field in
                    field.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) || (field.first == " " && Bool.random(using: &random))
                        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
                }.joined(separator: ",")
            }.joined(separator: ending) + (Bool.random(using: &random) ? ending : "")
            let chunk = Int.random(in: 1...64, using: &random)
            let result = Self.read(Array(text.utf8), chunk: chunk)
            #expect(result.records == kept, "seed \(seed), round \(round), chunk \(chunk): \(text.debugDescription)")
            #expect(result.problems.allSatisfy { $0 == nil }, "seed \(seed), round \(round)")
        }
    }

    @Test("only the wanted columns are kept once the header sets them")
    func wantedColumns() {
        var reader = CSVReader()
        var rows: [[[UInt8]]] = []
        reader.consume(Array("a,b,c\n1,2,3\n".utf8)) { record, wanted in
            if wanted == nil { wanted = [2] }
            rows.append(record.fields)
        }
        reader.finish { _, _ in }
        #expect(rows.count == 2)
        #expect(rows[1] == [[], [], Array("3".utf8)])
    }
}
