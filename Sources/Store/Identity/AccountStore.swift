import Domain
import Foundation
import Logging
import PQ

/// A session as the server sees it on each request: who, and the CSRF token their forms must carry.
public struct Authenticated: Sendable {
    public var sessionID: ID<Session>
    public var kind: SessionKind
    public var csrfToken: String
    public var actor: Actor
}

public enum SessionKind: String, Sendable, Codable { case browser, api }

/// What sign-in hands back once: the secret (cookie value or bearer token) is never stored and never shown again.
public struct SignedIn: Sendable {
    public var token: String
    public var session: Authenticated
    public var expiresAt: Date
    /// A new device cookie for a browser (`DeviceCookies`), when a secret key is configured.
    public var deviceCookie: String?
}

/// How a sign-in with a right password ends: a session, or a second step (enter a code, or first set one up).
public enum SignInOutcome: Sendable {
    case signedIn(SignedIn)
    /// Enter the code from the authenticator app; `challenge` is the secret for the browser to hold meanwhile.
    case needsCode(challenge: String)
    /// Set up an authenticator app first (the account needs a second factor and has none yet).
    case needsEnrolment(challenge: String)
}

/// One of my sessions, for the account page.
public struct SessionSummary: Sendable {
    public var id: ID<Session>
    public var kind: SessionKind
    public var createdAt: Date
    public var lastSeenAt: Date
    public var clientAddress: String?
    public var userAgent: String?
    public var isCurrent: Bool
}

/// Sign-in, sessions and passwords: the service behind the sign-in page, `POST /api/v1/session` and "my account".
public struct AccountStore: Sendable {
    let database: Database
    let hasher: PasswordHasher
    let clock: WallClock
    let configuration: IdentityConfiguration
    /// The throttle windows whose first refusal is already audited.
    let throttledWindows = ThrottledWindows()
    /// Signs and checks device cookies; nil without `configuration.secretKey`.
    let deviceCookies: DeviceCookies?

    public init(database: Database, hasher: PasswordHasher, clock: WallClock = .system, configuration: IdentityConfiguration = .init()) {
        self.database = database
        self.hasher = hasher
        self.clock = clock
        self.configuration = configuration
        deviceCookies = DeviceCookies(secretKey: configuration.secretKey)
    }

    var lockout: SecondFactorLockout { configuration.lockout }

    /// The bcrypt cost this store hashes new passwords with.
    public var passwordHashCost: UInt8 { hasher.cost }

    static let wrongCredentials = "Enter a correct email address and password."

