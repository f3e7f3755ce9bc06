import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Store

/// The HTML side: Mustache templates loaded once at start-up, rendered into the base layout.
/// `{{value}}` escapes HTML, so data shown on a page can never become markup.
public struct Pages: Sendable {
    let library: MustacheLibrary

    /// Loads every `*.mustache` in the folder.
    /// - Throws: `ResourceError` naming the folder when it cannot be read.
    public init(directory: String) async throws {
        do {
            library = try await MustacheLibrary(directory: directory)
        } catch {
            throw ResourceError(message: "cannot load page templates from \(directory): \(error)")
        }
        guard library.getTemplate(named: "layout") != nil else {
            throw ResourceError(message: "no layout.mustache in \(directory)")
        }
    }

    /// Renders `template` with `model`; a missing template is a programming error reported as a 500.
    func render(_ template: String, _ model: some Sendable, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            throw ResourceError(message: "no template named \(template)")
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    /// The error page for a problem: its title and detail, and the request id to quote to support.
    func errorPage(_ problem: Problem, session: Authenticated? = nil) -> Response {
        let model = ErrorPage(
            layout: Layout(title: problem.title, session: session),
            title: problem.title,
            detail: problem.detail,
            requestId: problem.requestId ?? "",
            isNotFound: problem.status == 404
        )
        if let response = try? render("error", model, status: problem.httpStatus) { return response }
        return Response(
            status: problem.httpStatus,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "\(problem.title)\n\(problem.detail)\n"))
        )
    }
}

struct ErrorPage: Sendable {
    var layout: Layout
    var title: String
    var detail: String
    var requestId: String
    var isNotFound: Bool
}

/// A file the server needs at start-up is missing or unreadable.
public struct ResourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
