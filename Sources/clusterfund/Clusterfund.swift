import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Server
import Domain
import Store

@main
struct Clusterfund: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterfund",
        abstract: "SEND cluster funding casework for councils.",
        subcommands: [Serve.self, Migrate.self, DemoData.self, CreateOfficer.self, AuditVerify.self, CouncilSettingsCommand.self, Ledger.self]
    )

    static func main() async {
        // Swift concurrency's jobs run on the event loops that serve the connections, so a request's handler, its
        // reply and the pool's wake-ups no longer hop between two sets of threads. Installed before any other task
        // starts, once; blocking work (libpq, bcrypt) stays on thread pools of its own.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Options every command shares: where the database and the migrations are, and how to log.
struct CommonOptions: ParsableArguments {
    @Option(help: "Folder of numbered migration files (env CLUSTERFUND_SQL_DIR).")
    var sqlDirectory: String = ProcessInfo.processInfo.environment["CLUSTERFUND_SQL_DIR"] ?? "sql"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    @Option(help: "Log format: json or text (env LOG_FORMAT).")
    var logFormat: String = ProcessInfo.processInfo.environment["LOG_FORMAT"] ?? "json"

    func makeLogger(_ label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat != "text"
        // Lines written while serving a request carry its id, whichever logger writes them (RequestScope).
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler = json
                ? JSONLogHandler(label: label, metadataProvider: provider)
                : StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: RequestScope.metadataProvider)
        return Logger(label: label)
    }

    /// The database settings from the environment, for the role named by `urlVariable`.
    func databaseConfiguration(urlVariable: String) -> Database.Configuration {
        let environment = ProcessInfo.processInfo.environment
        let url = environment[urlVariable] ?? environment["DATABASE_URL"] ?? ""
        return Database.Configuration(
            url: url,
            poolSize: environment["DATABASE_POOL_SIZE"].flatMap(Int.init) ?? 10,
            acquireTimeout: .milliseconds(environment["DATABASE_ACQUIRE_TIMEOUT_MS"].flatMap(Int.init) ?? 5000),
            statementTimeoutMilliseconds: environment["DATABASE_STATEMENT_TIMEOUT_MS"].flatMap(Int.init) ?? 15_000,
            migrationsDirectory: sqlDirectory
        )
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the web pages and the JSON API.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on.")
    var hostname: String = "127.0.0.1"

    @Option(help: "Port to listen on (env PORT).")
    var port: Int = ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 8080

    @Flag(help: "Apply pending migrations first, as DATABASE_OWNER_URL, instead of refusing to start.")
    var migrate = false

    func run() async throws {
        let logger = common.makeLogger("clusterfund")
        let trustedProxies: AddressRanges
        do {
            trustedProxies = try AddressRanges(parsing: ProcessInfo.processInfo.environment["TRUSTED_PROXIES"] ?? "")
        } catch {
            throw CommandFailure("Clusterfund will not start: \(error)")
        }
        if !trustedProxies.broadRanges.isEmpty {
            logger.warning("TRUSTED_PROXIES holds ranges wide enough for people's machines, which could then choose the address they are throttled and audited under; list the proxies' own addresses", metadata: ["ranges": "\(trustedProxies.broadRanges.joined(separator: ", "))"])
        }
        if migrate {
            try await applyMigrations(common: common, logger: logger)
        }
        let database = try Database(configuration: common.databaseConfiguration(urlVariable: "DATABASE_URL"), logger: logger)
        let readiness = await database.readiness()
        guard readiness == .ready else {
            await database.close()
            throw CommandFailure("Clusterfund will not start: \(readiness.explanation)")
        }
        if let problem = try await database.servingRoleProblem() {
            await database.close()
            throw CommandFailure("Clusterfund will not start: \(problem)")
        }
        let environment = ProcessInfo.processInfo.environment
        let identity = IdentityConfiguration(
            idleTimeoutSeconds: environment["SESSION_IDLE_TIMEOUT_SECONDS"].flatMap(Int.init),
            absoluteTimeoutSeconds: environment["SESSION_ABSOLUTE_TIMEOUT_SECONDS"].flatMap(Int.init),
            secretKey: environment["CLUSTERFUND_SECRET_KEY"]
        )
        do {
            try IdentityConfiguration.checkSecretKey(identity.secretKey)
        } catch {
            await database.close()
            throw CommandFailure("Clusterfund will not start: \(error)")
        }
        if identity.secretKey?.isEmpty ?? true {
            logger.warning("CLUSTERFUND_SECRET_KEY is not set: browsers get no device cookies, so an owner signing in from a blocked address is refused too")
        }
        let services = try await AppServices.make(database: database, identity: identity)
        let configuration = ServerConfiguration(
            hostname: hostname, port: port, resourcesDirectory: environment["CLUSTERFUND_RESOURCES_DIR"],
            cookieSecure: ServerConfiguration.cookieSecure(environment: environment),
            baseURL: environment["CLUSTERFUND_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            trustedProxies: trustedProxies,
            metricsToken: environment["CLUSTERFUND_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            metrics: .bootstrap()
        )
        let app = try await buildApplication(configuration: configuration, services: services, logger: logger)
        logger.info("serving", metadata: ["url": "http://\(hostname):\(port)"])
        // runService stops on SIGTERM or SIGINT: new connections are refused, requests in flight finish, then the
        // pool closes.
        try await app.runService()
        logger.info("stopped")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations, as DATABASE_OWNER_URL (else DATABASE_URL). Safe to run again."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger("clusterfund.migrate")
        try await applyMigrations(common: common, logger: logger)
    }
}

extension CommonOptions {
    /// Opens the database as the role in `urlVariable`, runs `body`, and closes it on every path; failures become
    /// one sentence prefixed with the command's name.
    func withDatabase<T>(_ command: String, urlVariable: String, logger: Logger, _ body: (Database) async throws -> T) async throws -> T {
        let database = try Database(configuration: databaseConfiguration(urlVariable: urlVariable), logger: logger)
        do {
            let value = try await body(database)
            await database.close()
            return value
        } catch let failure as CommandFailure {
            await database.close()
            throw failure
        } catch {
            await database.close()
            throw CommandFailure("\(command): \(describe(error))")
        }
    }
}

/// Applies migrations as the owner role and says what it did.
func applyMigrations(common: CommonOptions, logger: Logger) async throws {
    let applied = try await common.withDatabase("migrate", urlVariable: "DATABASE_OWNER_URL", logger: logger) { owner in
        do {
            return try await owner.migrate()
        } catch let error as MigrationError {
            throw CommandFailure("migrate: \(error.message)")
        }
    }
    print(applied.isEmpty ? "migrate: the database is up to date" : "migrate: applied \(applied.joined(separator: ", "))")
}

struct DemoData: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Load the demo council (refuses without --demo, so a production database never gets demo data).",
        discussion: """
            Every demo account's password is CLUSTERFUND_DEMO_PASSWORD, and the demo officer's authenticator secret is \
            CLUSTERFUND_DEMO_TOTP_SECRET (base32); scripts/run generates both on first use.
            """
    )

    @OptionGroup var common: CommonOptions

    @Flag(help: "Confirm that this database is a demonstration or development database.")
    var demo = false

    func run() async throws {
        guard demo else {
            throw CommandFailure("demo-data loads made-up schools and accounts; pass --demo to confirm this is not a production database.")
        }
        let environment = ProcessInfo.processInfo.environment
        guard let password = environment["CLUSTERFUND_DEMO_PASSWORD"], !password.isEmpty else {
            throw CommandFailure("demo-data: set CLUSTERFUND_DEMO_PASSWORD to the password the demo accounts should have (scripts/run does this).")
        }
        guard let totpSecret = environment["CLUSTERFUND_DEMO_TOTP_SECRET"], !totpSecret.isEmpty else {
            throw CommandFailure("demo-data: set CLUSTERFUND_DEMO_TOTP_SECRET to the base32 secret of the demo officer's authenticator (scripts/run does this).")
        }
        let accounts = try await common.withDatabase("demo-data", urlVariable: "DATABASE_OWNER_URL", logger: common.makeLogger("clusterfund.demo-data")) { owner in
            let bootstrap = Bootstrap(database: owner, hasher: try await PasswordHasher.make(cost: PasswordHasher.productionCost))
            let accounts = try await bootstrap.loadDemoCouncil(password: password, totpSecret: totpSecret)
            return accounts + (try await bootstrap.loadExampleCity(password: password))
        }
        print("demo-data: the demo council is loaded. Accounts (password from CLUSTERFUND_DEMO_PASSWORD; the officer also")
        print("  needs a code from an authenticator app set up with CLUSTERFUND_DEMO_TOTP_SECRET):")
        for account in accounts {
            print("  \(account.email.padding(toLength: 38, withPad: " ", startingAt: 0)) \(account.role.title), \(account.scope)")
        }
    }
}

struct CreateOfficer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-officer",
        abstract: "Create the first council officer (as DATABASE_OWNER_URL) and print a one-time set-password link."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "The officer's work email address.")
    var email: String

    @Option(help: "The officer's full name.")
    var name: String

    @Option(help: "The address people use to reach Clusterfund, for the printed link.")
    var baseURL: String = ProcessInfo.processInfo.environment["CLUSTERFUND_BASE_URL"] ?? "http://127.0.0.1:8080"

    func run() async throws {
        let link = try await common.withDatabase("create-officer", urlVariable: "DATABASE_OWNER_URL", logger: common.makeLogger("clusterfund.create-officer")) { owner in
            var identity = IdentityConfiguration()
            identity.secretKey = ProcessInfo.processInfo.environment["CLUSTERFUND_SECRET_KEY"]
            try IdentityConfiguration.checkSecretKey(identity.secretKey)
            return try await Bootstrap(database: owner, hasher: try await PasswordHasher.make(cost: PasswordHasher.productionCost), identity: identity)
                .createOfficer(email: email, displayName: name)
        }
        print("create-officer: \(email) is an officer. Send them this link to set a password; it works once, for 24 hours:")
        print("  \(baseURL)/set-password?token=\(link.token)")
    }
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-verify",
        abstract: "Walk the audit trail's hash chain and name the first broken link (exit 1 if there is one).",
        discussion: """
            On success it prints the chain's head as SEQ:HASH. Keep that line outside the database (a job log, a \
            ticket, an email to the SIRO): passing it back as --anchor catches an owner who rewrote an event and \
            every hash after it, which the chain alone cannot.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("anchor"), help: "An anchor printed by an earlier run, as SEQ:HASH. Repeatable.")
    var anchorTexts: [String] = []

    func validate() throws {
        for text in anchorTexts where AuditAnchor(text) == nil {
            throw ValidationError("--anchor \(text): expected SEQ:HASH, an event number and 64 hex digits, as audit-verify prints it")
        }
    }

    func run() async throws {
        let anchors = anchorTexts.compactMap(AuditAnchor.init)
        let (broken, head) = try await common.withDatabase("audit-verify", urlVariable: "DATABASE_URL", logger: common.makeLogger("clusterfund.audit-verify")) { database in
            let audit = AuditStore(database: database)
            return (try await audit.verify(anchors: anchors), try await audit.head())
        }
        if let broken {
            throw CommandFailure("audit-verify: the chain is broken at event \(broken.seq): \(broken.reason).")
        }
        let checked = anchors.isEmpty ? "" : " and match \(anchors.count == 1 ? "the anchor" : "all \(anchors.count) anchors")"
        print("audit-verify: all \(head.seq) events are intact\(checked).")
        print("audit-verify: head \(head)")
    }
}

struct Ledger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the ledger of cluster funding.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every cluster's guard row equals the sums of its ledger entries (as DATABASE_OWNER_URL; exit 1 if not)."
        )

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (checked, mismatches) = try await common.withDatabase("ledger-verify", urlVariable: "DATABASE_OWNER_URL",
                                                                      logger: common.makeLogger("clusterfund.ledger-verify")) { owner in
                try await LedgerStore(database: owner).verify()
            }
            guard mismatches.isEmpty else {
                let named = mismatches.prefix(10).map { "funding year \($0.fundingYear), cluster \($0.clusterID)" }.joined(separator: "; ")
                throw CommandFailure("ledger verify: \(mismatches.count) of \(checked) cluster-years disagree with their entries: \(named).")
            }
            print("ledger verify: all \(checked) cluster-years' guards equal the sums of their entries.")
        }
    }
}

struct CouncilSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "council-settings",
        abstract: "Change council-wide settings (as DATABASE_OWNER_URL); each change is audited."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Require a second factor of every user, not only officers: true or false.")
    var secondFactorForEveryone: Bool

    func run() async throws {
        let before = try await common.withDatabase("council-settings", urlVariable: "DATABASE_OWNER_URL", logger: common.makeLogger("clusterfund.council-settings")) { owner in
            try await Bootstrap(database: owner, hasher: try await PasswordHasher.make(cost: 4)).setSecondFactorForEveryone(secondFactorForEveryone)
        }
        print("council-settings: second factor for everyone was \(before), is now \(secondFactorForEveryone).")
    }
}

/// A user-facing sentence for an error from a command.
func describe(_ error: any Error) -> String {
    switch error {
    case DomainError.validation(let issues): issues.map(\.detail).joined(separator: " ")
    case DomainError.notFound(let text), DomainError.invalidTransition(let text), DomainError.conflict(let text): text
    case StoreError.unavailable(let reason): "the database is unavailable (\(reason))"
    default: "\(error)"
    }
}

/// A command could not do its job; the message says why and what to do. (Unlike `ValidationError`,
/// it does not print the usage text, which would bury the reason.)
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
