import Domain
import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore
import Store

/// The officers' upload page for the GIAS extract and the SEN statistics: the same import as
/// `POST /api/v1/schools/import`, from a `multipart/form-data` form that vapor's MultipartKit parses as it streams.
struct SchoolImportController {
    let pages: Pages
    let schools: SchoolStore
    let imports: SchoolImportStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/schools/import", use: show)
        routes.signedInPages.post("/schools/import", use: upload)
    }

    /// The most problems the page lists; the API lists them all.
    static let shownProblems = 500

    struct ProblemRow: Sendable {
        var line: Int
        var column: String
        var detail: String
    }

    struct ImportPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var census: String
        var sen: Bool = false
        var dryRun: Bool = true
        var report: SchoolImportReport?
        var problems: [ProblemRow] = []
        var hasProblems = false
        var moreProblems = 0
    }

    func page(_ session: Authenticated) -> ImportPage {
        ImportPage(layout: Layout(title: "Import schools", path: "/schools", session: session),
                   census: String(Census.latest(before: schools.today())))
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try imports.authorize(session.actor)
        return try pages.render("school-import", page(session))
    }

    /// What the form sent besides the file, read as the parts go by (they come in the form's order: the file last).
    final class Upload {
        var fields: [String: String] = [:]
        var partName: String?
        var partText: [UInt8] = []
        var reader: SchoolFileReader?
        var sawFile = false
        var tooLarge = false
        var laCode: String?
    }

    @Sendable func upload(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try imports.authorize(session.actor)
        var page = page(session)
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.boundary(type) else {
            page.errors = FormErrors([.init(pointer: "/file", detail: "Choose a file to upload.")])
            return try pages.render("school-import", page, status: .unprocessableContent)
        }
        let laCode = try? await imports.laCode(session.actor)
        let upload = Upload()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            guard name.lowercased() == "content-disposition" else { return }
            upload.partName = Self.parameter("name", in: value)
        }
        parser.onBody = { buffer in
            if upload.partName == "file" {
                if upload.reader == nil {
                    let kind: SchoolFileKind = upload.fields["kind"] == "sen" ? .sen : .gias
                    upload.reader = SchoolFileReader(kind: kind, laCode: laCode ?? "")
                }
                upload.sawFile = upload.sawFile || buffer.readableBytes > 0
                guard (upload.reader?.byteCount ?? 0) + buffer.readableBytes <= SchoolsAPIController.importLimit else {
                    upload.tooLarge = true
                    return
                }
                buffer.withUnsafeReadableBytes { upload.reader?.consume($0) }
            } else if upload.partText.count < 100 {
                upload.partText += buffer.readableBytesView.prefix(100 - upload.partText.count)
            }
        }
        parser.onPartComplete = {
            if let name = upload.partName, name != "file" { upload.fields[name] = String(decoding: upload.partText, as: UTF8.self) }
            upload.partName = nil
            upload.partText = []
        }
        for try await buffer in request.body {
            try parser.execute(buffer)
            if upload.tooLarge { throw HTTPError(.contentTooLarge, message: "A school file may be at most 100 MB.") }
        }
        page.sen = upload.fields["kind"] == "sen"
        page.dryRun = upload.fields["dryRun"] != nil
        page.census = upload.fields["census"] ?? page.census
        var issues: [DomainError.FieldIssue] = []
        let census = Int(page.census.trimmingCharacters(in: .whitespaces)).flatMap { Census.years.contains($0) ? $0 : nil }
        if census == nil { issues.append(.init(pointer: "/census", detail: "Name the census by the year of its January, like 2026.")) }
        if !upload.sawFile { issues.append(.init(pointer: "/file", detail: "Choose a file to upload.")) }
        if !page.sen && laCode == nil {
            issues.append(.init(pointer: "/file", detail: "Set the council's local-authority code in the settings first: the import keeps only that authority's schools."))
        }
        guard issues.isEmpty, let census, var reader = upload.reader else {
            page.errors = FormErrors(issues)
            return try pages.render("school-import", page, status: .unprocessableContent)
        }
        let file = reader.finish()
        guard file.problems.isEmpty else {
            page.errors = FormErrors(message: "The file has \(file.problems.count) problem\(file.problems.count == 1 ? "" : "s"), listed below. Nothing was imported.")
            page.problems = file.problems.prefix(Self.shownProblems).map { ProblemRow(line: $0.line, column: $0.column, detail: $0.detail) }
            page.hasProblems = true
            page.moreProblems = max(0, file.problems.count - Self.shownProblems)
            return try pages.render("school-import", page, status: .unprocessableContent)
        }
        page.report = try await imports.apply(session.actor, file, census: census, dryRun: page.dryRun, request: context.requestInfo(request))
        return try pages.render("school-import", page)
    }

    /// `boundary` from `multipart/form-data; boundary=…` (quoted or not).
    static func boundary(_ contentType: String) -> String? {
        parameter("boundary", in: contentType).flatMap { $0.isEmpty || $0.count > 200 ? nil : $0 }
    }

    /// A parameter of a header value: `name="file"` in `form-data; name="file"; filename="x.csv"`.
    static func parameter(_ name: String, in value: String) -> String? {
        for part in value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            }
        }
        return nil
    }
}
