import Domain
import Foundation
import PQ

extension Bootstrap {
    /// About 160 made-up pupils: twelve at each school with a demo account, one at every other school. Names are
    /// plainly invented, UPNs carry LA code 999 (no real authority's) with a correct check letter, and every field
    /// follows from the school and a serial, so loading twice gives the same pupils.
    static func loadDemoPupils(schools: [(urn: String, phase: String, id: ID<School>)], withAccounts: Set<String>, author: ID<User>,
                               today: CalendarDate, in tx: Transaction) async throws {
        let given = ["Ada", "Bram", "Cora", "Dilan", "Esme", "Finn", "Gia", "Hugo", "Iris", "Jude", "Kit", "Luca", "Mira", "Noor", "Otto", "Pip"]
        let family = ["Applebank", "Birchwell", "Cloudsley", "Dunmore", "Elmhirst", "Fernleigh", "Gorseby", "Hollins", "Ivybridge", "Juniper",
                      "Kestle", "Larchmont", "Meadowes", "Nettlefold", "Oakhurst", "Pebblecombe", "Quillon", "Rowanby"]
        let needs = NeedType.allCases
        let year = AcademicYear.holding(today)
        var added: [DemoPupil] = []
        for school in schools {
            let count = withAccounts.contains(school.urn) ? 12 : 1
            let groups: ClosedRange<Int> = switch school.phase {
            case "primary", "infant", "junior": 0...6
            case "secondary": 7...11
            case "nursery": -1...0
            default: 1...11
            }
            for serial in 1...count {
                let seed = (Int(school.urn) ?? 0) * 31 + serial * 7
                let rest = "999" + String(school.urn.suffix(4)) + "20" + String(format: "%03d", serial)
                guard let letter = UPN.checkLetter(for: rest), let group = YearGroup(groups.lowerBound + seed % groups.count) else { continue }
                let cohort = group.cohort(in: year)
                let born = cohort.startsOn.adding(days: seed % 360)
                let first = needs[seed % needs.count]
                let second = seed % 3 == 0 ? needs[(seed + 5) % needs.count] : nil
                let status: SENStatus = seed % 5 == 0 ? .ehcp : seed % 7 == 0 ? .underAssessment : .senSupport
                let id = try await tx.first(
                    """
                    INSERT INTO pupils (upn, given_names, family_name, date_of_birth, year_group, school_id, primary_need, secondary_need, sen_status,
                                        looked_after, created_by)
                    VALUES (\(String(letter) + rest), \(given[seed % given.count]), \(family[(seed / 3) % family.count]), \(born), \(group.number),
                            \(school.id), \(first.rawValue), \(second == first ? nil : second?.rawValue), \(status.rawValue), \(seed % 11 == 0), \(author))
                    ON CONFLICT (upn) DO NOTHING RETURNING id
                    """
                )?.decode(ID<Pupil>.self, at: 0)
                if let id {
                    try await tx.execute("INSERT INTO pupil_enrolments (pupil_id, school_id, from_on) VALUES (\(id), \(school.id), \(year.firstDay))")
                }
                // Pupils loaded before consent existed get theirs too: the next step adds only what is missing.
                if let id = try await tx.first("SELECT id FROM pupils WHERE upn = \(String(letter) + rest) AND school_id = \(school.id)")?
                    .decode(ID<Pupil>.self, at: 0) {
                    added.append(DemoPupil(id: id, school: school.id, seed: seed, bornOn: born, withAccount: withAccounts.contains(school.urn)))
                }
            }
        }
        try await loadDemoConsentAndReferrals(added, author: author, today: today, in: tx)
    }
}
