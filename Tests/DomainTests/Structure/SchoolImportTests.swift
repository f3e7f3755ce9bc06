import Domain
import Testing

@Suite("reading GIAS and SEN statistics files")
struct SchoolImportTests {
    static let header = "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
        + "PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,NumberOfPupils,FSM,Trusts (code),Trusts (name)\n"

    static func read(_ text: String, kind: SchoolFileKind = .gias) -> SchoolFile {
        var reader = SchoolFileReader(kind: kind, laCode: "999")
        reader.consume(Array(text.utf8))
        return reader.finish()
    }

    @Test("phases follow GIAS's phase, type and ages", arguments: [
        ("Primary", "Community school", 4, 11, SchoolPhase.primary), ("Primary", "Community school", 4, 7, .infant),
        ("Primary", "Academy converter", 7, 11, .junior), ("Secondary", "Academy sponsor led", 11, 18, .secondary),
        ("Not applicable", "Community special school", 2, 19, .special), ("Secondary", "Free schools special", 11, 16, .special),
        ("Not applicable", "Pupil referral unit", 11, 16, .alternativeProvision),
        ("Secondary", "Academy alternative provision converter", 11, 16, .alternativeProvision),
        ("Nursery", "Local authority nursery school", 2, 5, .nursery), ("All-through", "Free schools", 4, 18, .allThrough),
        ("16 plus", "Further education", 16, 19, .post16), ("Middle deemed secondary", "Foundation school", 9, 13, .middle),
    ])
    func phases(phase: String, type: String, low: Int, high: Int, expected: SchoolPhase) {
        #expect(GIASMapping.phase(phase: phase, type: type, lowAge: low, highAge: high) == expected)
    }

    @Test("types follow GIAS's establishment types", arguments: [
        ("Community school", SchoolType.maintained), ("Voluntary aided school", .maintained), ("Pupil referral unit", .maintained),
        ("Academy converter", .academy), ("University technical college", .academy), ("Free schools alternative provision", .free),
        ("Other independent special school", .independent), ("Non-maintained special school", .other), ("Further education", .other),
    ])
    func types(name: String, expected: SchoolType) {
        #expect(GIASMapping.type(name) == expected)
    }

    @Test("the council's rows are read, other authorities' counted and skipped, trusts kept")
    func reads() {
        let file = Self.read(Self.header
            + "990101,999,Example City,Ashdown Primary School,Academy converter,Open,Primary,4,11,210,\"31\",16342,Ashdown Learning Trust\n"
            + "123456,888,Elsewhere,Other School,Community school,Open,Primary,4,11,100,10,,\n"
            + "990102,999,Example City,Brackenridge Infant School,Community school,\"Open, but proposed to close\",Primary,4,7,,,,\n")
        #expect(file.problems == [])
        #expect(file.rows == 3)
        #expect(file.otherAuthority == 1)
        #expect(file.gias.map(\.details.urn) == ["990101", "990102"])
        #expect(file.gias[0].details.trustCode == "16342")
        #expect(file.gias[0].details.type == .academy)
        #expect(file.gias[0].onRoll == 210 && file.gias[0].fsm == 31)
        #expect(file.gias[1].details.phase == .infant && file.gias[1].onRoll == nil)
    }

    @Test("errors on lines 3 and 7 are both reported by line and column, and no row is offered to apply")
    func everyProblem() {
        var text = Self.header
        for line in 2...8 {
            let urn = String(990_100 + line)
            switch line {
            case 3: text += "\(urn),999,X,Bad Roll School,Community school,Open,Primary,4,11,lots,5,,\n"
            case 7: text += "99,999,X,Short URN School,Community school,Unknown,Primary,4,11,100,5,,\n"
            default: text += "\(urn),999,X,School \(line),Community school,Open,Primary,4,11,100,5,,\n"
            }
        }
        let file = Self.read(text)
        #expect(file.problems.map(\.line) == [3, 7, 7])
        #expect(file.problems.map(\.column) == ["NumberOfPupils", "EstablishmentStatus (name)", "URN"])
    }

    @Test("a missing required column is one problem on line 1")
    func missingColumn() {
        let file = Self.read("URN,LA (code),EstablishmentName\n990101,999,X\n")
        #expect(file.problems.first?.line == 1)
        #expect(file.problems.map(\.column).contains("TypeOfEstablishment (name)"))
    }

    @Test("the same URN twice is refused on the second line")
    func duplicateURN() {
        let row = "990101,999,X,A School,Community school,Open,Primary,4,11,100,5,,\n"
        let file = Self.read(Self.header + row + row)
        #expect(file.problems == [ImportProblem(line: 3, column: "URN", detail: "URN 990101 is also on line 2.")])
    }

    @Test("SEN statistics: counts read, a suppressed figure left unset, a word refused")
    func senFile() {
        let file = Self.read("URN,School name,SEN support,EHC plan\n990101,A,25,4\n990102,B,c,3\n990103,C,many,1\n", kind: .sen)
        #expect(file.problems == [ImportProblem(line: 4, column: "SEN support", detail: "Enter a whole number from 0 to 100000, or leave it empty.")])
        #expect(file.sen.map(\.senSupport) == [25, nil])
        #expect(file.sen.map(\.ehcp) == [4, 3])
    }
}
