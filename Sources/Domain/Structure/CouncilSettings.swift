import Foundation

/// When requests for a meeting close: a number of calendar days before it (the default, 7), or a weekday of the week
/// before (Kent's "the Wednesday before").
///
/// ```swift
/// SubmissionCutOff.daysBefore(7).lastDay(forMeetingOn: tuesday)            // the Tuesday a week earlier
/// SubmissionCutOff.weekdayOfWeekBefore(.wednesday).lastDay(forMeetingOn: tuesday)
/// ```
public enum SubmissionCutOff: Hashable, Sendable {
    case daysBefore(Int)
    case weekdayOfWeekBefore(Weekday)

    public static let standardDays = 7
    public static let standard = SubmissionCutOff.daysBefore(standardDays)
    /// The most calendar days a cut-off may lie before its meeting.
    public static let longestDaysBefore = 60

    /// The last day a request may be submitted for a meeting on `meetingDate` (submissions on that day still count).
    public func lastDay(forMeetingOn meetingDate: CalendarDate) -> CalendarDate {
        switch self {
        case .daysBefore(let days):
            return meetingDate.adding(days: -days)
        case .weekdayOfWeekBefore(let weekday):
            // The Monday of the meeting's week, less a week, then on to the weekday.
            let mondayOfWeekBefore = meetingDate.adding(days: -(meetingDate.weekday.rawValue - 1) - 7)
            return mondayOfWeekBefore.adding(days: weekday.rawValue - 1)
        }
    }

    /// "7 days before the meeting" or "the Wednesday of the week before".
    public var description: String {
        switch self {
        case .daysBefore(1): "1 day before the meeting"
        case .daysBefore(let days): "\(days) days before the meeting"
        case .weekdayOfWeekBefore(let weekday): "the \(weekday.name) of the week before the meeting"
        }
    }
}

/// The council's own rules, set by officers; later issues read them here and hard-code none of them.
public struct CouncilSettings: Hashable, Sendable {
    /// The council's three-digit local-authority code (GIAS `LA (code)`), used by the school import; nil until set.
    public var laCode: String?
    public var submissionCutOff: SubmissionCutOff
    /// The most requests one school may bring to one meeting; nil for no cap (the default).
    public var requestCapPerSchoolPerMeeting: Int?
    /// The sum above which an individual request is for a pupil with exceptional needs, in pence (default £6,000).
    public var individualThreshold: Pence
    /// The longest an award may fund, in terms (default 3).
    public var longestFundingTerms: Int
    /// The share of a cluster's allocation held back for emergencies, in whole per cent (default 10).
    public var defaultReservePercent: Int
    /// Working days after an allocation meeting by which the decision notice goes out (default 7).
    public var decisionNoticeWorkingDays: Int
    /// Whether everyone, not only officers, signs in with a second factor.
    public var secondFactorForEveryone: Bool

    public static let standard = CouncilSettings(
        laCode: nil, submissionCutOff: .standard, requestCapPerSchoolPerMeeting: nil, individualThreshold: Pence(600_000),
        longestFundingTerms: 3, defaultReservePercent: 10, decisionNoticeWorkingDays: 7, secondFactorForEveryone: false)

    public init(
        laCode: String?, submissionCutOff: SubmissionCutOff, requestCapPerSchoolPerMeeting: Int?, individualThreshold: Pence,
        longestFundingTerms: Int, defaultReservePercent: Int, decisionNoticeWorkingDays: Int, secondFactorForEveryone: Bool
    ) {
        self.laCode = laCode
        self.submissionCutOff = submissionCutOff
        self.requestCapPerSchoolPerMeeting = requestCapPerSchoolPerMeeting
        self.individualThreshold = individualThreshold
        self.longestFundingTerms = longestFundingTerms
        self.defaultReservePercent = defaultReservePercent
        self.decisionNoticeWorkingDays = decisionNoticeWorkingDays
        self.secondFactorForEveryone = secondFactorForEveryone
    }

    /// Every broken rule at once, each pointing at its field (`/laCode`, `/submissionCutOff/days`, ...).
    public func validate() throws(DomainError) {
        var issues: [DomainError.FieldIssue] = []
        if let laCode, !(laCode.utf8.count == 3 && laCode.utf8.allSatisfy { (48...57).contains($0) }) {
            issues.append(.init(pointer: "/laCode", detail: "Enter the local-authority code as three digits, like 999."))
        }
        if case .daysBefore(let days) = submissionCutOff, !(0...Self.cutOffDays).contains(days) {
            issues.append(.init(pointer: "/submissionCutOff/days",
                detail: "Enter a cut-off between 0 and \(Self.cutOffDays) days before the meeting."))
        }
        if let cap = requestCapPerSchoolPerMeeting, !(1...50).contains(cap) {
            issues.append(.init(pointer: "/requestCapPerSchoolPerMeeting", detail: "Enter a cap from 1 to 50, or leave it empty for no cap."))
        }
        if !(1...1_000_000_000).contains(individualThreshold.value) {
            issues.append(.init(pointer: "/individualThresholdPence", detail: "Enter a threshold above £0 and at most £10,000,000."))
        }
        if !(1...9).contains(longestFundingTerms) {
            issues.append(.init(pointer: "/longestFundingTerms", detail: "Enter a number of terms from 1 to 9."))
        }
        if !(0...50).contains(defaultReservePercent) {
            issues.append(.init(pointer: "/defaultReservePercent", detail: "Enter a reserve from 0% to 50%."))
        }
        if !(1...60).contains(decisionNoticeWorkingDays) {
            issues.append(.init(pointer: "/decisionNoticeWorkingDays", detail: "Enter a number of working days from 1 to 60."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
    }

    static let cutOffDays = SubmissionCutOff.longestDaysBefore
}
