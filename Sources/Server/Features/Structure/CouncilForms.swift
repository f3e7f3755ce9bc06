import Domain
import Foundation

// The forms of the council's settings and calendar, one parser each for the pages and the API. Values arrive as JSON
// numbers, strings, booleans or nulls (API) or as strings (pages); each parser reads what was sent, and `Domain`
// decides whether it is acceptable. A field the request leaves out is left as it was (PATCH).

/// One field as sent: left out, sent as null, or sent with a value: text (every field of a page's form is text), or
/// a JSON number or boolean, kept as what it was so the API can refuse `"10"` where it promised a number.
enum SentField: Sendable, Equatable {
    case absent, null
    case value(String)
    case number(String)
    case flag(Bool)
    /// Sent as something no field here takes (an array, an object).
    case unreadable

    static func read<Key: CodingKey>(_ key: Key, in container: KeyedDecodingContainer<Key>) -> SentField {
        guard container.contains(key) else { return .absent }
        if (try? container.decodeNil(forKey: key)) == true { return .null }
        if let text = try? container.decode(String.self, forKey: key) { return .value(text) }
        if let number = try? container.decode(Int64.self, forKey: key) { return .number(String(number)) }
        if let flag = try? container.decode(Bool.self, forKey: key) { return .flag(flag) }
        return .unreadable
    }
}

/// "Council settings": `POST /settings` and `PATCH /api/v1/council-settings`.
struct CouncilSettingsForm: Decodable, Sendable {
    enum Key: String, CodingKey, CaseIterable {
        case laCode, submissionCutOffDays, submissionCutOffWeekday, requestCapPerSchoolPerMeeting, individualThresholdPence,
            individualThresholdPounds, longestFundingTerms, defaultReservePercent, decisionNoticeWorkingDays, secondFactorForEveryone
        /// The page's radio: `days` or `weekday` (the API says which by the field it sends).
        case cutOffKind
    }

    var fields: [Key: SentField] = [:]
    /// JSON's types hold (the API): a number must be a number and a flag a boolean, not text that reads as one.
    var strictTypes = false

    /// Only the page sends these; the API says which cut-off by the field it sends, and the threshold in pence.
    static let pageOnly: [Key] = [.cutOffKind, .individualThresholdPounds]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in Key.allCases { fields[key] = SentField.read(key, in: container) }
    }

    init(fields: [Key: SentField]) { self.fields = fields }

    subscript(key: Key) -> SentField { fields[key] ?? .absent }

    /// The settings after this change; every unreadable field reported at once, pointing at its name.
    func applied(to current: CouncilSettings) throws(DomainError) -> CouncilSettings {
        var settings = current
        var issues: [DomainError.FieldIssue] = []
        func issue(_ key: Key, _ detail: String) { issues.append(.init(pointer: "/" + key.rawValue, detail: detail)) }
        func integer(_ key: Key, _ detail: String, optional: Bool = false, into apply: (Int?) -> Void) {
            switch self[key] {
            case .absent: return
            case .null where optional: apply(nil)
            case .value(let text) where optional && text.trimmingCharacters(in: .whitespaces).isEmpty: apply(nil)
            case .number(let text): if let number = Int(text) { apply(number) } else { issue(key, detail) }
            case .value(let text) where !strictTypes:
                if let number = Int(text.trimmingCharacters(in: .whitespaces)) { apply(number) } else { issue(key, detail) }
            case .value, .null, .flag, .unreadable: issue(key, detail)
            }
        }

        switch self[.laCode] {
        case .absent: break
        case .null: settings.laCode = nil
        case .value(let text):
            let code = text.trimmingCharacters(in: .whitespacesAndNewlines)
            // A page clears the code with an empty box; the API with null, so an empty string is a mistake there.
            if code.isEmpty && strictTypes { issue(.laCode, "Enter the local-authority code as three digits, or send null to clear it.") }
            settings.laCode = code.isEmpty ? nil : code
        case .number, .flag, .unreadable: issue(.laCode, "Enter the local-authority code as three digits, like 999.")
        }

        let daysDetail = "Enter the cut-off as a whole number of days before the meeting, like 7."
        let weekdayDetail = "Choose the weekday of the week before the meeting, like wednesday."
        var days: Int?? = .none
        var weekday: Weekday?? = .none
        integer(.submissionCutOffDays, daysDetail, optional: true) { days = .some($0) }
        switch self[.submissionCutOffWeekday] {
        case .absent: break
        case .null: weekday = .some(nil)
        case .value(let text) where text.isEmpty: weekday = .some(nil)
        case .value(let text):
            if let day = Weekday.allCases.first(where: { $0.name.lowercased() == text.lowercased() }) { weekday = .some(day) } else {
                issue(.submissionCutOffWeekday, weekdayDetail)
            }
        case .number, .flag, .unreadable: issue(.submissionCutOffWeekday, weekdayDetail)
        }
        switch self[.cutOffKind] {
        case .value("days"):
            if case .some(.some(let value)) = days { settings.submissionCutOff = .daysBefore(value) } else { issue(.submissionCutOffDays, daysDetail) }
        case .value("weekday"):
            if case .some(.some(let value)) = weekday { settings.submissionCutOff = .weekdayOfWeekBefore(value) } else {
                issue(.submissionCutOffWeekday, weekdayDetail)
            }
        case .absent:
            switch (days, weekday) {
            case (.some(.some), .some(.some)):
                issue(.submissionCutOffWeekday, "Send either submissionCutOffDays or submissionCutOffWeekday, not both.")
            case (.some(.some(let value)), _): settings.submissionCutOff = .daysBefore(value)
            case (_, .some(.some(let value))): settings.submissionCutOff = .weekdayOfWeekBefore(value)
            case (.some(.none), _), (_, .some(.none)):
                issue(.submissionCutOffDays, "A cut-off is always set: send a number of days or a weekday instead.")
            case (.none, .none): break
            }
        default: issue(.submissionCutOffDays, "Choose days before the meeting or a weekday of the week before.")
        }

        integer(.requestCapPerSchoolPerMeeting, "Enter the cap as a whole number, or leave it empty for no cap.", optional: true) {
            settings.requestCapPerSchoolPerMeeting = $0
        }
        integer(.individualThresholdPence, "Enter the threshold in pence as a whole number, like 600000.") {
            settings.individualThreshold = Pence(Int64($0 ?? 0))
        }
        switch self[.individualThresholdPounds] {
        case .absent: break
        case .value(let text):
            if let pence = Pence(poundsText: text) { settings.individualThreshold = pence } else {
                issue(.individualThresholdPounds, "Enter the threshold in pounds, like 6000 or 6,000.00.")
            }
        case .null, .number, .flag, .unreadable: issue(.individualThresholdPounds, "Enter the threshold in pounds, like 6000 or 6,000.00.")
        }
        integer(.longestFundingTerms, "Enter the longest funding as a whole number of terms, like 3.") { settings.longestFundingTerms = $0 ?? 0 }
        integer(.defaultReservePercent, "Enter the reserve as a whole number per cent, like 10.") { settings.defaultReservePercent = $0 ?? 0 }
        integer(.decisionNoticeWorkingDays, "Enter the deadline as a whole number of working days, like 7.") {
            settings.decisionNoticeWorkingDays = $0 ?? 0
        }
        switch self[.secondFactorForEveryone] {
        case .absent: break
        case .flag(let flag): settings.secondFactorForEveryone = flag
        case .value(let text) where !strictTypes && ["true", "on"].contains(text): settings.secondFactorForEveryone = true
        case .value(let text) where !strictTypes && ["false", "off"].contains(text): settings.secondFactorForEveryone = false
        default: issue(.secondFactorForEveryone, "Say whether everyone signs in with a second factor: true or false.")
        }
        guard issues.isEmpty else { throw .validation(issues) }
        do {
            try settings.validate()
        } catch {
            throw .validation(Self.renamed(error))
        }
        return settings
    }

    /// The rule's pointers, in this form's field names.
    static func renamed(_ error: DomainError) -> [DomainError.FieldIssue] {
        guard case .validation(let issues) = error else { return [.init(pointer: "", detail: error.message)] }
        return issues.map { issue in
            var issue = issue
            if issue.pointer == "/submissionCutOff/days" { issue.pointer = "/submissionCutOffDays" }
            return issue
        }
    }
}

