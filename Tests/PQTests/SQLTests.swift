import PQ
import Testing

@Suite("statements bind every interpolated value")
struct SQLTests {
    @Test("interpolations become numbered parameters and never enter the text")
    func binds() {
        let name = "Robert'); DROP TABLE schools;--"
        let query: SQL = "SELECT * FROM schools WHERE name = \(name) AND urn = \(123456)"
        #expect(query.text == "SELECT * FROM schools WHERE name = $1 AND urn = $2")
        #expect(query.binds.map(\.text) == [name, "123456"])
        #expect(!query.description.contains("Robert"))
    }

    @Test("joined fragments renumber their parameters")
    func fragments() {
        let filter: SQL = "phase = \("primary") AND size > \(10)"
        let query: SQL = "SELECT 1 FROM schools WHERE id = \(7) AND \(filter)"
        #expect(query.text == "SELECT 1 FROM schools WHERE id = $1 AND phase = $2 AND size > $3")
        #expect(query.binds.count == 3)
        let joined = SQL("SELECT \(1)") + " , \(2)"
        #expect(joined.text == "SELECT $1 , $2")
    }
}

@Suite("placeholders are positions, not text")
struct PlaceholderTests {
    @Test("a '$1' inside a string literal survives joining fragments")
    func literalDollarSurvives() {
        let filter: SQL = "note = '$1 and $2' AND id = \(7)"
        let query: SQL = "SELECT '$1' AS label, \("a") AS value FROM t WHERE \(filter)"
        #expect(query.text == "SELECT '$1' AS label, $1 AS value FROM t WHERE note = '$1 and $2' AND id = $2")
        #expect(query.binds.map(\.text) == ["a", "7"])
        let joined: SQL = SQL("SELECT \(1), '$1'") + " , \(2), '$9'"
        #expect(joined.text == "SELECT $1, '$1' , $2, '$9'")
    }

    @Test("raw text keeps its dollars as written, even when embedded after parameters")
    func rawTextIsNotRenumbered() {
        let raw = SQL(unsafeRaw: "SELECT $$ $1 $$")
        let query: SQL = "SELECT \(5); \(raw)"
        #expect(query.text == "SELECT $1; SELECT $$ $1 $$")
        #expect(query.binds.count == 1)
    }
}
