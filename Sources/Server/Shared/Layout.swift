import Domain
import Store

/// What every page gives the base layout: the title, the navigation for the signed-in role, and the sign-out form.
struct Layout: Sendable {
    var title: String
    var navigation: [NavigationItem]
    var signedInAs: String?
    var csrfToken: String?

    struct NavigationItem: Sendable {
        var label: String
        var href: String
        var current: Bool
    }

    init(title: String, path: String = "", session: Authenticated? = nil) {
        self.title = title
        var items: [(String, String)] = [("Home", "/")]
        if let session {
            // Everyone signed in reads the clusters, meetings and schools they may see, the calendar and the settings
            // (cut-offs and caps apply to them); only officers reach users and the audit trail.
            items += [("Clusters", "/clusters"), ("Meetings", "/meetings"), ("Schools", "/schools")]
            // Pupils are for their school's SENCo and headteacher and for officers; EPs reach a pupil only with consent.
            if session.actor.isOfficer || !session.actor.schools().isEmpty { items.append(("Pupils", "/pupils")) }
            items += [("Calendar", "/calendar"), ("Settings", "/settings")]
            if session.actor.isOfficer { items += [("Budgets", "/budgets"), ("Users", "/users"), ("Audit trail", "/audit")] }
            items.append(("Your account", "/account"))
        } else {
            items.append(("Sign in", "/sign-in"))
        }
        navigation = items.map { label, href in
            NavigationItem(label: label, href: href, current: href == "/" ? path == "/" : path.hasPrefix(href))
        }
        signedInAs = session?.actor.displayName
        csrfToken = session?.csrfToken
    }
}
