import Domain
import Foundation

/// Example City as `demo-data --demo` loads it beyond the accounts: seven locality clusters of about ten schools each,
/// a few multi-academy trusts, two January censuses of figures, and three academic years of memberships in which a few
/// schools change cluster. Everything is made up; URNs are in the range from 990000 that no real school uses, and every
/// figure follows from the URN, so loading twice gives the same council.
enum DemoCity {
    struct School: Sendable {
        var urn: String
        var name: String
        var phase: String
        var type: String
        var trustCode: String?
    }

    struct Figures: Sendable, Equatable {
        var onRoll: Int
        var senSupport: Int
        var ehcp: Int
        var fsm: Int
    }

    /// Trusts by their (made-up) DfE code.
    static let trusts: [(code: String, name: String)] = [
        ("99001", "Example City Learning Trust"), ("99002", "Riverside Schools Partnership"),
        ("99003", "St Aidan's Catholic Academy Trust"), ("99004", "Hillside Co-operative Trust"),
        ("99005", "Northern Lights Multi-Academy Trust"),
    ]

    /// The clusters in the order their URNs run, each with its schools (the first two clusters hold the schools the
    /// accounts and tests have always used, under the same names and URNs).
    static let clusters: [(name: String, schools: [School])] = [
        ("North Locality", [
            .init(urn: "990001", name: "Ashgrove Primary School", phase: "primary", type: "maintained"),
            .init(urn: "990002", name: "Brookfield Primary School", phase: "primary", type: "academy", trustCode: "99005"),
            .init(urn: "990003", name: "Castle Hill Infant School", phase: "infant", type: "maintained"),
            .init(urn: "990004", name: "Dene Junior School", phase: "junior", type: "maintained"),
            .init(urn: "990005", name: "Elmwood Academy", phase: "secondary", type: "academy", trustCode: "99005"),
            .init(urn: "990006", name: "Fernside Special School", phase: "special", type: "maintained"),
            .init(urn: "990007", name: "Northgate Primary School", phase: "primary", type: "academy", trustCode: "99005"),
            .init(urn: "990008", name: "Oakfield Primary School", phase: "primary", type: "maintained"),
            .init(urn: "990009", name: "St Thérèse’s Catholic Primary School", phase: "primary", type: "academy", trustCode: "99003"),
            .init(urn: "990010", name: "Windmill Nursery School", phase: "nursery", type: "maintained"),
        ]),
        ("South Locality", [
            .init(urn: "990011", name: "Greenbank Primary School", phase: "primary", type: "maintained"),
            .init(urn: "990012", name: "Harbour View Primary School", phase: "primary", type: "academy", trustCode: "99002"),
            .init(urn: "990013", name: "Ironbridge Primary School", phase: "primary", type: "maintained"),
            .init(urn: "990014", name: "Juniper Secondary School", phase: "secondary", type: "academy", trustCode: "99002"),
            .init(urn: "990015", name: "Kingsway Nursery School", phase: "nursery", type: "maintained"),
            .init(urn: "990016", name: "Larkrise All-Through School", phase: "all_through", type: "free"),
            .init(urn: "990017", name: "Marshside Primary School", phase: "primary", type: "maintained"),
            .init(urn: "990018", name: "Quayside Infant School", phase: "infant", type: "maintained"),
            .init(urn: "990019", name: "Quayside Junior School", phase: "junior", type: "maintained"),
        ]),
    ] + generated

