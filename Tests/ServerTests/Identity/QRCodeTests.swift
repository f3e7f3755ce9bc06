import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

/// libqrencode draws the symbol; these tests check our SVG writer around it, and that what the enrolment page shows
/// scans back to the exact `otpauth://` URI with real tools: `rsvg-convert` (librsvg2-bin) and `zbarimg` (zbar-tools),
/// which `scripts/test` installs.
@Suite("QR codes")
struct QRCodeTests {
    @Test("the enrolment page's QR code scans back to the exact otpauth URI")
    func enrolmentCodeScans() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let email = "second.officer@example-city.test"
            let id = try await fixture.users.create(officer, email: email, displayName: "Second Officer", request: fixture.request())
            let today = CalendarDate.today(at: fixture.clock.now)
            _ = try await fixture.users.assignRole(officer, userID: id, role: .officer, scope: .council, startsOn: today, request: fixture.request())
            let link = try await fixture.users.issuePasswordLink(officer, userID: id, request: fixture.request())
            try await fixture.accounts.setPassword(token: link.token, newPassword: "meadow russet umber", request: fixture.request())

            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=t0k"]
                let challenge = try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers,
                    body: ByteBuffer(string: "email=second.officer%40example-city.test&password=meadow+russet+umber&csrf_token=t0k")
                ) { response in
                    #expect(response.headers[.location] == "/sign-in/code")
                    let header = try #require(SignInFlowTests.cookie("cf_challenge", in: response))
                    return SignInFlowTests.value(of: header)
                }
                let expected = try #require(try await fixture.accounts.challenge(challenge)?.provisioningURI)
                #expect(expected.hasPrefix("otpauth://totp/Clusterfund:second.officer%40example-city.test?secret="))
                headers[.cookie] = "cf_csrf=t0k; cf_challenge=\(challenge)"
                let page = try await client.execute(uri: "/sign-in/code", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    return text(response)
                }
                let start = try #require(page.range(of: "<svg ")?.lowerBound)
                let end = try #require(page.range(of: "</svg>", range: start..<page.endIndex)?.upperBound)
                #expect(try Self.scan(svg: String(page[start..<end])) == expected)
            }
        }
    }

    @Test("text beyond the largest symbol is refused, not cut short")
    func tooLong() throws {
        // Version 40 at level M holds 2331 bytes in byte mode.
        #expect(try QRCode(encoding: String(repeating: "a", count: 2331)).version == 40)
        #expect(throws: QRCode.Error.tooLong) { try QRCode(encoding: String(repeating: "a", count: 2332)) }
    }

    @Test("the SVG is one crisp-edged path on white, titled for screen readers with the title escaped")
    func svgMarkup() throws {
        let code = try QRCode(encoding: "hello")
        let svg = code.svg(moduleSize: 5, quietZone: 4, title: #"Scan <me> & "you'll" see"#)
        #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" width="145" height="145" viewBox="0 0 29 29""#))
        #expect(svg.contains(#"role="img""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(svg.contains("<title>Scan &lt;me&gt; &amp; &quot;you&apos;ll&quot; see</title>"))
        #expect(svg.contains(##"<rect width="29" height="29" fill="#fff"/>"##))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test("the SVG path covers exactly the dark modules, shifted by the quiet zone")
    func svgPathCoversDarkModules() throws {
        let code = try QRCode(encoding: "otpauth://totp/Clusterfund:a%40b.test?secret=JBSWY3DPEHPK3PXP")
        let quiet = 2
        let svg = code.svg(quietZone: quiet, title: "code")
        let start = try #require(svg.range(of: #" d=""#)?.upperBound)
        let end = try #require(svg[start...].firstIndex(of: "\""))
        var painted = Set<[Int]>()
        for run in svg[start..<end].split(separator: "z") {
            // Each run reads "M<x> <y>h<n>v1h-<n>".
            let numbers = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            try #require(numbers.count == 5)
            let (x, y, length) = (numbers[0], numbers[1], numbers[2])
            #expect(numbers == [x, y, length, 1, length])
            for column in x..<(x + length) { painted.insert([column - quiet, y - quiet]) }
        }
        var dark = Set<[Int]>()
        for y in 0..<code.size { for x in 0..<code.size where code.isDark(x: x, y: y) { dark.insert([x, y]) } }
        #expect(!dark.isEmpty)
        #expect(painted == dark)
    }

    @Test("modules outside the symbol read as light, like the quiet zone")
    func outsideIsLight() throws {
        let code = try QRCode(encoding: "hello")
        #expect(code.size == 21)
        #expect(code.isDark(x: 0, y: 0))
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
        #expect(!code.isDark(x: code.size, y: code.size - 1))
    }

    /// Renders the SVG to PNG with `rsvg-convert` and reads it with `zbarimg`, as a phone camera would.
    static func scan(svg: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clusterfund-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svgFile = folder.appendingPathComponent("code.svg")
        let pngFile = folder.appendingPathComponent("code.png")
        try Data(svg.utf8).write(to: svgFile)
        _ = try run("rsvg-convert", "--output", pngFile.path, svgFile.path)
        return try run("zbarimg", "--quiet", "--raw", pngFile.path).trimmingCharacters(in: .newlines)
    }

    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a tool found on PATH and returns its standard output; throws, naming the tool, when it fails or is missing.
    static func run(_ tool: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailed(description: "\(tool) exited with \(process.terminationStatus) (scripts/test installs librsvg2-bin and zbar-tools)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
