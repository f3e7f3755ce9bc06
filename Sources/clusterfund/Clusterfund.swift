import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Server
import Store

@main
struct Clusterfund: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterfund",
        abstract: "SEND cluster funding casework for councils.",
        subcommands: [Serve.self, Migrate.self, DemoData.self]
    )
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
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
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
        if migrate {
            try await applyMigrations(common: common, logger: logger)
        }
        let database = try Database(configuration: common.databaseConfiguration(urlVariable: "DATABASE_URL"), logger: logger)
        let readiness = await database.readiness()
        guard readiness == .ready else {
            await database.close()
            throw CommandFailure("Clusterfund will not start: \(readiness.explanation)")
        }
        let resources = ProcessInfo.processInfo.environment["CLUSTERFUND_RESOURCES_DIR"]
        let app = try await buildApplication(
            configuration: ServerConfiguration(hostname: hostname, port: port, resourcesDirectory: resources),
            database: database,
            logger: logger
        )
        logger.info("serving", metadata: ["url": "http://\(hostname):\(port)"])
        try await app.runService()
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

/// Applies migrations as the owner role and says what it did.
func applyMigrations(common: CommonOptions, logger: Logger) async throws {
    let owner = try Database(configuration: common.databaseConfiguration(urlVariable: "DATABASE_OWNER_URL"), logger: logger)
    do {
        let applied = try await owner.migrate()
        await owner.close()
        if applied.isEmpty {
            print("migrate: the database is up to date")
        } else {
            print("migrate: applied \(applied.joined(separator: ", "))")
        }
    } catch let error as MigrationError {
        await owner.close()
        throw CommandFailure("migrate: \(error.message)")
    }
}

struct DemoData: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Load the demo council (refuses without --demo, so a production database never gets demo data)."
    )

    @OptionGroup var common: CommonOptions

    @Flag(help: "Confirm that this database is a demonstration or development database.")
    var demo = false

    func run() async throws {
        guard demo else {
            throw CommandFailure("demo-data loads made-up schools and accounts; pass --demo to confirm this is not a production database.")
        }
        _ = common.makeLogger("clusterfund.demo")
        // The demo council grows with the schema: schools, users and requests arrive with their issues.
        print("demo-data: the demo council has no records yet at this schema version; nothing to load.")
    }
}

/// A command could not do its job; the message says why and what to do. (Unlike `ValidationError`,
/// it does not print the usage text, which would bury the reason.)
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
