import PQ

extension IdentityFixture {
    /// A January census for the demo council's schools in `year`'s clusters of the academic year before (those in force
    /// on 1 April `year`): every school 200 on roll, 20 on SEN support and 30 on free school meals, except Ashgrove
    /// (URN 990001), which has twice each. North then holds 7 school-units of every figure to South's 6.
    public func addCensus(fundingYear year: Int) async throws {
        _ = try await asOwner { tx in
            try await tx.execute(
                """
                INSERT INTO school_census_figures (school_id, census_year, on_roll, sen_support, ehcp, fsm)
                SELECT s.id, \(year), CASE WHEN s.urn = '990001' THEN 400 ELSE 200 END, CASE WHEN s.urn = '990001' THEN 40 ELSE 20 END, 0,
                       CASE WHEN s.urn = '990001' THEN 60 ELSE 30 END
                FROM schools s JOIN cluster_memberships m ON m.school_id = s.id AND m.academic_year = \(year - 1)
                """
            )
        }
    }
}
