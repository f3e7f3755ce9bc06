/// A streaming reader of comma-separated values as councils download them (RFC 4180, with what real files do):
/// quoted fields holding commas, doubled quotes and line breaks; CRLF, LF or CR line ends; a UTF-8 byte-order mark.
/// It reads bytes, not text, so it never holds the file: feed it chunks as they arrive and it hands over each record
/// with the line it starts on. Only the columns in `wanted` are kept (all of them until it is set, for the header);
/// the callback may set it, so the header decides which columns the rest of the file keeps.
/// Whether the whole input was valid UTF-8 is known at the end; `CSVText.decode` then reads the kept fields as UTF-8
/// or, failing that, as Windows-1252, which GIAS downloads use.
///
/// ```swift
/// var reader = CSVReader()
/// for chunk in body { try reader.consume(chunk) { record, wanted in ... } }
/// try reader.finish { record, wanted in ... }
/// let text = CSVText.decode(record.fields[0], utf8: reader.isValidUTF8)
/// ```
public struct CSVReader: Sendable {
    /// One record: its fields (unwanted columns empty) and the physical line it starts on (the header is line 1).
    public struct Record: Sendable {
        public var line: Int
        public var fields: [[UInt8]]
        /// What is wrong with the record's quoting, if anything; the fields are read as well as they can be.
        public var problem: String?
    }

    /// Columns to keep, by index; nil keeps every column.
    public var wanted: Set<Int>?
    public private(set) var isValidUTF8 = true
    /// Bytes read so far, for a caller that caps the size.
    public private(set) var byteCount = 0

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart
    private var fields: [[UInt8]] = []
    private var column = 0
    private var line = 1
    private var recordLine = 1
    private var problem: String?
    private var afterCR = false
    private var previous: UInt8 = 0
    /// Whether the record being read has anything at all (a byte, a quote, a comma), so blank lines are skipped.
    private var hasContent = false
    private var atStart = true
    private var bom: [UInt8] = []
    private var utf8 = UTF8Validator()

    public init() {}

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    public mutating func consume(_ bytes: [UInt8], onRecord: (Record, inout Set<Int>?) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { raw in try consume(raw, onRecord: onRecord) }
    }

    /// Reads a chunk in place (a request body's buffer), without copying it.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, onRecord: (Record, inout Set<Int>?) throws -> Void) rethrows {
        for byte in bytes {
            byteCount += 1
            if atStart {
                // A UTF-8 byte-order mark (EF BB BF) is not part of the first field.
                bom.append(byte)
                if bom == [0xEF, 0xBB, 0xBF] {
                    atStart = false
                    continue
                }
                if [0xEF, 0xBB, 0xBF].starts(with: bom) { continue }
                atStart = false
                let pending = bom
                bom = []
                for early in pending { try step(early, onRecord) }
                continue
            }
            try step(byte, onRecord)
        }
    }

    /// Ends the input: the last record, if the file does not end with a line break.
    public mutating func finish(onRecord: (Record, inout Set<Int>?) throws -> Void) rethrows {
        if atStart {
            atStart = false
            let pending = bom
            bom = []
            for early in pending { try step(early, onRecord) }
        }
        if !utf8.isComplete { isValidUTF8 = false }
        if state == .quoted { problem = problem ?? "A quoted field is not closed before the end of the file." }
        if hasContent || problem != nil { try endRecord(onRecord) }
    }

    private mutating func step(_ byte: UInt8, _ onRecord: (Record, inout Set<Int>?) throws -> Void) rethrows {
        if isValidUTF8 && !utf8.accept(byte) { isValidUTF8 = false }
        defer { previous = byte }
        if afterCR {
            afterCR = false
            if byte == Self.lf { return }
        }
        switch state {
        case .fieldStart:
            switch byte {
            case Self.quote: hasContent = true; state = .quoted
            case Self.comma: endField()
            case Self.lf: line += 1; try endRecord(onRecord)
            case Self.cr: line += 1; afterCR = true; try endRecord(onRecord)
            default: append(byte); state = .unquoted
            }
        case .unquoted:
            switch byte {
            case Self.comma: endField()
            case Self.lf: line += 1; try endRecord(onRecord)
            case Self.cr: line += 1; afterCR = true; try endRecord(onRecord)
            default: append(byte)
            }
        case .quoted:
            if byte == Self.quote {
                state = .quoteInQuoted
            } else {
                // A line break inside a quoted field: CRLF counts once.
                if byte == Self.cr || (byte == Self.lf && previous != Self.cr) { line += 1 }
                append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case Self.quote: append(byte); state = .quoted
            case Self.comma: endField()
            case Self.lf: line += 1; try endRecord(onRecord)
            case Self.cr: line += 1; afterCR = true; try endRecord(onRecord)
            default:
                problem = problem ?? "A quote inside a quoted field must be doubled (\"\")."
                append(Self.quote)
                append(byte)
                state = .unquoted
            }
        }
    }

    private mutating func append(_ byte: UInt8) {
        hasContent = true
        guard wanted?.contains(column) ?? true else { return }
        while fields.count <= column { fields.append([]) }
        fields[column].append(byte)
    }

    private mutating func endField() {
        hasContent = true
        while fields.count <= column { fields.append([]) }
        column += 1
        state = .fieldStart
    }

    private mutating func endRecord(_ onRecord: (Record, inout Set<Int>?) throws -> Void) rethrows {
        while fields.count <= column { fields.append([]) }
        if hasContent || problem != nil {
            try onRecord(Record(line: recordLine, fields: Array(fields[0...column]), problem: problem), &wanted)
        }
        for index in fields.indices { fields[index].removeAll(keepingCapacity: true) }
        column = 0
        problem = nil
        hasContent = false
        state = .fieldStart
        recordLine = line
    }
}

/// Checks bytes for UTF-8 one at a time (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
struct UTF8Validator: Sendable {
    private var remaining = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    var isComplete: Bool { remaining == 0 }

    mutating func accept(_ byte: UInt8) -> Bool {
        if remaining > 0 {
            guard byte >= lower && byte <= upper else { return false }
            remaining -= 1
            (lower, upper) = (0x80, 0xBF)
            return true
        }
        switch byte {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: remaining = 1
        case 0xE0: remaining = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: remaining = 2
        case 0xED: remaining = 2; upper = 0x9F
        case 0xF0: remaining = 3; lower = 0x90
        case 0xF1...0xF3: remaining = 3
        case 0xF4: remaining = 3; upper = 0x8F
        default: return false
        }
        return true
    }
}

/// Turns a field's bytes into text in the file's encoding.
public enum CSVText {
    public static func decode(_ bytes: [UInt8], utf8: Bool) -> String {
        decode(bytes[...], utf8: utf8)
    }

    public static func decode(_ bytes: ArraySlice<UInt8>, utf8: Bool) -> String {
        if utf8 { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte >= 0x80 && byte <= 0x9F, let scalar = Unicode.Scalar(windows1252High[Int(byte - 0x80)]) {
                scalars.append(scalar)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Windows-1252's 0x80-0x9F (the WHATWG table; its five unassigned bytes stay the C1 controls they are in Latin-1).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
