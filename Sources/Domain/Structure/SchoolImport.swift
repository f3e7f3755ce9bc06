/// Which file an import reads: the GIAS establishment extract, or the DfE's school-level SEN statistics.
public enum SchoolFileKind: String, Sendable, CaseIterable {
    case gias, sen
}

/// One problem with an import file, by line (the header is line 1) and column header.
public struct ImportProblem: Sendable, Equatable, Codable {
    public var line: Int
    public var column: String
    public var detail: String

    public init(line: Int, column: String, detail: String) {
        self.line = line
        self.column = column
        self.detail = detail
    }
}

/// A school's row of the GIAS extract, read and checked.
public struct GIASRow: Sendable, Equatable {
    public var line: Int
    public var details: SchoolDetails
    public var status: SchoolStatus
    public var onRoll: Int?
    public var fsm: Int?
}

/// A school's row of the SEN statistics.
public struct SENRow: Sendable, Equatable {
    public var line: Int
    public var urn: String
    public var senSupport: Int?
    public var ehcp: Int?
}

/// What a school file holds once every row is read: the rows to apply, and every problem (if any, nothing applies).
public struct SchoolFile: Sendable {
    public var kind: SchoolFileKind
    public var gias: [GIASRow] = []
    public var sen: [SENRow] = []
    public var problems: [ImportProblem] = []
    /// Data rows read (not counting the header or blank lines).
    public var rows = 0
    /// GIAS rows of another local authority, skipped.
    public var otherAuthority = 0
}

/// GIAS's names for phases, types and statuses, in Clusterfund's terms (README, "Decisions (schools)").
public enum GIASMapping {
    /// Special schools by type; alternative provision from pupil referral units and AP academies and free schools;
    /// nursery schools; then the phase, with a primary school that teaches only to 7 an infant school and one that
    /// starts at 7 a junior school; a phase of "Not applicable" is read from the ages.
    public static func phase(phase: String, type: String, lowAge: Int?, highAge: Int?) -> SchoolPhase? {
        let type = type.lowercased()
        if type.contains("special") { return .special }
        if type.contains("pupil referral") || type.contains("alternative provision") { return .alternativeProvision }
        if type.contains("nursery") { return .nursery }
        switch phase.lowercased() {
        case "nursery": return .nursery
        case "primary":
            if let highAge, highAge <= 7 { return .infant }
            if let lowAge, lowAge >= 7 { return .junior }
            return .primary
        case "middle deemed primary", "middle deemed secondary": return .middle
        case "secondary": return .secondary
        case "16 plus": return .post16
        case "all-through": return .allThrough
        default:
            guard let lowAge, let highAge else { return nil }
            if highAge <= 11 { return lowAge >= 7 ? .junior : .primary }
            if lowAge >= 16 { return .post16 }
            if lowAge >= 11 { return .secondary }
            return .allThrough
        }
    }

    /// Maintained schools (community, voluntary, foundation, LA nursery, pupil referral units); academies (and
    /// university technical colleges, studio schools, city technology colleges); free schools; independent schools;
    /// anything else (non-maintained special schools, further education, ...) is other.
    public static func type(_ name: String) -> SchoolType {
        let name = name.lowercased()
        if name.hasPrefix("academy") || name.contains("university technical") || name.contains("studio school")
            || name.contains("city technology") { return .academy }
        if name.hasPrefix("free school") { return .free }
        if name.hasPrefix("other independent") { return .independent }
        if name.hasPrefix("community") || name.hasPrefix("voluntary") || name.hasPrefix("foundation")
            || name.hasPrefix("local authority nursery") || name.hasPrefix("pupil referral") { return .maintained }
        return .other
    }

    /// "Open", "Open, but proposed to close" and "Proposed to open" are open; "Closed" is closed.
    public static func status(_ name: String) -> SchoolStatus? {
        switch name.lowercased() {
        case "open", "open, but proposed to close", "proposed to open": .open
        case "closed": .closed
        default: nil
        }
    }
}

