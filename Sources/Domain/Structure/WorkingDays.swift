import Foundation

/// The council's working days: Monday to Friday, less England and Wales bank holidays and the council's own closure
/// days (the days between Christmas and New Year, say). Deadlines are counted in them.
///
/// Counting follows how deadlines are written: "7 working days after the meeting" counts the days *after* the meeting,
/// never the meeting day itself, and the last one counted is the deadline.
///
/// ```swift
/// let days = WorkingDays(closures: council.closureDays)
/// let noticeDue = days.adding(workingDays: 7, to: meetingDate)   // the decision notice deadline
/// days.count(after: meetingDate, through: sentOn) <= 7            // was it sent in time?
/// ```
public struct WorkingDays: Sendable {
    /// Days the council is closed besides weekends and bank holidays.
    public let closures: Set<CalendarDate>

    public init(closures: Set<CalendarDate> = []) {
        self.closures = closures
    }

    /// A weekday that is neither a bank holiday nor a closure day.
    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        !date.isWeekend && !closures.contains(date) && !BankHolidays.isBankHoliday(date)
    }

    /// The working days after `from` up to and including `to`; 0 when `to` is not after `from`. From a Friday to the
    /// next Monday is 1; from a day to itself is 0.
    public func count(after from: CalendarDate, through to: CalendarDate) -> Int {
        guard from < to else { return 0 }
        var count = 0
        var day = from.adding(days: 1)
        while day <= to {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    /// The date `workingDays` working days after `date`: the last of them, as a deadline is. With 0, `date` itself
    /// (working day or not); a negative count goes back that many working days before `date`, as a cut-off does.
    /// So `count(after: date, through: adding(workingDays: n, to: date)) == n` for every n ≥ 0.
    public func adding(workingDays: Int, to date: CalendarDate) -> CalendarDate {
        let step = workingDays < 0 ? -1 : 1
        var remaining = abs(workingDays)
        var day = date
        while remaining > 0, day != .earliest, day != .latest {
            day = day.adding(days: step)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }
}

/// A day the council's schools are closed besides weekends and bank holidays, with the reason officers gave.
public struct ClosureDay: Sendable, Hashable {
    public var day: CalendarDate
    public var reason: String

    public init(day: CalendarDate, reason: String) {
        self.day = day
        self.reason = reason
    }
}
