import Domain
import Foundation
import PQ
import Store

/// The demo council loaded into a test database, with services over it as the server's own role.
///
/// ```swift
/// try await IdentityFixture.with { fixture in
///     let officer = try await fixture.signIn(.officer)
/// }
/// ```
public struct IdentityFixture: Sendable {
    public static let password = "violet kettle harbour"
    /// The demo officer's TOTP secret in these tests.
    public static let totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    /// The demo accounts by role.
    public enum Person: String, Sendable, CaseIterable {
        case officer = "officer@example-city.test"
        case senco = "senco.ashgrove@example-city.test"
        case headteacher = "head.ashgrove@example-city.test"
        case otherSenco = "senco.brookfield@example-city.test"
        case otherHeadteacher = "head.brookfield@example-city.test"
        case psychologist = "ep.north@example-city.test"
    }

    public let database: Database
    public let accounts: AccountStore
    public let users: UserStore
    public let audit: AuditStore
    public let clock: TestClock
    public let testDatabase: TestDatabase

    /// Signs `person` in through the real service and returns their session. The officer, who must use a second
    /// factor, sends the current code; the clock moves on a step first, because a code is never accepted twice.
    public func signIn(_ person: Person, kind: SessionKind = .browser, address: String = "10.0.0.1") async throws -> SignedIn {
        var otp: String?
        if person == .officer {
            clock.advance(by: 30)
            otp = TOTP.code(secret: TOTP.secret(base32: Self.totpSecret) ?? [], at: clock.now)
        }
        let outcome = try await accounts.signIn(email: person.rawValue, password: Self.password, otp: otp, kind: kind, request: request(address))
        guard case .signedIn(let signedIn) = outcome else { throw FixtureError.secondStepExpected(person.rawValue) }
        return signedIn
    }

    public enum FixtureError: Error { case secondStepExpected(String) }

    /// Runs raw SQL as clusterfund_app with `user` set as the acting user, bypassing the services (as a buggy one might).
    public func asApp<T>(user: ID<User>?, _ body: (Transaction) async throws -> T) async throws -> T {
        let pool = testDatabase.pool(role: .app, size: 1)
        defer { Task { await pool.close() } }
        return try await pool.withTransaction { tx in
            try await tx.execute("SELECT set_config('app.user_id', \(user?.description ?? ""), true)")
            return try await body(tx)
        }
    }

    /// Runs raw SQL as the schema's owner.
    @discardableResult
    public func asOwner<T>(_ body: (Transaction) async throws -> T) async throws -> T {
        let pool = testDatabase.pool(role: .owner, size: 1)
        defer { Task { await pool.close() } }
        return try await pool.withTransaction { tx in try await body(tx) }
    }

    public func request(_ address: String = "10.0.0.1") -> RequestInfo {
        RequestInfo(requestID: "test-\(UUID().uuidString.prefix(8))", clientAddress: address)
    }

    /// Runs `body` over a fresh database holding the demo council. bcrypt runs at cost 4 to keep tests fast.
    public static func with<T>(
        identity: IdentityConfiguration = .init(), _ body: (IdentityFixture) async throws -> T
    ) async throws -> T {
        // A secret key of its own for each test, as a deployment has one: device cookies are signed with it.
        var identity = identity
        if identity.secretKey == nil { identity.secretKey = SecretToken.generate() }
        return try await TestDatabase.with { db in
            let hasher = try await PasswordHasher.make(cost: 4)
            let clock = TestClock()
            let owner = try Database(configuration: db.configuration(role: .owner), logger: TestEnvironment.logger)
            _ = try await Bootstrap(database: owner, hasher: hasher, clock: clock.clock).loadDemoCouncil(password: password, totpSecret: totpSecret)
            await owner.close()
            let database = try Database(configuration: db.configuration(role: .app, poolSize: 6), logger: TestEnvironment.logger)
            let fixture = IdentityFixture(
                database: database,
                accounts: AccountStore(database: database, hasher: hasher, clock: clock.clock, configuration: identity),
                users: UserStore(database: database, clock: clock.clock, configuration: identity),
                audit: AuditStore(database: database),
                clock: clock,
                testDatabase: db
            )
            do {
                let value = try await body(fixture)
                await database.close()
                return value
            } catch {
                await database.close()
                throw error
            }
        }
    }
}