    /// Signs in with email and password, and a code when the account needs a second factor.
    /// Wrong password and unknown email answer identically, in the same time.
    /// - Parameter deviceCookie: the browser's device cookie (`DeviceCookies`), if it sent one: a genuine one for this
    ///   account makes the browser a trusted client, throttled by its own failures only.
    /// - Returns: a session, or (browsers only) the second step to take.
    /// - Throws: `DomainError.unauthenticated`; `.secondFactorRequired` for an API client that sent no code;
    ///   `.throttled` after too many failures for the account from this client, or from the address.
    public func signIn(
        email: String, password: String, otp: String? = nil, kind: SessionKind, request: RequestInfo, deviceCookie: String? = nil
    ) async throws -> SignInOutcome {
        let emailKey = PersonDetails.key(email)
        let now = clock.now()
        let lookup = try await database.transaction(actingAs: nil) { tx -> SignInLookup in
            let row = try await tx.first("SELECT id, password_hash, active FROM auth_user_by_email(\(emailKey))")?.decode((ID<User>, String?, Bool).self)
            // A trusted browser is counted under its device cookie instead of its address: neither the address's
            // limit nor anyone else's failures for the account refuse it.
            let device = row.flatMap { row in deviceCookie.flatMap { deviceCookies?.nonce(of: $0, for: row.0) } }
            var client = request
            if let device { client.throttleAddress = "device:" + device }
            guard let attempt = try await countAttempt(emailKey: emailKey, request: client, now: now, in: tx) else {
                let wait = try await throttledSeconds(emailKey: emailKey, address: client.throttleAddress, now: now, in: tx) ?? 1
                // One event per window, account and address: refused tries cost nothing to send, and each event
                // would take the chain's head lock and stay in the trail for good.
                let window = configuration.throttle.summaryWindowStart(at: now)
                if throttledWindows.isFirstRefusal(window: window, emailKey: emailKey, address: client.throttleAddress) {
                    try await AuditLog.append(
                        .init(
                            actor: nil, action: "sign_in.throttled", entityType: "account",
                            after: ["windowStartsAt": window.ISO8601Format(), "laterRefusalsInWindow": "not recorded one by one"]
                        ),
                        request: request, in: tx
                    )
                }
                return .throttled(retryAfterSeconds: wait)
            }
            var slowdown: TimeInterval = 0
            if device == nil { slowdown = try await accountSlowdown(emailKey: emailKey, address: client.throttleAddress, now: now, in: tx) }
            guard let row else { return .unknown(attempt: attempt, slowdown: slowdown) }
            return .account(id: row.0, hash: row.1, active: row.2, attempt: attempt, slowdown: slowdown)
        }
        let account: (id: ID<User>, hash: String?, active: Bool)?
        let attempt: Int
        let slowdown: TimeInterval
        switch lookup {
        case .throttled(let seconds): throw DomainError.throttled(retryAfterSeconds: seconds)
        case .unknown(let id, let wait): (account, attempt, slowdown) = (nil, id, wait)
        case .account(let id, let hash, let active, let attemptID, let wait): (account, attempt, slowdown) = ((id, hash, active), attemptID, wait)
        }
        // Outside any transaction: a slowed sign-in holds no connection and no lock while it waits.
        if slowdown > 0 { try await Task.sleep(for: .seconds(slowdown)) }
        let passwordMatches = try await hasher.verify(password, hash: account?.hash)
        guard let account, passwordMatches, account.active else {
            try await auditFailure(userID: account?.id, action: "sign_in.failed", request: request)
            throw DomainError.unauthenticated(Self.wrongCredentials)
        }
        let stage = try await database.transaction(actingAs: account.id) { tx -> SecondStage in
            guard let actor = try await loadActor(account.id, in: tx) else { return .refused }
            guard try await needsSecondFactor(actor, in: tx) else {
                return .session(try await createSession(for: actor, kind: kind, secondFactor: false, attempt: attempt, request: request, now: now, in: tx))
            }
            // The password was right: that attempt succeeded, whatever the code step brings (it counts its own).
            try await tx.execute("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attempt)")
            let secret = try await tx.first("SELECT totp_secret FROM auth_own_secrets()")?.decode(String?.self, at: 0) ?? nil
            guard let secret else {
                if kind == .api { return .apiNeedsCode(enrolled: false) }
                return .challenge(try await createChallenge(for: account.id, enrolling: true, request: request, now: now, in: tx), enrolling: true)
            }
            guard let otp, !otp.isEmpty else {
                if kind == .api { return .apiNeedsCode(enrolled: true) }
                return .challenge(try await createChallenge(for: account.id, enrolling: false, request: request, now: now, in: tx), enrolling: false)
            }
            return .codeGiven(actor: actor, otp: otp, secret: secret)
        }
        if case .codeGiven(let actor, let otp, let secret) = stage {
            // The code is a guess of its own: counted before it is checked, like the password.
            return .signedIn(try await checkCode(otp, actor: actor, secret: secret, emailKey: emailKey, kind: kind, request: request, now: now))
        }
        switch stage {
        case .session(let signedIn): return .signedIn(signedIn)
        case .challenge(let token, let enrolling): return enrolling ? .needsEnrolment(challenge: token) : .needsCode(challenge: token)
        case .refused: throw DomainError.unauthenticated(Self.wrongCredentials)
        case .codeGiven: throw DomainError.unauthenticated(Self.wrongCode)
        case .apiNeedsCode(let enrolled):
            throw DomainError.secondFactorRequired(
                enrolled
                    ? "This account signs in with a second factor: send the 6-digit code from the authenticator app in the field otp."
                    : "This account must set up two-step sign-in before using the API: sign in once in a browser to set it up."
            )
        }
    }

    static let wrongCode = "Enter a correct code from your authenticator app, or one of your recovery codes."

    /// A refused try, audited in its own transaction so the refusal that follows cannot roll it back.
    func auditFailure(userID: ID<User>?, action: String, request: RequestInfo) async throws {
        try await database.transaction(actingAs: nil) { tx in
            try await AuditLog.append(.init(actor: nil, action: action, entityType: "user", entityID: userID?.description), request: request, in: tx)
        }
    }

    /// Checks a code given with the password (the API's `otp`), counted as its own try.
    func checkCode(_ code: String, actor: Actor, secret: String, emailKey: String, kind: SessionKind, request: RequestInfo, now: Date) async throws -> SignedIn {
        let attempt = try await database.transaction(actingAs: nil) { tx in
            try await countAttempt(emailKey: emailKey, request: request, now: now, in: tx)
        }
        guard let attempt else {
            let wait = try await database.transaction(actingAs: nil) { tx in
                try await throttledSeconds(emailKey: emailKey, address: request.throttleAddress, now: now, in: tx)
            }
            throw DomainError.throttled(retryAfterSeconds: wait ?? 1)
        }
        let signedIn = try await database.transaction(actingAs: actor.userID) { tx -> SignedIn? in
            guard try await acceptSecondFactor(code, userID: actor.userID, secret: secret, request: request, now: now, in: tx) else { return nil }
            return try await createSession(for: actor, kind: kind, secondFactor: true, attempt: attempt, request: request, now: now, in: tx)
        }
        guard let signedIn else {
            try await auditFailure(userID: actor.userID, action: "sign_in.second_factor_failed", request: request)
            throw DomainError.unauthenticated(Self.wrongCode)
        }
        return signedIn
    }

