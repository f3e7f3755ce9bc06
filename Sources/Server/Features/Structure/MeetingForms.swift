import Domain
import Foundation
import Store

// The forms of the meeting schedule, one parser each for the pages and the API (as CouncilForms.swift reads the
// settings): each field arrives as text (pages) or a JSON value (API), and every unreadable field is reported at once.

/// "Generate the year's meetings": `POST /meetings/generate` and `POST /api/v1/meetings/generate`.
struct MeetingScheduleForm: Decodable, Sendable {
    enum Key: String, CodingKey, CaseIterable {
        case academicYear, planningWeek, allocationWeek, weekday, startsAt, place, onlineLink
    }

    var fields: [Key: SentField] = [:]
    /// JSON's types hold (the API): a number must be a number, not text that reads as one.
    var strictTypes = false

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in Key.allCases { fields[key] = SentField.read(key, in: container) }
    }

    subscript(key: Key) -> SentField { fields[key] ?? .absent }

    /// What the form says, as typed, to show again when it is refused.
    func text(_ key: Key) -> String {
        switch self[key] {
        case .value(let text), .number(let text): text
        case .absent, .null, .flag, .unreadable: ""
        }
    }

    struct Parsed: Sendable {
        var year: AcademicYear
        var pattern: SchedulePattern
        var place: String
        var onlineLink: String?
    }

    func parsed() throws(DomainError) -> Parsed {
        var issues: [DomainError.FieldIssue] = []
        func issue(_ key: Key, _ detail: String) { issues.append(.init(pointer: "/" + key.rawValue, detail: detail)) }
        func integer(_ key: Key, _ detail: String) -> Int? {
            switch self[key] {
            case .number(let text): if let number = Int(text) { return number }
            case .value(let text) where !strictTypes: if let number = Int(text.trimmingCharacters(in: .whitespaces)) { return number }
            default: break
            }
            issue(key, detail)
            return nil
        }
        func string(_ key: Key, _ detail: String) -> String? {
            switch self[key] {
            case .absent: return nil
            case .value(let text): return text
            case .null, .number, .flag, .unreadable:
                issue(key, detail)
                return nil
            }
        }
        let year = integer(.academicYear, "Choose the academic year by the year it starts, from 2000 to 2100.")
        if let year, !CalendarController.years.contains(year) {
            issue(.academicYear, "Choose the academic year by the year it starts, from 2000 to 2100.")
        }
        let planning = integer(.planningWeek, "Enter the planning meeting's week of term, from 1 to \(SchedulePattern.latestWeek).")
        let allocation = integer(.allocationWeek, "Enter the allocation meeting's week of term, from 1 to \(SchedulePattern.latestWeek).")
        let weekdayText = string(.weekday, "Choose a weekday from Monday to Friday.")
        let weekday = weekdayText.flatMap { text in Weekday.allCases.first { $0.name.lowercased() == text.trimmingCharacters(in: .whitespaces).lowercased() } }
        if weekday == nil, issues.last?.pointer != "/weekday" { issue(.weekday, "Choose a weekday from Monday to Friday.") }
        let startsAt = string(.startsAt, "Enter the start time as hours and minutes, like 15:30.").flatMap(TimeOfDay.init(text:))
        if startsAt == nil, issues.last?.pointer != "/startsAt" { issue(.startsAt, "Enter the start time as hours and minutes, like 15:30.") }
        let place = string(.place, "Enter where the meetings are held as text.") ?? ""
        let link = string(.onlineLink, "Enter the online link as a full https:// address.")
        var pattern: SchedulePattern?
        if let planning, let allocation, let weekday, let startsAt {
            do throws(DomainError) {
                pattern = try SchedulePattern(planningWeek: planning, allocationWeek: allocation, weekday: weekday, startsAt: startsAt)
            } catch .validation(let found) {
                issues += found
            } catch {
                throw error
            }
        }
        issues += MeetingChange.venue(place: place, onlineLink: link).issues
        guard issues.isEmpty, let year, let pattern else { throw .validation(issues) }
        return Parsed(year: AcademicYear(year), pattern: pattern, place: place, onlineLink: link)
    }
}

/// "Change the meeting": `POST /meetings/{id}` and `PATCH /api/v1/meetings/{id}`. A field left out keeps its value;
/// an empty `onlineLink`, `chairUserId` or `cutOffOn` clears it (no link, the locality lead chairs, the council's rule).
struct MeetingChangeForm: Decodable, Sendable {
    enum Key: String, CodingKey, CaseIterable {
        case meetsOn, startsAt, place, onlineLink, chairUserId, cutOffOn
    }

    var fields: [Key: SentField] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in Key.allCases { fields[key] = SentField.read(key, in: container) }
    }

    subscript(key: Key) -> SentField { fields[key] ?? .absent }

    func text(_ key: Key) -> String? {
        if case .value(let text) = self[key] { return text }
        return nil
    }

    /// The meeting's details after this change, and its chair. - Throws: `validation` naming every unreadable field.
    func applied(to current: MeetingRecord) throws(DomainError) -> (change: MeetingChange, chair: ID<User>?) {
        var change = current.change
        var chair = current.chairID
        var issues: [DomainError.FieldIssue] = []
        func issue(_ key: Key, _ detail: String) { issues.append(.init(pointer: "/" + key.rawValue, detail: detail)) }
        func read(_ key: Key, _ detail: String, apply: (String) -> Bool) {
            switch self[key] {
            case .absent: return
            case .value(let text): if !apply(text.trimmingCharacters(in: .whitespaces)) { issue(key, detail) }
            case .null, .number, .flag, .unreadable: issue(key, detail)
            }
        }
        read(.meetsOn, "Enter the meeting's date as a date, like 2026-10-13.") { text in
            guard let day = CalendarDate(iso: text) else { return false }
            change.meetsOn = day
            return true
        }
        read(.startsAt, "Enter the start time as hours and minutes, like 15:30.") { text in
            guard let time = TimeOfDay(text: text) else { return false }
            change.startsAt = time
            return true
        }
        read(.place, "Enter where the meeting is held as text.") { _ in
            if case .value(let text) = self[.place] { change.place = text }
            return true
        }
        read(.onlineLink, "Enter the online link as a full https:// address, or leave it empty.") { text in
            change.onlineLink = text.isEmpty ? nil : text
            return true
        }
        read(.chairUserId, "Choose a council officer to chair, or leave it to the locality lead.") { text in
            if text.isEmpty {
                chair = nil
                return true
            }
            guard let id = ID<User>(text) else { return false }
            chair = id
            return true
        }
        read(.cutOffOn, "Enter the cut-off as a date, like 2026-10-06, or leave it empty for the council's rule.") { text in
            if text.isEmpty {
                change.cutOffOverride = nil
                return true
            }
            guard let day = CalendarDate(iso: text) else { return false }
            change.cutOffOverride = day
            return true
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return (change, chair)
    }
}

/// "Cancel the meeting", with the reason its readers see.
struct MeetingCancelForm: Decodable, Sendable {
    var reason: String?
}
