import Foundation
import Hummingbird

/// A url-encoded form as name and value pairs, in order, for forms whose fields repeat (checkboxes, rows of a table)
/// and whose names carry a position (`lines/2/quantity`).
struct FormValues: Sendable {
    private var pairs: [(String, String)]

    init(_ text: String) {
        pairs = text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
    }

    static func read(_ request: Request, context: some RequestContext) async throws -> FormValues {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        return FormValues(String(buffer: body))
    }

    /// The first value of a field, if it was sent.
    subscript(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    /// Every value of a field (checked checkboxes).
    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}
