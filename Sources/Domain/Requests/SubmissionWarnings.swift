import Foundation

/// What submission warns about without refusing (DOMAIN.md, "Requests"): the request goes ahead, and the warning is
/// recorded on its history for the school and the panel to read.
public enum SubmissionWarnings {
    /// How late an impact review may be before the school is warned.
    public static let impactReviewGraceDays = 28

    /// A warning when one of the school's impact reviews, due on the days given, is more than four weeks overdue.
    public static func overdueImpactReview(dueOn: [CalendarDate], today: CalendarDate) -> String? {
        guard let oldest = dueOn.filter({ $0.days(until: today) > impactReviewGraceDays }).min() else { return nil }
        return "The school has an impact review overdue since \(oldest.long), more than four weeks: the request is submitted, "
            + "and the panel will see that the review is outstanding."
    }
}
