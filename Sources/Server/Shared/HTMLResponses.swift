import Foundation
import HTTPTypes
import Hummingbird

/// Small builders for the page handlers.
enum HTMLResponses {
    /// 303 See Other: after a form post, the browser fetches the result with GET (no resubmission on reload).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Secure when configured (always behind TLS in production). It has
    /// no Max-Age, so it ends when the browser closes (school computers are shared); the server's idle and absolute
    /// timeouts end the session itself.
    static func sessionCookie(_ value: String, names: CookieNames) -> Cookie {
        Cookie(name: names.session, value: value, path: "/", secure: names.secure, httpOnly: true, sameSite: .lax)
    }

    /// Clears the session cookie, under both names when Secure (one set before the prefix came in may remain).
    static func expiredSessionCookies(names: CookieNames) -> [Cookie] {
        Set([names.session, CookieNames.session]).sorted().map { name in
            Cookie(name: name, value: "", maxAge: 0, path: "/", secure: names.secure, httpOnly: true, sameSite: .lax)
        }
    }

    /// The device cookie of a browser that has signed in (`DeviceCookies`): kept for 180 days, sent only with
    /// same-site requests, and readable by no script.
    static func deviceCookie(_ value: String, names: CookieNames) -> Cookie {
        Cookie(name: names.device, value: value, maxAge: 180 * 24 * 60 * 60, path: "/", secure: names.secure, httpOnly: true, sameSite: .strict)
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
    static func anonymousCSRFCookie(_ value: String, names: CookieNames) -> Cookie {
        Cookie(name: names.anonymousCSRF, value: value, maxAge: 2 * 60 * 60, path: "/", secure: names.secure, httpOnly: true, sameSite: .lax)
    }

    /// "23 Nov 2026, 18:31" in London time, for tables people read.
    static func display(_ date: Date) -> String {
        date.formatted(
            Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: "en_GB"), timeZone: TimeZone(identifier: "Europe/London") ?? .gmt)
        )
    }
}
