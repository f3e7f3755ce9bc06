/// A cluster's meeting as placement sees it.
public struct PlannedMeeting: Hashable, Sendable {
    public var id: ID<Meeting>
    public var kind: MeetingKind
    public var meetsOn: CalendarDate
    /// The last day requests for it may be submitted (or endorsed, for funding requests).
    public var cutOffOn: CalendarDate
    public var isCancelled: Bool

    public init(id: ID<Meeting>, kind: MeetingKind, meetsOn: CalendarDate, cutOffOn: CalendarDate, isCancelled: Bool = false) {
        self.id = id
        self.kind = kind
        self.meetsOn = meetsOn
        self.cutOffOn = cutOffOn
        self.isCancelled = isCancelled
    }
}

/// Where a request lands, and why when it is not the next meeting.
public struct Placement: Hashable, Sendable {
    public var meeting: ID<Meeting>
    public var meetsOn: CalendarDate
    /// Said to the school when the request skips the next planning meeting; nil when it goes to that one.
    public var reason: String?
}

/// Placing a request on a meeting (DOMAIN.md, "The council's year"): the first planning meeting of the lead school's
/// cluster whose cut-off has not passed, skipping any the school already fills up to the council's cap. A late request
/// goes to the next meeting automatically, and the school is told which and why.
public enum MeetingPlacement {
    /// - Parameters:
    ///   - meetings: the cluster's meetings (any order; allocation and cancelled ones are passed over).
    ///   - today: the day of the submission or last endorsement, in Europe/London.
    ///   - schoolRequests: how many requests the lead school already has on each meeting.
    ///   - cap: the council's most requests per school per meeting; nil for none.
    public static func place(on meetings: [PlannedMeeting], today: CalendarDate, schoolRequests: [ID<Meeting>: Int], cap: Int?) -> Placement? {
        let upcoming = meetings.filter { $0.kind == .planning && !$0.isCancelled && $0.meetsOn >= today }
            .sorted { ($0.meetsOn, $0.id.description) < ($1.meetsOn, $1.id.description) }
        guard let next = upcoming.first else { return nil }
        var skipped: [String] = []
        for meeting in upcoming {
            if meeting.cutOffOn < today {
                skipped.append("submissions for the meeting on \(meeting.meetsOn.long) closed on \(meeting.cutOffOn.long)")
                continue
            }
            if let cap, schoolRequests[meeting.id, default: 0] >= cap {
                skipped.append("your school already brings \(cap) request\(cap == 1 ? "" : "s") to the meeting on \(meeting.meetsOn.long), the most the council allows")
                continue
            }
            let reason = meeting.id == next.id ? nil
                : "It goes to the planning meeting on \(meeting.meetsOn.long): " + skipped.joined(separator: "; ") + "."
            return Placement(meeting: meeting.id, meetsOn: meeting.meetsOn, reason: reason)
        }
        return nil
    }
}