    /// Asks `SecondFactorRequirement`, with the council's setting.
    func needsSecondFactor(_ actor: Actor, in tx: Transaction) async throws -> Bool {
        let everyone = try await tx.first("SELECT second_factor_for_everyone FROM council_settings")?.decode(Bool.self, at: 0) ?? false
        return SecondFactorRequirement.isRequired(for: actor, councilRequiresForEveryone: everyone)
    }

    /// A new session for a fully signed-in actor, in the caller's transaction (acting as that actor).
    /// - Parameter secondFactor: whether this sign-in passed a second factor; recorded, so a session opened with a
    ///   password alone stops working when its user comes to need one.
    func createSession(
        for actor: Actor, kind: SessionKind, secondFactor: Bool, attempt: Int, request: RequestInfo, now: Date, in tx: Transaction
    ) async throws -> SignedIn {
        try await tx.execute("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attempt)")
        let token = SecretToken.generate()
        let csrf = SecretToken.generate()
        let expiresAt = configuration.sessionLifetime.expiry(signedInAt: now)
        let sessionID = try await tx.one(
            """
            INSERT INTO sessions (user_id, token_hash, kind, csrf_token, created_at, last_seen_at, expires_at, client_address, user_agent, second_factor)
            VALUES (\(actor.userID), \(SecretToken.hash(token)), \(kind.rawValue), \(csrf), \(now), \(now), \(expiresAt),
                    \(request.clientAddress), \(request.userAgent.map { String($0.prefix(300)) }), \(secondFactor))
            RETURNING id
            """
        ).decode(ID<Session>.self, at: 0)
        try await AuditLog.append(
            .init(actor: actor.userID, action: "sign_in.succeeded", entityType: "session", entityID: sessionID.description, after: ["kind": kind.rawValue]),
            request: request, in: tx
        )
        return SignedIn(
            token: token, session: Authenticated(sessionID: sessionID, kind: kind, csrfToken: csrf, actor: actor), expiresAt: expiresAt,
            deviceCookie: kind == .browser ? deviceCookies?.issue(for: actor.userID) : nil
        )
    }

