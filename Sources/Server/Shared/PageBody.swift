import Domain
import Hummingbird
import Store

/// A page of a list as JSON: `{"items": […], "page": 1, "pageSize": 50, "total": 123}`.
struct PageBody<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var page: Int
    var pageSize: Int
    var total: Int

    init(_ page: Page<Item>) {
        self.init(page, map: { $0 })
    }

    /// A page of store records, each turned into its response body.
    init<Record>(_ page: Page<Record>, map: (Record) -> Item) {
        items = page.items.map(map)
        self.page = page.number
        pageSize = page.size
        total = page.total
    }

    /// `page` and `pageSize` from the query; a value that is not a positive number is a 422, not a guess.
    static func requested(_ request: Request) throws(DomainError) -> (Int?, Int?) {
        var issues: [DomainError.FieldIssue] = []
        func read(_ name: String, max: Int) -> Int? {
            guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
            guard let value = Int(String(text)), value >= 1, value <= max else {
                issues.append(.init(pointer: "/\(name)", detail: "\(name) must be a whole number from 1 to \(max)."))
                return nil
            }
            return value
        }
        let number = read("page", max: 1_000_000)
        let size = read("pageSize", max: 200)
        if !issues.isEmpty { throw .validation(issues) }
        return (number, size)
    }
}