/// "Term dates": `POST /calendar/{year}/terms` and `PUT /api/v1/term-dates/{year}`.
struct TermDatesForm: Decodable, Sendable {
    var autumnStartsOn: String?
    var autumnEndsOn: String?
    var springStartsOn: String?
    var springEndsOn: String?
    var summerStartsOn: String?
    var summerEndsOn: String?

    init(_ dates: TermDates?) {
        autumnStartsOn = dates?.autumn.startsOn.iso
        autumnEndsOn = dates?.autumn.endsOn.iso
        springStartsOn = dates?.spring.startsOn.iso
        springEndsOn = dates?.spring.endsOn.iso
        summerStartsOn = dates?.summer.startsOn.iso
        summerEndsOn = dates?.summer.endsOn.iso
    }

    func termDates(year: AcademicYear) throws(DomainError) -> TermDates {
        var issues: [DomainError.FieldIssue] = []
        func date(_ text: String?, _ field: String, _ what: String) -> CalendarDate? {
            guard let text, let date = CalendarDate(iso: text.trimmingCharacters(in: .whitespaces)) else {
                issues.append(.init(pointer: "/" + field, detail: "Enter the \(what) as a date, like \(year.firstDay.iso)."))
                return nil
            }
            return date
        }
        // The year itself is bounded where the path is read (`AcademicYearPath`), so the dates need no other bound.
        let values = [
            date(autumnStartsOn, "autumnStartsOn", "first day of the autumn term"), date(autumnEndsOn, "autumnEndsOn", "last day of the autumn term"),
            date(springStartsOn, "springStartsOn", "first day of the spring term"), date(springEndsOn, "springEndsOn", "last day of the spring term"),
            date(summerStartsOn, "summerStartsOn", "first day of the summer term"), date(summerEndsOn, "summerEndsOn", "last day of the summer term"),
        ]
        let dates = values.compactMap { $0 }
        guard issues.isEmpty, dates.count == 6 else { throw .validation(issues) }
        do {
            return try TermDates(
                year: year, autumn: DateSpan(startsOn: dates[0], endsOn: dates[1]), spring: DateSpan(startsOn: dates[2], endsOn: dates[3]),
                summer: DateSpan(startsOn: dates[4], endsOn: dates[5]))
        } catch {
            // `/autumn/startsOn` becomes this form's `/autumnStartsOn`.
            guard case .validation(let found) = error else { throw error }
            throw .validation(found.map { .init(pointer: $0.pointer.replacingOccurrences(of: "/startsOn", with: "StartsOn")
                .replacingOccurrences(of: "/endsOn", with: "EndsOn"), detail: $0.detail) })
        }
    }
}

/// "Add a closure day": `POST /calendar/closure-days` and `POST /api/v1/closure-days`.
struct ClosureDayForm: Decodable, Sendable {
    var day: String?
    var reason: String?

    func closureDay(today: CalendarDate) throws(DomainError) -> ClosureDay {
        let date = try DateEntry.read(day, field: "/day", label: "closure day", within: .roleDates, today: today)
        return ClosureDay(day: date, reason: reason ?? "")
    }
}
