import Domain
import Foundation
import PQ

/// A school as access and forms need it; the council-structure issue adds the rest.
public struct SchoolSummary: Sendable, Codable {
    public var id: ID<School>
    public var urn: String
    public var name: String
    public var phase: String
}

public struct ClusterSummary: Sendable, Codable {
    public var id: ID<Cluster>
    public var name: String
}

/// Schools and clusters within the actor's reach (row-level security decides which).
public struct StructureStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func schools(_ actor: Actor) async throws -> [SchoolSummary] {
        try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.query("SELECT id, urn, name, phase FROM schools ORDER BY name LIMIT 1000").decode((ID<School>, String, String, String).self)
                .map { SchoolSummary(id: $0.0, urn: $0.1, name: $0.2, phase: $0.3) }
        }
    }

    public func clusters(_ actor: Actor) async throws -> [ClusterSummary] {
        try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.query("SELECT id, name FROM clusters ORDER BY name LIMIT 1000").decode((ID<Cluster>, String).self)
                .map { ClusterSummary(id: $0.0, name: $0.1) }
        }
    }
}
