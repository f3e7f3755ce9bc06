import Foundation
import Testing

/// Text snapshots of rendered pages, so a template change shows in review as a diff of `Fixtures/snapshots/*.html`.
/// What changes from run to run (ids, tokens, request ids, instants) is replaced by a placeholder first.
/// Record anew with `SNAPSHOT_RECORD=1 swift test --filter snapshots`, then read the diff before committing it.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/snapshots")

    static func normalised(_ html: String) -> String {
        var text = html
        let replacements: [(String, String)] = [
            (#"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"#, "{uuid}"),
            (#"(name="csrf_token" value=")[^"]*""#, "$1{csrf}\""),
            (#"\b[0-9a-f]{32}\b"#, "{request-id}"),
            (#"\b\d{1,2} [A-Z][a-z]+ \d{4}(, \d{2}:\d{2})?"#, "{instant}"),
        ]
        for (pattern, template) in replacements {
            text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return text
    }

    /// Compares `html` with the stored snapshot `name`; records it (and fails, so nobody records by accident) when
    /// it is missing or `SNAPSHOT_RECORD=1`.
    static func expectMatches(_ html: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name + ".html")
        let actual = normalised(html)
        let stored = try? String(contentsOf: file, encoding: .utf8)
        if stored == nil || ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded snapshot \(name).html: check it and run again", sourceLocation: sourceLocation)
            return
        }
        #expect(stored == actual, "the page differs from Fixtures/snapshots/\(name).html (SNAPSHOT_RECORD=1 to accept)", sourceLocation: sourceLocation)
    }
}
