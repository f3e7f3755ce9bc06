import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Bcrypt hashing and checking, on NIO's blocking thread pool: a cost-12 hash takes a quarter of a second of CPU,
/// which must never stall the event loop or Swift concurrency's threads. At most one check per core runs at once, and
/// a bounded number wait (`ConcurrencyLimit`): a flood of sign-ins is refused with 503, not queued without end.
public struct PasswordHasher: Sendable {
    /// Bcrypt's cost: `productionCost` wherever real passwords are hashed; tests lower it only to run quickly.
    public let cost: UInt8

    /// The cost the server and the commands use: about a quarter of a second of CPU per hash on the machines we run on.
    public static let productionCost: UInt8 = 12
    let threads: NIOThreadPool
    /// Bounds the bcrypt work running and waiting at once.
    let limit: ConcurrencyLimit
    /// A hash of a random secret at the same cost, checked when there is no account, so that a missing account
    /// takes as long to refuse as a wrong password.
    private let dummyHash: String

    /// The default bound: one bcrypt computation per core, and eight per core waiting (two seconds' work at cost 12).
    public static func defaultLimit() -> ConcurrencyLimit {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return ConcurrencyLimit(limit: cores, queueLimit: 8 * cores)
    }

    /// Makes a hasher; computes its dummy hash on the thread pool.
    public static func make(cost: UInt8, threads: NIOThreadPool = .singleton, limit: ConcurrencyLimit = defaultLimit()) async throws -> PasswordHasher {
        let secret = SecretToken.generate()
        let dummy = try await threads.runIfActive { Bcrypt.hash(secret, cost: cost) }
        return PasswordHasher(cost: cost, threads: threads, limit: limit, dummyHash: dummy)
    }

    private init(cost: UInt8, threads: NIOThreadPool, limit: ConcurrencyLimit, dummyHash: String) {
        self.cost = cost
        self.threads = threads
        self.limit = limit
        self.dummyHash = dummyHash
    }

    func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await limit.run { try await threads.runIfActive { Bcrypt.hash(password, cost: cost) } }
    }

    /// Checks `password` against `hash`; with no hash, spends the same time on the dummy and answers false.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? dummyHash
        let matches = try await limit.run { try await threads.runIfActive { Bcrypt.verify(password, hash: target) } }
        return hash != nil && matches
    }

    /// The shipped list of common passwords (zxcvbn's, lowercased), loaded once.
    public static let commonPasswords: Set<String> = {
        guard let url = Bundle.module.url(forResource: "Resources/common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }()
}
