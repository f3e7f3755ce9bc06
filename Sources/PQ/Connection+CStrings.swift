import CLibPQ
import Foundation

/// What libpq's C interface needs: conninfo keywords, and arrays of C strings that live for one call.
extension Connection {
    static func keywordsSet(in conninfo: String) -> Set<String> {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            PQfreemem(error)
            return []
        }
        defer { PQconninfoFree(options) }
        var keys: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            if option.pointee.val != nil { keys.insert(String(cString: keyword)) }
            option += 1
        }
        return keys
    }

    /// A NULL-terminated array of C strings, as `PQconnectdbParams` wants.
    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        withOptionalCStringArray(strings + [nil], body)
    }

    /// Passes C strings that live for the duration of `body`; nil entries stay NULL, and an empty list is a NULL
    /// pointer (libpq takes NULL for "no parameters").
    static func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { owned.forEach { free($0) } }
        let pointers = owned.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
