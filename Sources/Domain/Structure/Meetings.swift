import Foundation

/// A cluster's meeting, for typed ids.
public enum Meeting {}

/// The two meetings a cluster holds each term: at the planning meeting SENCos, EPs and the locality lead discuss and
/// nominate; at the allocation meeting headteachers allocate the money.
public enum MeetingKind: String, Sendable, CaseIterable, Comparable {
    case planning, allocation

    public static func < (lhs: MeetingKind, rhs: MeetingKind) -> Bool { lhs == .planning && rhs == .allocation }

    public var label: String {
        switch self {
        case .planning: "Planning meeting"
        case .allocation: "Allocation meeting"
        }
    }
}

/// A meeting is scheduled until it is cancelled; a cancelled meeting stays on the record.
public enum MeetingStatus: String, Sendable, CaseIterable {
    case scheduled, cancelled
}

/// A time of day on the council's clock, to the minute: "15:30".
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    /// 00:00, a value no meeting is given; what a time read back wrongly becomes rather than a crash.
    public static let midnight = TimeOfDay(checkedHour: 0, minute: 0)

    private init(checkedHour hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// "15:30" or "9:05"; seconds, as PostgreSQL writes a `time` ("15:30:00"), are read and must be zero.
    public init?(text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), parts.count == 2 || Int(parts[2]) == 0 else { return nil }
        self.init(hour: hour, minute: minute)
    }

    /// "15:30".
    public var description: String { String(format: "%02d:%02d", hour, minute) }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { (lhs.hour, lhs.minute) < (rhs.hour, rhs.minute) }
}

/// How an officer lays out a year's meetings: "planning in week 3 and allocation in week 5 of each term, Tuesdays
/// 15:30". Week 1 of a term is the week (Monday to Sunday) holding its first day.
///
/// ```swift
/// let pattern = try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: TimeOfDay(hour: 15, minute: 30)!)
/// pattern.slots(for: termDates, workingDays: days)   // six slots, each on a working day inside its term
/// ```
public struct SchedulePattern: Hashable, Sendable {
    public let planningWeek: Int
    public let allocationWeek: Int
    public let weekday: Weekday
    public let startsAt: TimeOfDay

    /// The latest week a meeting may fall in: a term is rarely longer than 14 weeks.
    public static let latestWeek = 14

