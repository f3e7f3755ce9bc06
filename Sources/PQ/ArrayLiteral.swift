/// PostgreSQL's text form of one-dimensional arrays: `{1,2,"a b",NULL}`.
enum ArrayLiteral {
    static func format(_ items: [String?]) -> String {
        var out = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            guard let item else {
                out += "NULL"
                continue
            }
            out += "\""
            for character in item {
                if character == "\"" || character == "\\" { out += "\\" }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    /// The elements, with `nil` for NULL; nil for text that is not a one-dimensional array.
    static func parse(_ text: String) -> [String?]? {
        var characters = Substring(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters = characters.dropFirst().dropLast()
        if characters.isEmpty { return [] }
        var items: [String?] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for character in characters {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if character == "," && !quoted {
                items.append(wasQuoted || current != "NULL" ? current : nil)
                current = ""
                wasQuoted = false
            } else if character == "{" && !quoted {
                return nil
            } else {
                current.append(character)
            }
        }
        items.append(wasQuoted || current != "NULL" ? current : nil)
        return items
    }
}
