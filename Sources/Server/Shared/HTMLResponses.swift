import Foundation
import HTTPTypes
import Hummingbird

/// Small builders for the page handlers.
enum HTMLResponses {
    /// 303 See Other: after a form post, the browser fetches the result with GET (no resubmission on reload).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Secure when configured (always behind TLS in production).
    static func sessionCookie(_ value: String, secure: Bool, maxAge: Int) -> Cookie {
        Cookie(name: AuthenticationMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expiredSessionCookie(secure: Bool) -> Cookie {
        Cookie(name: AuthenticationMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static let challengeCookieName = "cf_challenge"

    /// Holds the sign-in between a right password and a right code, for five minutes at most.
    static func challengeCookie(_ value: String, secure: Bool) -> Cookie {
        Cookie(name: challengeCookieName, value: value, maxAge: 5 * 60, path: "/sign-in", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expiredChallengeCookie(secure: Bool) -> Cookie {
        Cookie(name: challengeCookieName, value: "", maxAge: 0, path: "/sign-in", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The double-submit cookie for forms used before sign-in.
    static func anonymousCSRFCookie(_ value: String, secure: Bool) -> Cookie {
        Cookie(name: CSRFMiddleware.anonymousCookie, value: value, maxAge: 2 * 60 * 60, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// "23 Nov 2026, 18:31" in London time, for tables people read.
    static func display(_ date: Date) -> String {
        date.formatted(
            Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: "en_GB"), timeZone: TimeZone(identifier: "Europe/London") ?? .gmt)
        )
    }
}