    /// - Throws: `DomainError.validation` for a week outside 1...14, an allocation week not after the planning week,
    ///   or a weekend day.
    public init(planningWeek: Int, allocationWeek: Int, weekday: Weekday, startsAt: TimeOfDay) throws(DomainError) {
        var issues: [DomainError.FieldIssue] = []
        let weeks = 1...Self.latestWeek
        if !weeks.contains(planningWeek) {
            issues.append(.init(pointer: "/planningWeek", detail: "Enter the planning meeting's week of term, from 1 to \(Self.latestWeek)."))
        }
        if !weeks.contains(allocationWeek) {
            issues.append(.init(pointer: "/allocationWeek", detail: "Enter the allocation meeting's week of term, from 1 to \(Self.latestWeek)."))
        } else if weeks.contains(planningWeek), allocationWeek <= planningWeek {
            issues.append(.init(pointer: "/allocationWeek", detail: "The allocation meeting must come in a later week than the planning meeting."))
        }
        if weekday.isWeekendDay {
            issues.append(.init(pointer: "/weekday", detail: "Choose a weekday from Monday to Friday."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        self.planningWeek = planningWeek
        self.allocationWeek = allocationWeek
        self.weekday = weekday
        self.startsAt = startsAt
    }

    /// One meeting's place in the pattern.
    public struct Slot: Hashable, Sendable {
        public let term: Term
        public let kind: MeetingKind
        public let date: CalendarDate
    }

    /// The year's six meetings: for each term, the pattern's weekday in the planning and allocation weeks. A date that
    /// is not a working day (a bank holiday, a closure day) moves on to the next working day; one that would then fall
    /// outside the term moves to the term's last working day, and one before its first day (in week 1) to its first
    /// working day. When the allocation meeting is thus pushed back onto or before the planning meeting, the planning
    /// meeting moves to the working day before it, so planning always comes first.
    public func slots(for dates: TermDates, workingDays: WorkingDays) -> [Slot] {
        Term.allCases.flatMap { term -> [Slot] in
            let span = dates[term]
            var planning = Self.place(weekday, week: planningWeek, in: span, notBefore: span.startsOn, workingDays: workingDays)
            let allocation = Self.place(weekday, week: allocationWeek, in: span, notBefore: planning.adding(days: 1), workingDays: workingDays)
            if allocation <= planning {
                // No working day after the planning meeting: it moves back to the working day before the allocation
                // meeting (only a term of one working day holds both on the same day).
                var earlier = allocation.adding(days: -1)
                while earlier >= span.startsOn, !workingDays.isWorkingDay(earlier) { earlier = earlier.adding(days: -1) }
                planning = earlier >= span.startsOn ? earlier : allocation
            }
            return [Slot(term: term, kind: .planning, date: planning), Slot(term: term, kind: .allocation, date: allocation)]
        }
    }

    static func place(_ weekday: Weekday, week: Int, in span: DateSpan, notBefore: CalendarDate, workingDays: WorkingDays) -> CalendarDate {
        let mondayOfFirstWeek = span.startsOn.adding(days: -(span.startsOn.weekday.rawValue - 1))
        var day = mondayOfFirstWeek.adding(days: (week - 1) * 7 + weekday.rawValue - 1)
        if day < notBefore { day = notBefore }
        while day <= span.endsOn, !workingDays.isWorkingDay(day) { day = day.adding(days: 1) }
        if day <= span.endsOn { return day }
        // Past the term's end: the last working day of the term not before `notBefore`, else the term's last working day.
        var back = span.endsOn
        while back > span.startsOn, !workingDays.isWorkingDay(back) { back = back.adding(days: -1) }
        return back
    }
}

/// A meeting's details an officer may change, checked together so every problem is reported at once.
public struct MeetingChange: Hashable, Sendable {
    public var meetsOn: CalendarDate
    public var startsAt: TimeOfDay
    public var place: String
    /// An `https://` address for joining online; nil when the meeting is in person only.
    public var onlineLink: String?
    /// The last day for submissions when the officer sets it; nil for the council's rule.
    public var cutOffOverride: CalendarDate?

    public init(meetsOn: CalendarDate, startsAt: TimeOfDay, place: String, onlineLink: String?, cutOffOverride: CalendarDate?) {
        self.meetsOn = meetsOn
        self.startsAt = startsAt
        self.place = place
        self.onlineLink = onlineLink
        self.cutOffOverride = cutOffOverride
    }

    public static let longestPlace = 300
    public static let longestLink = 500

    /// Tidies and checks the change for a meeting of `term` whose term runs `span`.
    /// - Throws: `DomainError.validation` when the date is outside the term or not a working day, the place or link is
    ///   malformed, or the cut-off falls after the meeting.
    public func checked(term: Term, span: DateSpan?, workingDays: WorkingDays) throws(DomainError) -> MeetingChange {
        var change = self
        var issues: [DomainError.FieldIssue] = []
        let venue = Self.venue(place: place, onlineLink: onlineLink)
        change.place = venue.place
        change.onlineLink = venue.onlineLink
        if let span, !span.contains(meetsOn) {
            issues.append(.init(pointer: "/meetsOn",
                detail: "The \(term.rawValue) term runs from \(span.startsOn) to \(span.endsOn): choose a day within it."))
        } else if !workingDays.isWorkingDay(meetsOn) {
            issues.append(.init(pointer: "/meetsOn", detail: "\(meetsOn) is not a working day: choose a weekday that is not a bank holiday or closure day."))
        }
        issues += venue.issues
        if let cutOff = cutOffOverride, cutOff > meetsOn || cutOff < meetsOn.adding(days: -SubmissionCutOff.longestDaysBefore) {
            issues.append(.init(pointer: "/cutOffOn",
                detail: "The cut-off must be on or before the meeting day, and at most \(SubmissionCutOff.longestDaysBefore) days before it."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return change
    }

    /// Tidies and checks where a meeting is held: a place, an `https://` link, or both.
    public static func venue(place: String, onlineLink: String?) -> (place: String, onlineLink: String?, issues: [DomainError.FieldIssue]) {
        var issues: [DomainError.FieldIssue] = []
        let place = place.trimmingCharacters(in: .whitespacesAndNewlines)
        var link = onlineLink?.trimmingCharacters(in: .whitespaces)
        if link?.isEmpty == true { link = nil }
        if place.count > longestPlace || SchoolDetails.hasControlCharacters(place) {
            issues.append(.init(pointer: "/place", detail: "Enter the place in at most \(longestPlace) characters."))
        }
        if let link {
            let parsed = URLComponents(string: link)
            if link.count > longestLink || parsed?.scheme?.lowercased() != "https" || (parsed?.host ?? "").isEmpty || link.contains(where: \.isWhitespace) {
                issues.append(.init(pointer: "/onlineLink", detail: "Enter the online link as a full https:// address, in at most \(longestLink) characters."))
            }
        }
        if place.isEmpty, link == nil {
            issues.append(.init(pointer: "/place", detail: "Enter where the meeting is held, or an online link."))
        }
        return (place, link, issues)
    }

    /// The cut-off once this change is made to a meeting on `previousDay` whose published cut-off is `publishedCutOff`:
    /// the officer's date; else, when the meeting has not moved and its cut-off followed the rule, the published date
    /// (a later change of the council's rule does not shift it); else the council's rule for the new day.
    public func cutOff(movedFrom previousDay: CalendarDate, publishedCutOff: CalendarDate, wasOverridden: Bool,
                       under rule: SubmissionCutOff) -> CalendarDate {
        if let cutOffOverride { return cutOffOverride }
        if meetsOn == previousDay, !wasOverridden { return publishedCutOff }
        return rule.lastDay(forMeetingOn: meetsOn)
    }

    /// The last day requests may be submitted for this meeting: the officer's date, else the council's rule.
    public func cutOff(under rule: SubmissionCutOff) -> CalendarDate {
        cutOffOverride ?? rule.lastDay(forMeetingOn: meetsOn)
    }
}
