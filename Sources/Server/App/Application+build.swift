import Foundation
import Hummingbird
import Logging
import Store

/// Everything the server needs from outside, read once by the executable.
public struct ServerConfiguration: Sendable {
    public var hostname: String
    public var port: Int
    /// Where templates, the stylesheet and `openapi.json` live; defaults to the bundled resources.
    public var resourcesDirectory: String
    /// Mark the session cookie `Secure` (set `COOKIE_SECURE=1` whenever TLS is terminated in front of the server).
    public var cookieSecure: Bool
    /// The address people use (`CLUSTERFUND_BASE_URL`), for links shown to be sent on (set-password links). Without it,
    /// pages issue no links: an address taken from the request's `Host` could be an attacker's.
    public var baseURL: String?
    /// Proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`); none by default.
    public var trustedProxies: AddressRanges
    /// What `/metrics` shows; the executable passes `ServerMetrics.bootstrap()` so requests are counted there.
    public var metrics: ServerMetrics
    /// The bearer token that opens `/metrics` and the reasons on `/ready` (`CLUSTERFUND_METRICS_TOKEN`); without it,
    /// `/metrics` answers 404.
    public var metricsToken: String?

    public init(
        hostname: String = "127.0.0.1", port: Int = 8080, resourcesDirectory: String? = nil, cookieSecure: Bool = false,
        baseURL: String? = nil, trustedProxies: AddressRanges = .none, metricsToken: String? = nil,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.metrics = metrics
        self.baseURL = baseURL
        self.trustedProxies = trustedProxies
        self.hostname = hostname
        self.port = port
        self.resourcesDirectory = resourcesDirectory ?? Self.bundledResources
        self.cookieSecure = cookieSecure
        self.metricsToken = metricsToken
    }

    /// Whether browsers are told to use https only (HSTS): when the address people use is https.
    public var strictTransportSecurity: Bool { baseURL?.lowercased().hasPrefix("https://") == true }

    /// Whether cookies must be `Secure`: `COOKIE_SECURE=1`, or a base URL people reach over https. The server never
    /// speaks TLS itself, so a request "came over TLS" exactly when the proxy in front of it serves https.
    public static func cookieSecure(environment: [String: String]) -> Bool {
        environment["COOKIE_SECURE"] == "1" || environment["CLUSTERFUND_BASE_URL"]?.lowercased().hasPrefix("https://") == true
    }

    /// The resources copied into the build by SwiftPM, next to the executable.
    public static var bundledResources: String {
        Bundle.module.url(forResource: "Resources", withExtension: nil)?.path ?? "Resources"
    }
}

/// The one composition root: builds the router, middleware and services, and returns the application unstarted.
///
/// ```swift
/// let services = try await AppServices.make(database: database)
/// let app = try await buildApplication(configuration: .init(port: 8080), services: services, logger: logger)
/// try await app.runService()
/// ```
public func buildApplication(
    configuration: ServerConfiguration, services: AppServices, logger: Logger
) async throws -> some ApplicationProtocol {
    let database = services.database
    let routes = RouteBook()
    let router = try await buildRouter(configuration: configuration, services: services, routes: routes)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: "Clusterfund"),
        logger: logger
    )
    app.addServices(database.services)
    app.beforeServerStarts {
        let readiness = await database.readiness()
        if readiness != .ready {
            // Serving anyway would be worse: /ready stays 503 and an operator sees why in the log.
            logger.error("database not ready at start-up", metadata: ["reason": "\(readiness.explanation)"])
        }
    }
    return app
}

