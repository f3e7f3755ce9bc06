import Hummingbird

/// The names of the session and CSRF cookies. When they are Secure they carry the `__Host-` prefix, which browsers
/// accept only from a secure origin, for path `/` and without `Domain`, so a neighbouring subdomain cannot plant or
/// overwrite them. Browsers refuse the prefix without `Secure`, so over plain http (development, tests) the names
/// stay unprefixed. The session is read under both spellings, the prefixed one first, so switching to https does not
/// end sessions; the double-submit token only under the configured one, since a planted unprefixed token is exactly
/// what the prefix keeps out.
///
/// ```swift
/// let names = CookieNames(secure: true)
/// names.session                    // "__Host-cf_session"
/// names.sessionToken(in: request)  // from either spelling
/// ```
struct CookieNames: Sendable {
    /// The session cookie's name without the prefix.
    static let session = "cf_session"
    /// The double-submit CSRF cookie's name without the prefix.
    static let anonymousCSRF = "cf_csrf"
    /// The device cookie's name without the prefix (`DeviceCookies`).
    static let device = "cf_device"
    static let hostPrefix = "__Host-"

    let secure: Bool

    var session: String { prefixed(Self.session) }
    var anonymousCSRF: String { prefixed(Self.anonymousCSRF) }
    var device: String { prefixed(Self.device) }

    private func prefixed(_ name: String) -> String { secure ? Self.hostPrefix + name : name }

    /// The session cookie's value, under the configured name first, then the unprefixed one.
    func sessionToken(in request: Request) -> String? {
        request.cookies[session]?.value ?? request.cookies[Self.session]?.value
    }

    /// The double-submit CSRF token, under the configured name only.
    func anonymousCSRFToken(in request: Request) -> String? {
        request.cookies[anonymousCSRF]?.value
    }

    /// The device cookie, under the configured name only (it is signed, so a planted one is merely ignored).
    func deviceToken(in request: Request) -> String? {
        request.cookies[device]?.value
    }
}
