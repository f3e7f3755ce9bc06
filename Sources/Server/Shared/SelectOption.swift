/// One `<option>` of a `<select>`: `{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}`.
struct SelectOption: Sendable {
    var value: String
    var label: String
    var selected: Bool

    /// Options from values and labels, the one equal to `chosen` selected, after a first "any" option when given.
    static func list(_ values: [(String, String)], chosen: String?, any: String? = nil) -> [SelectOption] {
        (any.map { [SelectOption(value: "", label: $0, selected: chosen == nil || chosen == "")] } ?? [])
            + values.map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == chosen) }
    }
}