    /// The session a cookie or bearer token belongs to, if it is live: not revoked, the user active, within both timeouts.
    /// One statement finds the session, the user and their roles; a second runs only when the session is due a touch.
    /// - Throws: `stepUpRequired` for a session opened without a second factor whose user now needs one.
    public func authenticate(token: String) async throws -> Authenticated? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        let now = clock.now()
        let tokenHash = SecretToken.hash(token)
        let lifetime = configuration.sessionLifetime
        guard let found = try await database.sessionOfActor(tokenHash: tokenHash, today: CalendarDate.today(at: now)),
            lifetime.isLive(.init(lastSeenAt: found.lastSeenAt, expiresAt: found.expiresAt, revokedAt: found.revokedAt, userActive: found.userActive), at: now),
            let sessionKind = SessionKind(rawValue: found.kind)
        else { return nil }
        guard SecondFactorRequirement.isSatisfied(
            sessionPassedSecondFactor: found.secondFactor, for: found.actor, councilRequiresForEveryone: found.secondFactorForEveryone
        ) else { throw Self.stepUpRequired }
        // Touch at most every 30 s: an idle timeout needs no more precision, and it saves a write per request.
        if lifetime.touchIsDue(lastSeenAt: found.lastSeenAt, at: now) {
            try await database.touchSession(tokenHash: tokenHash, now: now, notSince: now.addingTimeInterval(-lifetime.touchInterval))
        }
        return Authenticated(sessionID: found.sessionID, kind: sessionKind, csrfToken: found.csrfToken, actor: found.actor)
    }

    /// A session opened without a second factor, whose user now needs one: a browser is sent to sign in again, an API
    /// client gets 401 with this problem.
    public static let stepUpRequired = DomainError.secondFactorRequired(
        "This account now signs in with a second factor. Sign in again with your email address, password and the code from your authenticator app."
    )

    /// Ends the current session at once.
    public func signOut(_ session: Authenticated, request: RequestInfo) async throws {
        try await database.transaction(actingAs: session.actor.userID) { tx in
            try await tx.execute("UPDATE sessions SET revoked_at = \(clock.now()) WHERE id = \(session.sessionID) AND revoked_at IS NULL")
            try await AuditLog.append(
                .init(actor: session.actor.userID, action: "sign_out", entityType: "session", entityID: session.sessionID.description),
                request: request, in: tx
            )
        }
    }

    /// The actor's live sessions, newest first.
    public func sessions(of session: Authenticated) async throws -> [SessionSummary] {
        let now = clock.now()
        return try await database.transaction(actingAs: session.actor.userID) { tx in
            try await tx.query(
                """
                SELECT id, kind, created_at, last_seen_at, client_address, user_agent FROM sessions
                WHERE user_id = \(session.actor.userID) AND revoked_at IS NULL AND expires_at > \(now)
                ORDER BY created_at DESC LIMIT 50
                """
            ).decode((ID<Session>, String, Date, Date, String?, String?).self).map { id, kind, created, seen, address, agent in
                SessionSummary(
                    id: id, kind: SessionKind(rawValue: kind) ?? .browser, createdAt: created, lastSeenAt: seen,
                    clientAddress: address, userAgent: agent, isCurrent: id == session.sessionID
                )
            }
        }
    }

    /// Ends one of the actor's own sessions.
    /// - Throws: `DomainError.notFound` for a session that is not theirs or already ended.
    public func endSession(_ id: ID<Session>, of session: Authenticated, request: RequestInfo) async throws {
        try Policy.require(session.actor, .manageOwnAccount, on: .council)
        try await database.transaction(actingAs: session.actor.userID) { tx in
            let ended = try await tx.execute(
                "UPDATE sessions SET revoked_at = \(clock.now()) WHERE id = \(id) AND user_id = \(session.actor.userID) AND revoked_at IS NULL"
            )
            guard ended == 1 else { throw DomainError.notFound("There is no such session.") }
            try await AuditLog.append(
                .init(actor: session.actor.userID, action: "session.ended", entityType: "session", entityID: id.description),
                request: request, in: tx
            )
        }
    }

    /// The actor for `userID` as of today: active user, roles in force, clusters of their schools.
    func loadActor(_ userID: ID<User>, in tx: Transaction) async throws -> Actor? {
        guard let user = try await tx.first("SELECT display_name, active FROM users WHERE id = \(userID)")?.decode((String, Bool).self),
            user.1
        else { return nil }
        let today = CalendarDate.today(at: clock.now())
        let assignments = try await tx.query(
            """
            SELECT id, role::text, school_id, cluster_id, starts_on, ends_on FROM role_assignments
            WHERE user_id = \(userID) AND starts_on <= \(today) AND (ends_on IS NULL OR ends_on >= \(today))
            """
        ).decode((ID<RoleAssignment>, String, ID<School>?, ID<Cluster>?, CalendarDate, CalendarDate?).self).compactMap(RoleAssignment.init(row:))
        let schools = assignments.compactMap { assignment -> UUID? in
            if case .school(let id) = assignment.scope { return id.rawValue }
            return nil
        }
        let clusters = schools.isEmpty ? [] : try await tx.query(
            "SELECT DISTINCT cluster_id FROM cluster_memberships WHERE school_id = ANY(\(schools))"
        ).decode((ID<Cluster>).self)
        return Actor(userID: userID, displayName: user.0, assignments: assignments, clustersOfOwnSchools: Set(clusters))
    }
}

/// What the first step of sign-in found. Throttling is returned, not thrown, so its audit event is committed.
enum SignInLookup {
    case throttled(retryAfterSeconds: Int)
    case unknown(attempt: Int, slowdown: TimeInterval)
    case account(id: ID<User>, hash: String?, active: Bool, attempt: Int, slowdown: TimeInterval)
}

/// Where sign-in stands once the password is right.
enum SecondStage {
    case session(SignedIn)
    case challenge(String, enrolling: Bool)
    case apiNeedsCode(enrolled: Bool)
    case codeGiven(actor: Actor, otp: String, secret: String)
    case refused
}

extension RoleAssignment {
    /// From a row of `role_assignments`; nil for a row whose role or scope this build does not know.
    init?(row: (ID<RoleAssignment>, String, ID<School>?, ID<Cluster>?, CalendarDate, CalendarDate?)) {
        guard let role = Role(rawValue: row.1) else { return nil }
        let scope: Scope
        switch (row.2, row.3) {
        case (let school?, nil): scope = .school(school)
        case (nil, let cluster?): scope = .cluster(cluster)
        default: scope = .council
        }
        self.init(id: row.0, role: role, scope: scope, startsOn: row.4, endsOn: row.5)
    }
}
