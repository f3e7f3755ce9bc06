import Foundation
import Testing
import TestSupport

@Suite("the executable refuses to serve as the wrong database role")
struct ServingRoleRefusalTests {
    /// The `clusterfund` executable `swift build --build-tests` built beside the tests.
    static let executable = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/clusterfund")

    @Test("serve with the owner's URL exits non-zero, saying why, before it listens")
    func ownerRefused() async throws {
        try await TestDatabase.with { db in
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", "1"]
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = db.url(role: .owner)
            environment["DATABASE_OWNER_URL"] = db.url(role: .owner)
            environment["CLUSTERFUND_SQL_DIR"] = TestEnvironment.migrationsDirectory
            environment["LOG_LEVEL"] = "critical"
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = Pipe()
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0)
            #expect(text.contains("Clusterfund will not start") && text.contains("clusterfund_app"), "\(text)")
        }
    }
}
