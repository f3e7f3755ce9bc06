import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("the audit trail")
struct AuditTrailTests {
    @Test("20 concurrent sign-ins and writes leave a chain audit-verify accepts")
    func concurrentChain() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<20 {
                    group.addTask {
                        if n % 2 == 0 {
                            _ = try await fixture.signIn(n % 4 == 0 ? .senco : .psychologist, address: "10.1.0.\(n)")
                        } else {
                            _ = try await fixture.users.create(officer, email: "person\(n)@example-city.test", displayName: "Person \(n)", request: fixture.request())
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.audit.verify() == nil)
            let trail = try await fixture.audit.list(officer, filter: AuditFilter(), page: 1, size: 200)
            #expect(trail.items.filter { $0.action == "sign_in.succeeded" }.count == 11)
            #expect(trail.items.filter { $0.action == "user.created" }.count >= 10)
            #expect(Set(trail.items.map(\.seq)).count == trail.items.count)
        }
    }

    @Test("an anchor kept outside the database catches an owner who rewrites an event and every hash after it")
    func anchorCatchesRewrite() async throws {
        try await IdentityFixture.with { fixture in
            _ = try await fixture.signIn(.senco)
            let anchor = try await fixture.audit.head()
            #expect(anchor.seq > 1 && anchor.hash.count == 64)
            #expect(AuditAnchor(anchor.description) == anchor)
            for bad in ["", "12", "0:\(anchor.hash)", "x:\(anchor.hash)", "3:abc", "3:\(anchor.hash):1", "3:" + String(repeating: "g", count: 64)] {
                #expect(AuditAnchor(bad) == nil, "\(bad) is not an anchor")
            }
            _ = try await fixture.signIn(.headteacher)
            #expect(try await fixture.audit.verify(anchors: [anchor]) == nil)
            #expect(try await fixture.audit.verify(anchors: [AuditAnchor(seq: anchor.seq + 1000, hash: anchor.hash)])
                == BrokenLink(seq: anchor.seq + 1000, reason: "the anchored event is missing"))

            // The owner edits an event before the anchor and recomputes every hash from there to the head.
            let owner = fixture.testDatabase.pool(role: .owner, size: 1)
            try await owner.withConnection { lease in
                try await lease.execute("ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY")
                try await lease.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
                _ = try await lease.execute("SELECT set_config('test.target', \(anchor.seq - 1)::text, false)")
                try await lease.execute("""
                    DO $$ DECLARE r record; prev text; target bigint := current_setting('test.target')::bigint; BEGIN
                        SELECT coalesce((SELECT hash FROM audit_events WHERE seq = target - 1), repeat('0', 64)) INTO prev;
                        UPDATE audit_events SET client_address = '203.0.113.9' WHERE seq = target;
                        FOR r IN SELECT * FROM audit_events WHERE seq >= target ORDER BY seq LOOP
                            UPDATE audit_events SET prev_hash = prev,
                                hash = audit_event_hash(r.seq, r.occurred_at, r.actor_user_id, r.action, r.entity_type, r.entity_id,
                                    r.request_id, r.client_address, r.before, r.after, prev)
                            WHERE seq = r.seq RETURNING hash INTO prev;
                        END LOOP;
                        UPDATE audit_chain_head SET hash = prev;
                    END $$
                    """)
            }
            await owner.close()
            #expect(try await fixture.audit.verify() == nil, "the rewritten chain checks out on its own: this is what anchors are for")
            #expect(try await fixture.audit.verify(anchors: [anchor])
                == BrokenLink(seq: anchor.seq, reason: "its hash differs from the anchor recorded outside the database"))
        }
    }

    @Test("an audit row edited by the owner is named by audit-verify")
    func tamperDetected() async throws {
        try await IdentityFixture.with { fixture in
            _ = try await fixture.signIn(.senco)
            _ = try await fixture.signIn(.headteacher)
            #expect(try await fixture.audit.verify() == nil)
            let owner = fixture.testDatabase.pool(role: .owner, size: 1)
            let target = try await owner.withConnection { lease in
                try await lease.one("SELECT seq FROM audit_events WHERE action = 'sign_in.succeeded' ORDER BY seq LIMIT 1").decode(Int.self, at: 0)
            }
            // Even the owner, as things stand, changes nothing: row-level security is forced and grants no update.
            let untouched = try await owner.withConnection { try await $0.execute("UPDATE audit_events SET action = 'nothing' WHERE seq = \(target)") }
            #expect(untouched == 0)
            // With RLS switched off, the trigger still refuses; a determined owner must switch that off too.
            await #expect(throws: PostgresError.self) {
                try await owner.withConnection { lease in
                    try await lease.execute("ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY")
                    try await lease.execute("UPDATE audit_events SET action = 'nothing' WHERE seq = \(target)")
                }
            }
            try await owner.withConnection { lease in
                try await lease.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
                try await lease.execute("UPDATE audit_events SET client_address = '203.0.113.9' WHERE seq = \(target)")
            }
            await owner.close()
            #expect(try await fixture.audit.verify() == BrokenLink(seq: target, reason: "its content does not match its hash"))
        }
    }

    @Test("officers read the trail filtered by user, record and date; others may not")
    func reading() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let senco = try await fixture.signIn(.senco).session.actor
            let mine = try await fixture.audit.list(officer, filter: AuditFilter(actor: senco.userID), page: 1)
            #expect(!mine.items.isEmpty && mine.items.allSatisfy { $0.actorUserId == senco.userID })
            let today = CalendarDate.today(at: Date())
            let dated = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "session", from: today, to: today), page: 1)
            #expect(dated.items.allSatisfy { $0.entityType == "session" } && dated.total >= 2)
            let none = try await fixture.audit.list(officer, filter: AuditFilter(to: CalendarDate(year: 2001, month: 1, day: 1)), page: 1)
            #expect(none.total == 0)
            await #expect(throws: DomainError.forbidden("Only council officers read the audit trail.")) {
                _ = try await fixture.audit.list(senco, filter: AuditFilter(), page: 1)
            }
        }
    }

    @Test("failed sign-ins are audited one by one, refusals past the throttle once per window, with no one as the actor")
    func failuresAudited() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            for _ in 0..<9 {
                _ = try? await fixture.accounts.signIn(email: "senco.ashgrove@example-city.test", password: "wrong wrong wrong", kind: .browser, request: fixture.request())
            }
            let trail = try await fixture.audit.list(officer, filter: AuditFilter(), page: 1, size: 200).items
            let failed = trail.filter { $0.action == "sign_in.failed" }
            let throttled = trail.filter { $0.action == "sign_in.throttled" }
            #expect(failed.count == 5 && throttled.count == 1, "four refusals past the throttle make one event")
            #expect((failed + throttled).allSatisfy { $0.actorUserId == nil && $0.clientAddress == "10.0.0.1" && $0.requestId?.hasPrefix("test-") == true })
            #expect(throttled.first?.after?["windowStartsAt"] != nil)
        }
    }
}