    /// The other five clusters: a mix of primaries, one or two secondaries, and the odd special school or pupil
    /// referral unit, named from a list of made-up places.
    static let generated: [(name: String, schools: [School])] = {
        let plan: [(cluster: String, firstURN: Int, places: [String], trust: String)] = [
            ("East Locality", 990031, ["Abbey Fields", "Beacon", "Cherry Tree", "Dovecote", "Eastbrook", "Foxhill", "Gorse Lane",
                                      "Holly Bank", "Ivy Lodge", "Jubilee", "Kestrel"], "99001"),
            ("West Locality", 990051, ["Larch Wood", "Meadowside", "Nettleham", "Orchard Vale", "Poplar", "Redwell", "Sandpiper",
                                      "Thistle Down", "Upton Green", "Westfield"], "99001"),
            ("Central Locality", 990071, ["Albion", "Bridge Street", "Cathedral", "Drapers", "Exchange", "Forum", "Guildhall",
                                         "Market Cross", "Old Mint", "Priory", "Queen's Road", "Victoria Park"], "99003"),
            ("Riverside Locality", 990091, ["Ferry Lane", "Kingfisher", "Lockside", "Millstream", "Otterburn", "Reedbed", "Towpath",
                                           "Water Lane", "Weir Gardens"], "99002"),
            ("Hillside Locality", 990111, ["Ashdown", "Brackenridge", "Crag View", "Fellside", "Heatherbank", "Highmoor", "Larkhill",
                                          "Pennine Way", "Summit", "Tor View"], "99004"),
        ]
        return plan.map { entry in
            let count = entry.places.count
            let schools = entry.places.enumerated().map { index, place -> School in
                let urn = String(entry.firstURN + index)
                // The last school of a cluster is its secondary; the one before is special in some clusters and a
                // pupil referral unit in another; the rest are primaries, every third an academy of the local trust.
                let (phase, suffix): (String, String) = switch index {
                case count - 1: ("secondary", "Academy")
                case count - 2 where entry.cluster == "Central Locality": ("alternative_provision", "Pupil Referral Unit")
                case count - 2 where count >= 10: ("special", "Special School")
                default: ("primary", "Primary School")
                }
                let academy = phase == "secondary" || index % 3 == 1
                return School(urn: urn, name: "\(place) \(suffix)", phase: phase, type: academy ? "academy" : (index == 5 ? "free" : "maintained"),
                              trustCode: academy ? entry.trust : nil)
            }
            return (entry.cluster, schools)
        }
    }()

    /// Schools that change cluster, by academic year relative to this one: the grouping of last year moved two
    /// schools to Riverside this year, and next year one West school joins East.
    static let moves: [(urn: String, yearOffset: Int, from: String, to: String)] = [
        ("990071", 0, "Central Locality", "Riverside Locality"),
        ("990072", 0, "Central Locality", "Riverside Locality"),
        ("990051", 1, "West Locality", "East Locality"),
    ]

    /// The cluster a school belongs to in the academic year `offset` years from this one (-1, 0 or 1).
    static func cluster(of urn: String, home: String, yearOffset offset: Int) -> String {
        var cluster = home
        for move in moves where move.urn == urn && move.from == cluster {
            // A move made in year m holds for m and later; before it, the school was in its home cluster.
            if offset >= move.yearOffset { cluster = move.to }
        }
        return cluster
    }

    /// The school's figures in a census: a roll that suits its phase, SEN support about one in eight, EHCPs about one
    /// in forty (nearly every pupil at a special school), free school meals between one in eight and one in three; the
    /// earlier census differs by a few pupils.
    static func figures(urn: String, phase: String, censusesBack: Int) -> Figures {
        let seed = (Int(urn) ?? 0) * 7919 + censusesBack * 104_729
        func spread(_ range: ClosedRange<Int>, _ salt: Int) -> Int {
            range.lowerBound + (seed / (salt + 1) + salt * 31) % (range.count)
        }
        let roll: Int = switch phase {
        case "nursery": spread(60...120, 1)
        case "infant": spread(150...270, 1)
        case "junior": spread(200...360, 1)
        case "secondary": spread(800...1_500, 1)
        case "all_through": spread(1_200...1_800, 1)
        case "special": spread(80...200, 1)
        case "alternative_provision": spread(30...80, 1)
        default: spread(180...420, 1)
        }
        let ehcp = phase == "special" ? roll - spread(0...5, 2) : roll * spread(15...35, 3) / 1_000
        let senSupport = phase == "special" ? spread(0...5, 4) : roll * spread(100...160, 5) / 1_000
        let fsm = roll * spread(120...340, 6) / 1_000
        return Figures(onRoll: roll, senSupport: senSupport, ehcp: ehcp, fsm: fsm)
    }

    /// A second headteacher and SENCo pair at one school of every cluster but North (which has two already).
    static func people() -> [(email: String, name: String, role: Role, school: String)] {
        let firstNames = ["Amira", "Bilal", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Hamza", "Isla", "Jonah", "Kiran", "Lena"]
        var people: [(String, String, Role, String)] = []
        for (index, cluster) in clusters.dropFirst().enumerated() {
            guard let school = cluster.schools.first else { continue }
            let slug = school.name.split(separator: " ").first.map { $0.lowercased() } ?? "school"
            people.append(("senco.\(slug)@example-city.test", "\(firstNames[(2 * index) % firstNames.count]) Senco", .senco, school.name))
            people.append(("head.\(slug)@example-city.test", "\(firstNames[(2 * index + 1) % firstNames.count]) Head", .headteacher, school.name))
        }
        return people
    }
}