/// Builds the router alone, for tests that exercise routes without a server.
public func buildRouter(configuration: ServerConfiguration, services: AppServices, routes: RouteBook) async throws -> Router<AppRequestContext> {
    let resources = configuration.resourcesDirectory
    let pages = try await Pages(directory: resources + "/templates")
    guard let openAPI = FileManager.default.contents(atPath: resources + "/openapi.json") else {
        throw ResourceError(message: "cannot read \(resources)/openapi.json")
    }
    let cookies = CookieNames(secure: configuration.cookieSecure)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
    router.add(middleware: RequestLogMiddleware(strictTransportSecurity: configuration.strictTransportSecurity))
    // Outside ProblemMiddleware, so it counts the status a client got rather than the error a handler threw.
    router.add(middleware: MetricsMiddleware<AppRequestContext>())
    router.add(middleware: AuthenticationMiddleware(accounts: services.accounts, cookies: cookies))
    // Only what no route answered (404, 405) and the errors of the middleware above reach this one.
    router.add(middleware: ProblemMiddleware(style: .byPath, pages: pages, routes: routes, audit: services.audit) { $0.identity })
    router.add(middleware: FileMiddleware(resources + "/public", urlBasePath: "/assets"))

    func group(_ style: ProblemMiddleware<AppRequestContext>.Style, csrf: CSRFMiddleware.Guarded?) -> RouterGroup<AppRequestContext> {
        let group = router.group()
        if csrf != nil { group.add(middleware: NoStoreMiddleware()) }
        group.add(middleware: ProblemMiddleware(style: style, pages: pages, routes: routes, audit: services.audit) { $0.identity })
        if let csrf { group.add(middleware: CSRFMiddleware(guarded: csrf, cookies: cookies)) }
        return group
    }
    let pageGroup = group(.page, csrf: .pages)
    let apiGroup = group(.json, csrf: .api)
    let table = RouteTable(
        system: Routes(group: group(.json, csrf: nil), book: routes),
        pages: Routes(group: pageGroup, book: routes),
        signedInPages: Routes(group: pageGroup.group(context: SignedInContext.self), book: routes),
        api: Routes(group: apiGroup, book: routes),
        signedInAPI: Routes(group: apiGroup.group(context: SignedInContext.self), book: routes)
    )
    SystemController(
        database: services.database, metrics: configuration.metrics, openAPIDocument: ByteBuffer(bytes: openAPI), metricsToken: configuration.metricsToken
    ).addRoutes(to: table)
    HomeController(pages: pages, structure: services.structure).addRoutes(to: table)
    SignInController(pages: pages, accounts: services.accounts, cookies: cookies).addRoutes(to: table)
    AccountController(pages: pages, accounts: services.accounts).addRoutes(to: table)
    UsersController(pages: pages, users: services.users, structure: services.structure, baseURL: configuration.baseURL).addRoutes(to: table)
    AuditController(pages: pages, audit: services.audit).addRoutes(to: table)
    SessionAPIController(accounts: services.accounts).addRoutes(to: table)
    UsersAPIController(users: services.users).addRoutes(to: table)
    AuditAPIController(audit: services.audit).addRoutes(to: table)
    CouncilSettingsController(pages: pages, settings: services.settings).addRoutes(to: table)
    CalendarController(pages: pages, calendar: services.calendar).addRoutes(to: table)
    SchoolsController(pages: pages, schools: services.schools, imports: services.schoolImports, structure: services.structure).addRoutes(to: table)
    SchoolsAPIController(schools: services.schools, imports: services.schoolImports).addRoutes(to: table)
    SchoolImportController(pages: pages, schools: services.schools, imports: services.schoolImports).addRoutes(to: table)
    ClusterController(pages: pages, clusters: services.clusters, schools: services.schools, meetings: services.meetings, ledger: services.ledger)
        .addRoutes(to: table)
    MeetingController(pages: pages, meetings: services.meetings, structure: services.structure, clusters: services.clusters).addRoutes(to: table)
    let meetings = services.meetings
    BudgetsAPIController(budgets: services.budgets, ledger: services.ledger, today: { meetings.today() }).addRoutes(to: table)
    PupilsAPIController(pupils: services.pupils).addRoutes(to: table)
    PupilsController(pages: pages, pupils: services.pupils, structure: services.structure, advice: services.advice).addRoutes(to: table)
    PupilRecordsAPIController(pupils: services.pupils, referrals: services.referrals, audit: services.audit).addRoutes(to: table)
    PupilRecordsController(pages: pages, pupils: services.pupils, referrals: services.referrals, audit: services.audit).addRoutes(to: table)
    TransfersController(pages: pages, pupils: services.pupils, structure: services.structure).addRoutes(to: table)
    RequestsAPIController(requests: services.requests).addRoutes(to: table)
    AgendaController(pages: pages, requests: services.requests, meetings: services.meetings).addRoutes(to: table)
    AdviceController(pages: pages, advice: services.advice, requests: services.requests, pupils: services.pupils).addRoutes(to: table)
    RequestsController(pages: pages, requests: services.requests, structure: services.structure).addRoutes(to: table)
    RequestEditorController(pages: pages, requests: services.requests, pupils: services.pupils, structure: services.structure, settings: services.settings)
        .addRoutes(to: table)
    BudgetController(pages: pages, budgets: services.budgets, ledger: services.ledger, clusters: services.clusters, today: { meetings.today() })
        .addRoutes(to: table)
    return router
}

/// The services the routes use, built once over one database.
public struct AppServices: Sendable {
    public var database: Database
    public var accounts: AccountStore
    public var users: UserStore
    public var audit: AuditStore
    public var structure: StructureStore
    public var settings: CouncilSettingsStore
    public var calendar: CalendarStore
    public var schools: SchoolStore
    public var schoolImports: SchoolImportStore
    public var clusters: ClusterStore
    public var meetings: MeetingStore
    public var budgets: BudgetStore
    public var ledger: LedgerStore
    public var pupils: PupilStore
    public var referrals: ReferralStore
    public var requests: RequestStore
    public var advice: AdviceStore

    /// - Parameter passwordHashCost: bcrypt's cost; `PasswordHasher.productionCost` unless a test lowers it to run quickly.
    public static func make(
        database: Database, passwordHashCost: UInt8 = PasswordHasher.productionCost, clock: WallClock = .system, identity: IdentityConfiguration = .init()
    ) async throws -> AppServices {
        let hasher = try await PasswordHasher.make(cost: passwordHashCost)
        return AppServices(
            database: database,
            accounts: AccountStore(database: database, hasher: hasher, clock: clock, configuration: identity),
            users: UserStore(database: database, clock: clock, configuration: identity),
            audit: AuditStore(database: database),
            structure: StructureStore(database: database),
            settings: CouncilSettingsStore(database: database),
            calendar: CalendarStore(database: database, clock: clock),
            schools: SchoolStore(database: database, clock: clock),
            schoolImports: SchoolImportStore(database: database),
            clusters: ClusterStore(database: database, clock: clock),
            meetings: MeetingStore(database: database, clock: clock),
            budgets: BudgetStore(database: database),
            ledger: LedgerStore(database: database),
            pupils: PupilStore(database: database, clock: clock),
            referrals: ReferralStore(database: database, clock: clock),
            requests: RequestStore(database: database, clock: clock),
            advice: AdviceStore(database: database, clock: clock)
        )
    }
}
