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
            // Requests: everyone with a role reaches some (their schools', their clusters', or all for officers).
            if !session.actor.roles.isEmpty { items.append(("Requests", "/requests")) }
            if session.actor.roles.contains(.educationalPsychologist) { items.append(("Caseload", "/advice")) }
            items += [("Clusters", "/clusters"), ("Meetings", "/meetings"), ("Schools", "/schools")]
            // Pupils: a school's SENCo and headteacher, officers, and EPs (who find there only the pupils whose families
            // consent to EP involvement).
            if Policy.authorize(session.actor, .readPupils, on: .council) == .allow { items.append(("Pupils", "/pupils")) }
            items += [("Calendar", "/calendar"), ("Settings", "/settings")]
            if session.actor.isOfficer { items += [("Referrals", "/referrals"), ("Budgets", "/budgets"), ("Users", "/users"), ("Audit trail", "/audit")] }
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
