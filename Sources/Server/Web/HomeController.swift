import Hummingbird

/// The home page. Role-aware dashboards replace its body once people can sign in.
struct HomeController {
    let pages: Pages

    func addRoutes(to routes: Routes) {
        routes.get("/", use: home)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        var layout = Layout(title: "SEND cluster funding")
        layout.navigation[0].current = true
        return try pages.render("home", HomePage(layout: layout))
    }
}

struct HomePage: Sendable {
    var layout: Layout
}