/// Reads a school file as its bytes arrive, keeping only the columns it needs (and, for GIAS, only the council's rows),
/// then checks every row at the end, when the file's encoding is known.
///
/// ```swift
/// var reader = SchoolFileReader(kind: .gias, laCode: "999")
/// try reader.consume(chunk)            // as often as chunks arrive
/// let file = reader.finish()           // file.problems lists every problem by line and column
/// ```
public struct SchoolFileReader: Sendable {
    public static let giasColumns = ["URN", "LA (code)", "EstablishmentName", "TypeOfEstablishment (name)",
                                     "EstablishmentStatus (name)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
                                     "NumberOfPupils", "FSM", "Trusts (code)", "Trusts (name)"]
    static let giasRequired: Set<String> = ["URN", "LA (code)", "EstablishmentName", "TypeOfEstablishment (name)",
                                            "EstablishmentStatus (name)", "PhaseOfEducation (name)"]
    public static let senColumns = ["URN", "SEN support", "EHC plan"]

    public let kind: SchoolFileKind
    let laCode: [UInt8]
    private var csv = CSVReader()
    /// Column index in the file of each column we read, in the order of `columns`; nil until the header is read.
    private var positions: [Int?]?
    // The kept rows' fields, end to end in one buffer (a 50,000-row file keeps a few megabytes, not 600,000 arrays):
    // each row has `columns.count` fields, and `keptEnds` holds where each field ends.
    private var keptBytes: [UInt8] = []
    private var keptEnds: [Int32] = []
    private var keptLines: [Int32] = []
    private var keptProblems: [Int: String] = [:]
    private var file: SchoolFile

    public init(kind: SchoolFileKind, laCode: String) {
        self.kind = kind
        self.laCode = Array(laCode.utf8)
        file = SchoolFile(kind: kind)
    }

    var columns: [String] { kind == .gias ? Self.giasColumns : Self.senColumns }

