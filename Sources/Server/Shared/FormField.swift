/// One labelled field of a form, for the `form-fields` partial: a text input or a select, with its hint, its error
/// and the value as typed, so a refused form comes back as the user left it.
struct FormField: Sendable {
    var name: String
    var label: String
    var hint: String?
    var error: String?
    var value: String
    var options: [SelectOption]
    var isSelect: Bool
    /// A narrower input (`app-input--width-10`) for dates and codes.
    var isShort: Bool
    /// A box for a paragraph or more.
    var isTextarea = false

    /// The ids that describe the field: its hint and error (stored: templates read stored properties only).
    var describedBy: String?

    init(name: String, label: String, hint: String?, error: String?, value: String, options: [SelectOption], isSelect: Bool, isShort: Bool) {
        self.name = name
        self.label = label
        self.hint = hint
        self.error = error
        self.value = value
        self.options = options
        self.isSelect = isSelect
        self.isShort = isShort
        let ids = [hint.map { _ in name + "-hint" }, error.map { _ in name + "-error" }].compactMap { $0 }
        describedBy = ids.isEmpty ? nil : ids.joined(separator: " ")
    }

    static func text(_ name: String, _ label: String, hint: String? = nil, value: String?, errors: FormErrors, short: Bool = false) -> FormField {
        FormField(name: name, label: label, hint: hint, error: errors.message(for: name), value: value ?? "", options: [], isSelect: false, isShort: short)
    }

    static func textarea(_ name: String, _ label: String, hint: String? = nil, value: String?, errors: FormErrors) -> FormField {
        var field = text(name, label, hint: hint, value: value, errors: errors)
        field.isTextarea = true
        return field
    }

    static func date(_ name: String, _ label: String, value: String?, errors: FormErrors) -> FormField {
        text(name, label, hint: "For example, 15/10/2026 (day, month, year).", value: value, errors: errors, short: true)
    }

    static func select(_ name: String, _ label: String, hint: String? = nil, choices: [(String, String)], value: String?, any: String? = nil,
                       errors: FormErrors) -> FormField {
        FormField(name: name, label: label, hint: hint, error: errors.message(for: name), value: value ?? "",
                  options: SelectOption.list(choices, chosen: value, any: any), isSelect: true, isShort: false)
    }
}