    public var byteCount: Int { csv.byteCount }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        var reader = csv
        reader.consume(bytes) { record, wanted in take(record, wanted: &wanted) }
        csv = reader
    }

    public mutating func consume(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { consume($0) }
    }

    private mutating func take(_ record: CSVReader.Record, wanted: inout Set<Int>?) {
        guard let positions else {
            readHeader(record, wanted: &wanted)
            return
        }
        file.rows += 1
        if kind == .gias, let la = positions[1] {
            let code = la < record.fields.count ? record.fields[la] : []
            if !Self.trimmed(code[...]).elementsEqual(laCode) {
                file.otherAuthority += 1
                return
            }
        }
        if let problem = record.problem { keptProblems[keptLines.count] = problem }
        keptLines.append(Int32(clamping: record.line))
        for position in positions {
            if let position, position < record.fields.count {
                keptBytes.append(contentsOf: Self.trimmed(record.fields[position][...]))
            }
            keptEnds.append(Int32(clamping: keptBytes.count))
        }
    }

    private mutating func readHeader(_ record: CSVReader.Record, wanted: inout Set<Int>?) {
        let names = record.fields.map { CSVText.decode(Array(Self.trimmed($0[...])), utf8: true) }
        let found = columns.map { name in names.firstIndex(of: name) }
        let required = kind == .gias ? Self.giasRequired : Set(Self.senColumns)
        for (name, index) in zip(columns, found) where index == nil && required.contains(name) {
            file.problems.append(.init(line: record.line, column: name, detail: "The file has no \"\(name)\" column."))
        }
        positions = found
        wanted = Set(found.compactMap { $0 })
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// Ends the input and checks every kept row; `problems` holds everything wrong, in line order.
    public mutating func finish() -> SchoolFile {
        var reader = csv
        reader.finish { record, wanted in take(record, wanted: &wanted) }
        csv = reader
        if positions == nil { file.problems.append(.init(line: 1, column: "", detail: "The file is empty: it has no header row.")) }
        guard file.problems.isEmpty else { return file }
        let utf8 = csv.isValidUTF8
        var seen: [String: Int] = [:]
        let width = columns.count
        for row in keptLines.indices {
            let line = Int(keptLines[row])
            let text = (0..<width).map { column -> String in
                let index = row * width + column
                let start = index == 0 ? 0 : Int(keptEnds[index - 1])
                return CSVText.decode(keptBytes[start..<Int(keptEnds[index])], utf8: utf8)
            }
            if let problem = keptProblems[row] { file.problems.append(.init(line: line, column: "", detail: problem)) }
            let urn = text[0]
            if let earlier = seen[urn], SchoolDetails.isURN(urn) {
                file.problems.append(.init(line: line, column: "URN", detail: "URN \(urn) is also on line \(earlier)."))
            }
            seen[urn] = seen[urn] ?? line
            switch kind {
            case .gias: if let row = giasRow(line: line, text) { file.gias.append(row) }
            case .sen: if let row = senRow(line: line, text) { file.sen.append(row) }
            }
        }
        (keptBytes, keptEnds, keptLines, keptProblems) = ([], [], [], [:])
        return file
    }

    private mutating func count(_ text: String, line: Int, column: String) -> Int?? {
        if text.isEmpty { return .some(nil) }
        guard text.utf8.count <= 6, text.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(text), value <= CensusFigures.largest else {
            file.problems.append(.init(line: line, column: column, detail: "Enter a whole number from 0 to \(CensusFigures.largest), or leave it empty."))
            return nil
        }
        return .some(value)
    }

    private mutating func giasRow(line: Int, _ text: [String]) -> GIASRow? {
        let before = file.problems.count
        func problem(_ column: String, _ detail: String) { file.problems.append(.init(line: line, column: column, detail: detail)) }
        let age = { (text: String) -> Int? in Int(text) }
        let phase = GIASMapping.phase(phase: text[5], type: text[3], lowAge: age(text[6]), highAge: age(text[7]))
        if phase == nil {
            problem("PhaseOfEducation (name)", "The phase \"\(text[5])\" with type \"\(text[3])\" and ages \(text[6]) to \(text[7]) matches no phase.")
        }
        let status = GIASMapping.status(text[4])
        if status == nil { problem("EstablishmentStatus (name)", "The status \"\(text[4])\" is not Open, Closed or Proposed to open.") }
        let onRoll = count(text[8], line: line, column: "NumberOfPupils")
        let fsm = count(text[9], line: line, column: "FSM")
        let details = SchoolDetails(urn: text[0], name: text[2], phase: phase ?? .primary, type: GIASMapping.type(text[3]),
                                    trustCode: text[10], trustName: text[11])
        var checked = details
        do {
            checked = try details.validated()
        } catch {
            if case .validation(let issues) = error {
                let names = ["/urn": "URN", "/name": "EstablishmentName", "/trustCode": "Trusts (code)", "/trustName": "Trusts (name)"]
                for issue in issues { problem(names[issue.pointer] ?? "", issue.detail) }
            }
        }
        if checked.trustCode != nil && checked.trustName == nil { problem("Trusts (name)", "Enter the trust's name as well as its code.") }
        guard file.problems.count == before, let status, let onRoll, let fsm else { return nil }
        return GIASRow(line: line, details: checked, status: status, onRoll: onRoll, fsm: fsm)
    }

    /// The DfE suppresses small numbers with a letter ("c", "x", "z"): such a figure is left unset, not refused.
    static let suppressed: Set<String> = ["c", "x", "z", "low", "supp", "."]

    private mutating func senRow(line: Int, _ text: [String]) -> SENRow? {
        let before = file.problems.count
        if !SchoolDetails.isURN(text[0]) {
            file.problems.append(.init(line: line, column: "URN", detail: "Enter the URN as six digits, like 100000."))
        }
        let figures = [(text[1], "SEN support"), (text[2], "EHC plan")].map { value, column -> Int?? in
            Self.suppressed.contains(value.lowercased()) ? .some(nil) : count(value, line: line, column: column)
        }
        guard file.problems.count == before, let senSupport = figures[0], let ehcp = figures[1] else { return nil }
        return SENRow(line: line, urn: text[0], senSupport: senSupport, ehcp: ehcp)
    }
}
