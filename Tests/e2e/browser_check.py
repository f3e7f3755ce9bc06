#!/usr/bin/env python3
"""Browser checks of the HTML pages: accessibility (axe-core), page structure and keyboard use.

Usage: CLUSTERFUND_DEMO_PASSWORD=... .data/venv/bin/python Tests/e2e/browser_check.py BASE_URL
       (scripts/e2e-tools installs the venv; scripts/test runs this against a live server loaded with
       `clusterfund demo-data --demo`, whose accounts all have the password CLUSTERFUND_DEMO_PASSWORD)

Headless Debian chromium driven by Playwright walks three journeys, each in its own browser context:
  anonymous  /, /no-such-page (404), /sign-in, /set-password?token=bogus (404), and the sign-in form
             submitted with a wrong password (401: an error summary with role=alert, the email kept,
             the password not echoed);
  officer    signs in through the form by keyboard only (Tab to each field, type, Enter), then /,
             /account, "Change your password" submitted empty (422: the summary links to #newPassword),
             /users, /users/new, "Add a user" submitted empty (422: the error summary links
             to #displayName and #email), the first active user's page (followed from /users), that
             page after "Issue a set-password link" and the link itself opened anonymously (the form,
             not submitted), /audit, /audit with an unreadable date (422), /audit filtered by keyboard by
             who did it ("demo-data") and what to ("Ashgrove"), /clusters, "Add a cluster" submitted empty
             (422), the first cluster's page, /meetings, "Generate meetings" with the time 25:00 (422, the time kept),
             the first meeting's page and its change form with a Saturday (422), its agenda, /schools (and sorted by cluster), "Add a
             school" submitted empty (422), the first school's page, /trusts, /schools/import, /settings, /settings submitted with a
             two-digit LA code (422, the code kept), /calendar, /pupils, /budgets, this funding year's confirmed
             budget with its chart, "Move the money" with no cluster (422, the sum kept), next year's budget with
             the total "lots" (422, kept), the first cluster's ledger, /referrals (the timeliness list), an open
             referral's decision form with a decision and no date (422, kept), the first pupil's subject access export,
             and finally signs out with the header button, after which /account goes to /sign-in;
  SENCo      signs in by keyboard in a fresh context: / works, /users is a 403 "Not allowed" page
             that still has the signed-in header, /settings is read only, /calendar shows the year, /clusters
             shows theirs without the officers' forms, /budgets is a 403, their cluster's page shows this funding
             year's money without the ledger link, /pupils lists their school's pupils, "Add a pupil" with a wrong
             UPN check letter (422, kept), the first pupil's page, "Record consent" with 31/02/2026 (422, kept), then
             with the date corrected (the pupil's page, the record in its history), "Record an EHC needs assessment
             request" without a date (422), /transfers, "A pupil joining from another school" with a wrong check letter
             (422, kept), /meetings shows theirs without the generate form, /schools
             lists their cluster's schools without the officers' forms.
Every page or state reached (one line each in the output) must:
  - answer with the expected HTTP status, as HTML, without uncaught JavaScript errors;
  - have no axe-core violation of impact "serious" or "critical" (lesser ones are printed only);
  - have exactly one <main> landmark, at least one <h1>, an element with id="main-content", and a skip
    link to "#main-content" as the first Tab stop;
  - show where the keyboard focus is: at every Tab stop (up to MAX_TAB_STOPS) the focused element is
    on screen and looks different from when it is not focused;
  - on a form with errors: an error summary (role=alert) whose links point at fields that exist, and
    each such field is tied to its message (aria-describedby names a "<field>-error" element).
Exits 1 if anything fails. The last line is `browser: N passed, M failed` (N, M count pages/states; a
state that could not be reached because an earlier step of its journey failed counts as failed).

When the server asks for a second factor after the password (/sign-in/code), that page is checked as a
state of its own and the code is typed in by keyboard: computed (RFC 6238) from the key the page shows
when enrolling, else from CLUSTERFUND_DEMO_TOTP_SECRET.

Env: CLUSTERFUND_DEMO_PASSWORD (required), CLUSTERFUND_DEMO_TOTP_SECRET (the demo officer's base32
authenticator secret; needed once the server asks the officer for a code), CHROMIUM (browser binary,
default /usr/bin/chromium), BROWSER_SCREENSHOTS (directory for a full-page PNG of each page/state as
first shown; default <repo>/.data/browser-screenshots; "" to disable).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import sys
import time
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlparse

FAILING_IMPACTS = {"serious", "critical"}
SKIP_LINK_HREF = "#main-content"
NAV_TIMEOUT_MS = 15_000
MAX_TAB_STOPS = 80

OFFICER = "officer@example-city.test"
SENCO = "senco.ashgrove@example-city.test"
HEADTEACHER = "head.ashgrove@example-city.test"
PSYCHOLOGIST = "ep.north@example-city.test"
# The wrong-password attempt uses an account no journey signs in to, so that repeated runs within the
# server's throttle window (5 failures per account in 15 minutes) never lock the accounts the journeys need.
WRONG_PASSWORD_ACCOUNT = "ep.south@example-city.test"

REPO = Path(__file__).resolve().parents[2]


class Broken(Exception):
    """A step could not get its page or state; the rest of its journey cannot run."""


@dataclass
class Tab:
    """One browser tab and what it has seen since its last check."""

    page: object
    js_errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, context) -> "Tab":
        tab = cls(context.new_page())
        tab.page.set_default_timeout(NAV_TIMEOUT_MS)
        tab.page.on("pageerror", lambda exc: tab.js_errors.append(str(exc)))
        return tab


@dataclass
class Landing:
    """Where a navigation ended: the final response (after redirects)."""

    status: int
    content_type: str
    path: str
    redirected: bool


def find_chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("browser: chromium not found (scripts/e2e-tools installs Debian's chromium)")


def landing_of(page, response) -> Landing:
    if response is None:
        raise Broken(f"no response for {page.url}")
    return Landing(
        status=response.status,
        content_type=response.headers.get("content-type", ""),
        path=urlparse(page.url).path + (f"?{urlparse(page.url).query}" if urlparse(page.url).query else ""),
        redirected=response.request.redirected_from is not None,
    )


def go(tab: Tab, base_url: str, path: str) -> Landing:
    url = urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))
    try:
        response = tab.page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
    except Exception as exc:  # connection refused, timeout, ...
        raise Broken(f"could not load {url}: {exc}".splitlines()[0]) from None
    return landing_of(tab.page, response)


def press_and_wait(tab: Tab, key: str = "Enter") -> Landing:
    """Presses a key that should navigate (submit a form, follow a link) and waits for the new page."""
    try:
        with tab.page.expect_navigation(wait_until="load", timeout=NAV_TIMEOUT_MS) as nav:
            tab.page.keyboard.press(key)
    except Exception as exc:
        raise Broken(f"pressing {key} did not load a page: {exc}".splitlines()[0]) from None
    return landing_of(tab.page, nav.value)


FOCUSED_IS = "sel => { const e = document.activeElement; return !!e && e !== document.body && e.matches(sel); }"


def tab_to(tab: Tab, selector: str, what: str) -> None:
    """Presses Tab (only Tab: as a keyboard user would) until the element matching selector has focus."""
    for _ in range(MAX_TAB_STOPS + 2):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate(FOCUSED_IS, selector):
            return
    raise Broken(f"could not reach {what} ({selector}) by pressing Tab {MAX_TAB_STOPS + 2} times")


def sign_in_by_keyboard(tab: Tab, base_url: str, email: str, password: str) -> Landing:
    """Opens /sign-in and signs in with the keyboard alone. Returns where the form submission landed."""
    landing = go(tab, base_url, "/sign-in")
    if landing.status != 200:
        raise Broken(f"GET /sign-in answered {landing.status}")
    tab_to(tab, "#email", "the email field")
    tab.page.keyboard.type(email)
    tab_to(tab, "#password", "the password field")
    tab.page.keyboard.type(password)
    return press_and_wait(tab, "Enter")


# --- The checks every page/state gets ---------------------------------------------------------------

TAB_STOP_JS = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  // What shows focus: an outline, a shadow, a background, a border or an underline. (A change of text
  // colour alone, e.g. #000 to #0b0c0c, is not counted: nobody could see it.)
  const look = () => { const s = getComputedStyle(e);
    const outline = (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0
                     || s.outlineColor === 'transparent' || s.outlineColor === 'rgba(0, 0, 0, 0)')
                    ? 'none' : [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' ');
    return [outline, s.boxShadow, s.backgroundColor, s.textDecorationLine,
            s.borderTopColor, s.borderBottomColor, s.borderTopWidth, s.borderBottomWidth].join('|'); };
  const r = e.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                   && r.top < window.innerHeight && r.left < window.innerWidth;
  const focused = look();
  e.blur();
  const unfocused = look();
  e.focus({preventScroll: true});
  const text = (e.getAttribute('aria-label') || e.innerText || e.value || e.name || '').trim().replace(/\\s+/g, ' ');
  const id = e.id ? '#' + e.id : '';
  const where = e.getAttribute('href') || e.getAttribute('name') || '';
  return {key: e.tagName.toLowerCase() + id + ' ' + where + ' ' + text,
          describe: '<' + e.tagName.toLowerCase() + id + '> "' + text.slice(0, 40) + '"',
          onScreen, indicator: focused !== unfocused};
}
"""


def check_keyboard(tab: Tab, problems: list[str]) -> None:
    """From the top of a freshly loaded page: the skip link first, then every Tab stop shows its focus."""
    page = tab.page
    # Start from the top, as a newly loaded page does: blur() alone leaves chromium's sequential focus
    # navigation starting point where the focus was, so focus <body> first.
    page.evaluate(
        """() => { if (document.activeElement) document.activeElement.blur();
                   const b = document.body, had = b.hasAttribute('tabindex');
                   if (!had) b.setAttribute('tabindex', '-1');
                   b.focus({preventScroll: true}); b.blur();
                   if (!had) b.removeAttribute('tabindex');
                   window.scrollTo(0, 0); }"""
    )
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => { const e = document.activeElement;
                   return e ? {tag: e.tagName.toLowerCase(), href: e.getAttribute('href'),
                               text: (e.textContent || '').trim()} : null; }"""
    )
    if not first or first["tag"] != "a" or first["href"] != SKIP_LINK_HREF:
        problems.append(f'first focusable element is not a skip link to "{SKIP_LINK_HREF}" (Tab focused {first})')
    seen: set[str] = set()
    for n in range(1, MAX_TAB_STOPS + 1):
        stop = page.evaluate(TAB_STOP_JS)
        if stop is None or stop["key"] in seen:
            break  # left the page, or came round again
        seen.add(stop["key"])
        if not stop["onScreen"]:
            problems.append(f"Tab stop {n}, {stop['describe']}: not on screen when focused")
        if not stop["indicator"]:
            problems.append(f"Tab stop {n}, {stop['describe']}: no visible focus indicator (looks the same focused)")
        page.keyboard.press("Tab")


def check_structure(page, problems: list[str]) -> None:
    mains = page.evaluate("document.querySelectorAll('main, [role=\"main\"]').length")
    if mains != 1:
        problems.append(f"expected exactly one <main> landmark, found {mains}")
    if page.locator("h1").count() < 1:
        problems.append("no <h1>")
    if page.locator("#main-content").count() != 1:
        problems.append('no element with id="main-content" (the skip link target)')


def check_axe(page, axe, problems: list[str], notes: list[str]) -> None:
    results = axe.run(page).response
    for v in results.get("violations", []):
        impact = v.get("impact") or "unknown"
        targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in v.get("nodes", []))
        line = f"axe {v['id']} ({impact}): {v.get('help', '')} [{len(v.get('nodes', []))} node(s): {targets}]"
        (problems if impact in FAILING_IMPACTS else notes).append(line)


def check_error_summary(page, problems: list[str], expect_hrefs: list[str]) -> None:
    """A form answered with errors: the summary is there, links to real fields, and each field names its message."""
    if page.locator('[role="alert"]').count() < 1:
        problems.append('no error summary (an element with role="alert")')
        return
    hrefs = page.evaluate(
        """() => [...document.querySelectorAll('[role="alert"] a[href^="#"]')].map(a => a.getAttribute('href'))"""
    )
    for href in expect_hrefs:
        if href not in hrefs:
            problems.append(f'the error summary has no link to "{href}" (links: {hrefs})')
    for href in hrefs:
        target = page.evaluate(
            """id => { const e = document.getElementById(id);
                       if (!e) return null;
                       return {tag: e.tagName.toLowerCase(), describedBy: e.getAttribute('aria-describedby') || '',
                               hasMessage: !!document.getElementById(id + '-error')}; }""",
            href[1:],
        )
        if target is None:
            problems.append(f'the error summary links to "{href}" but no element has that id')
            continue
        if target["tag"] not in ("input", "select", "textarea"):
            problems.append(f'the error summary link "{href}" points at a <{target["tag"]}>, not a form field')
        if not target["hasMessage"]:
            problems.append(f'field "{href}" has no error message beside it (no element with id="{href[1:]}-error")')
        elif f"{href[1:]}-error" not in target["describedBy"].split():
            problems.append(
                f'field "{href}" is not tied to its error message: aria-describedby="{target["describedBy"]}" '
                f'does not name "{href[1:]}-error"'
            )


class Runner:
    def __init__(self, base_url: str, axe, shots: Path | None):
        self.base_url = base_url
        self.axe = axe
        self.shots = shots
        self.passed = 0
        self.failed = 0

    def report(self, label: str, problems: list[str], notes: list[str]) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL {label}")
            for problem in problems:
                print(f"    - {problem}")
        else:
            self.passed += 1
            print(f"ok   {label}")
        for note in notes:
            print(f"    note (not failing): {note}")
        sys.stdout.flush()

    def audit(self, tab: Tab, landing: Landing, *, status: int, shot: str, path: str | None = None,
              errors: list[str] | None = None,
              extra: Callable[[list[str]], None] | None = None) -> tuple[list[str], list[str]]:
        """All the checks of one page/state, as the tab shows it now. Returns (problems, notes)."""
        problems: list[str] = []
        notes: list[str] = []
        page = tab.page
        if landing.status != status:
            problems.append(f"HTTP status {landing.status}, expected {status}")
        if "text/html" not in landing.content_type:
            problems.append(f"content-type is {landing.content_type!r}, expected text/html")
        if path is not None and landing.path != path:
            problems.append(f"ended at {landing.path}, expected {path}")
        if self.shots is not None:
            page.screenshot(path=str(self.shots / f"{shot}.png"), full_page=True)
        check_structure(page, problems)
        if errors is not None:
            check_error_summary(page, problems, errors)
        if extra is not None:
            extra(problems)
        check_axe(page, self.axe, problems, notes)
        check_keyboard(tab, problems)  # last: it moves the focus about
        if tab.js_errors:
            problems.extend(f"JavaScript error: {e}" for e in tab.js_errors)
            tab.js_errors.clear()
        return problems, notes

    def journey(self, name: str, steps: list[tuple[str, Callable[[], tuple[list[str], list[str]]]]]) -> None:
        print(f"-- {name}")
        broken: str | None = None
        for label, step in steps:
            label = f"{name}: {label}"
            if broken is not None:
                self.report(label, ["not run: an earlier step of this journey failed"], [])
                continue
            try:
                problems, notes = step()
            except Broken as exc:
                broken = str(exc)
                problems, notes = [str(exc)], []
            except Exception as exc:  # a broken check must fail loudly, not pass
                broken = f"check crashed: {type(exc).__name__}: {exc}".splitlines()[0]
                problems, notes = [broken], []
            self.report(label, problems, notes)


def slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower() or "home"


def totp(secret_base32: str, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits)."""
    text = re.sub(r"[\s-]", "", secret_base32).upper()
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    step = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def finish_sign_in(run: "Runner", tab: Tab, landing: Landing, journey: str, who: str) -> Landing:
    """After email and password: when the server asks for a second factor (/sign-in/code), checks that page as a
    state of its own (reported at once) and enters the authenticator code by keyboard: the key shown on the page
    when enrolling, else CLUSTERFUND_DEMO_TOTP_SECRET. Returns where signing in ended up."""
    if landing.status == 429:
        raise Broken(f"signing in as {who} answered 429: the server is throttling this account or address "
                     "(too many failed sign-ins in the last 15 minutes)")
    if not landing.path.startswith("/sign-in/code"):
        return landing
    shown = tab.page.locator("main code").first.inner_text() if tab.page.locator("main code").count() else ""
    problems, notes = run.audit(tab, landing, status=200, shot=f"{slug(journey)}-sign-in-code", path="/sign-in/code")
    run.report(f"{journey}: the two-step sign-in code page /sign-in/code (expect 200)", problems, notes)
    secret = shown.strip() or os.environ.get("CLUSTERFUND_DEMO_TOTP_SECRET", "")
    if not secret:
        raise Broken(f"signing in as {who} asks for an authenticator code: set CLUSTERFUND_DEMO_TOTP_SECRET "
                     "(the demo officer's base32 secret, as given to `clusterfund demo-data`)")
    for attempt in (1, 2):
        tab_to(tab, "#code", "the code field")
        tab.page.keyboard.type(totp(secret))
        landing = press_and_wait(tab, "Enter")
        if attempt == 1 and landing.path.startswith("/sign-in/code") and landing.status in (401, 422):
            # A code is good once: if this 30-second step's was used already, wait for the next one.
            time.sleep(30 - time.time() % 30 + 1)
            continue
        break
    if landing.path != "/" and landing.status == 200 and any(
            c["name"] == "cf_session" and c["value"] for c in tab.page.context.cookies()):
        # Signed in, with a page to read first (the recovery codes after enrolling): check it, then go on home.
        problems, notes = run.audit(tab, landing, status=200, shot=f"{slug(journey)}-after-code")
        run.report(f"{journey}: the page shown after the code, {landing.path} (expect 200)", problems, notes)
        landing = go(tab, run.base_url, "/")
    elif landing.path.startswith("/sign-in"):
        raise Broken(f"the authenticator code for {who} was refused (HTTP {landing.status} at {landing.path})")
    return landing


# --- Journeys -----------------------------------------------------------------------------------------

def anonymous_journey(run: Runner, context) -> None:
    tab = Tab.open(context)

    def visit(path: str, status: int, extra=None):
        return lambda: run.audit(tab, go(tab, run.base_url, path), status=status, shot=f"anon-{slug(path)}",
                                 extra=extra)

    def wrong_password():
        landing = sign_in_by_keyboard(tab, run.base_url, WRONG_PASSWORD_ACCOUNT, "not the password 0")
        if landing.status == 429:
            raise Broken(f"sign-in answered 429: the server is throttling {WRONG_PASSWORD_ACCOUNT} or this address "
                         "(this check makes one failed sign-in per run; the server locks an account after 5 in "
                         "15 minutes): use a fresh database or wait")

        def kept(problems: list[str]) -> None:
            typed = tab.page.input_value("#email")
            if typed != WRONG_PASSWORD_ACCOUNT:
                problems.append(f"the email field holds {typed!r}, expected the address typed "
                                f"({WRONG_PASSWORD_ACCOUNT!r})")
            if tab.page.input_value("#password") != "":
                problems.append("the password field is filled in again: a password must never be sent back")
            if any(c["name"] == "cf_session" and c["value"] for c in context.cookies()):
                problems.append("a cf_session cookie was set by a failed sign-in")

        return run.audit(tab, landing, status=401, shot="anon-sign-in-wrong-password", path="/sign-in",
                         errors=["#email"], extra=kept)

    def expired_link(problems: list[str]) -> None:
        if "expired" not in (tab.page.locator("main").inner_text() or ""):
            problems.append('the page does not say the link has expired')

    run.journey("anonymous", [
        ("/ (home, expect 200)", visit("/", 200)),
        ("/no-such-page (not found, expect 404)", visit("/no-such-page", 404)),
        ("/sign-in (sign-in form, expect 200)", visit("/sign-in", 200)),
        ("/set-password?token=bogus (expired link, expect 404)", visit("/set-password?token=bogus", 404, expired_link)),
        ("sign-in with a wrong password (error summary, expect 401)", wrong_password),
    ])
    tab.page.close()


def officer_journey(run: Runner, context, anonymous_context, password: str) -> None:
    tab = Tab.open(context)
    state: dict[str, str] = {}

    def sign_in():
        landing = sign_in_by_keyboard(tab, run.base_url, OFFICER, password)
        landing = finish_sign_in(run, tab, landing, "officer", OFFICER)
        cookie = next((c for c in context.cookies() if c["name"] == "cf_session" and c["value"]), None)
        if landing.path != "/" or cookie is None:
            raise Broken(f"signing in as {OFFICER} by keyboard ended at {landing.path} (HTTP {landing.status}) "
                         f"{'with' if cookie else 'without'} a cf_session cookie")

        def welcomed(problems: list[str]) -> None:
            if not cookie.get("httpOnly"):
                problems.append("the cf_session cookie is not HttpOnly")
            if "Welcome" not in tab.page.locator("h1").first.inner_text():
                problems.append("the signed-in home page does not greet the user in its <h1>")
            if tab.page.locator('form[action="/sign-out"] button').count() != 1:
                problems.append("no sign-out button in the header")

        return run.audit(tab, landing, status=200, shot="officer-home", path="/", extra=welcomed)

    def visit(path: str, status: int = 200, extra=None):
        return lambda: run.audit(tab, go(tab, run.base_url, path), status=status, shot=f"officer-{slug(path)}",
                                 path=path, extra=extra)

    def change_password_empty():
        landing = go(tab, run.base_url, "/account")
        if landing.status != 200:
            raise Broken(f"GET /account answered {landing.status}")
        tab_to(tab, 'form[action="/account/password"] button[type="submit"]', 'the "Change password" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-account-password-errors", path="/account/password",
                         errors=["#newPassword"])

    def add_user_empty():
        landing = go(tab, run.base_url, "/users/new")
        if landing.status != 200:
            raise Broken(f"GET /users/new answered {landing.status}")
        tab_to(tab, 'form[action="/users"] button[type="submit"]', 'the "Add user" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-users-new-errors", path="/users",
                         errors=["#displayName", "#email"])

    def first_user():
        landing = go(tab, run.base_url, "/users")
        if landing.status != 200:
            raise Broken(f"GET /users answered {landing.status}")
        # The first active user: a deactivated user's page offers no actions.
        href = tab.page.evaluate(
            """() => { for (const row of document.querySelectorAll('main table tbody tr')) {
                         const a = row.querySelector('a[href^="/users/"]');
                         if (a && row.lastElementChild && row.lastElementChild.textContent.trim() === 'Active')
                             return a.getAttribute('href'); }
                       return null; }"""
        )
        if not href:
            raise Broken("no link to an active user in the table on /users")
        tab.page.locator(f'main table a[href="{href}"]').first.focus()
        landing = press_and_wait(tab, "Enter")
        state["user"] = href

        def buttons(problems: list[str]) -> None:
            issue = tab.page.locator('main button:has-text("Issue a set-password link")')
            if issue.count() != 1:
                problems.append('no "Issue a set-password link" button')

        return run.audit(tab, landing, status=200, shot="officer-user", path=href, extra=buttons)

    def press_on(page_path: str, action: str, what: str) -> Landing:
        """Opens a page, tabs to a form's button and presses Enter on it."""
        go(tab, run.base_url, page_path)
        tab_to(tab, f'form[action="{action}"] button', what)
        return press_and_wait(tab, "Enter")

    def issue_link():
        href = state.get("user")
        if not href:
            raise Broken("no user page was reached")
        landing = press_on(href, f"{href}/password-link", 'the "Issue a set-password link" button')

        def shows_link(problems: list[str]) -> None:
            code = tab.page.locator('[role="status"] code')
            text = code.first.inner_text() if code.count() else ""
            match = re.search(r"/set-password\?token=\S+", text)
            if not match:
                problems.append('no set-password link shown in a role="status" notice')
            else:
                state["link"] = match.group(0)

        return run.audit(tab, landing, status=200, shot="officer-user-link-issued", path=f"{href}/password-link",
                         extra=shows_link)

    def open_link():
        link = state.get("link")
        if not link:
            raise Broken("no set-password link was shown")
        other = Tab.open(anonymous_context)
        try:
            landing = go(other, run.base_url, link)

            def form(problems: list[str]) -> None:
                if other.page.locator('form[action="/set-password"] input#password').count() != 1:
                    problems.append("no password field on the set-password form")

            return run.audit(other, landing, status=200, shot="anon-set-password-usable", extra=form)
        finally:
            other.page.close()

    def deactivate():
        go(tab, run.base_url, "/users")
        href = tab.page.evaluate(
            """email => { for (const row of document.querySelectorAll('main table tbody tr')) {
                            if (row.cells[1] && row.cells[1].textContent.trim() === email)
                                return row.querySelector('a[href^="/users/"]').getAttribute('href'); }
                          return null; }""", WRONG_PASSWORD_ACCOUNT)
        if not href:
            raise Broken(f"no row for {WRONG_PASSWORD_ACCOUNT} on /users")
        state["other"] = href
        landing = press_on(href, f"{href}/deactivate", 'the "Deactivate" button')

        def offers_reactivation(problems: list[str]) -> None:
            if "Deactivated" not in tab.page.locator("main dl").first.inner_text():
                problems.append("after deactivating, the user's status does not read Deactivated")
            if tab.page.locator(f'form[action="{href}/reactivate"] button').count() != 1:
                problems.append("a deactivated user's page offers no Reactivate button")

        return run.audit(tab, landing, status=200, shot="officer-user-deactivated", path=href, extra=offers_reactivation)

    def reactivate():
        href = state.get("other")
        if not href:
            raise Broken("no user was deactivated")
        landing = press_on(href, f"{href}/reactivate", 'the "Reactivate" button')

        def active_again(problems: list[str]) -> None:
            if "Active" not in tab.page.locator("main dl").first.inner_text():
                problems.append("after reactivating, the user's status does not read Active")

        return run.audit(tab, landing, status=200, shot="officer-user-reactivated", path=href, extra=active_again)

    def audit_bad_date():
        landing = go(tab, run.base_url, "/audit")
        if landing.status != 200:
            raise Broken(f"GET /audit answered {landing.status}")
        tab_to(tab, "#from", 'the "From" field of the filter')
        tab.page.keyboard.type("not a date")
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-audit-bad-date", errors=["#from"])

    def audit_by_names():
        landing = go(tab, run.base_url, "/audit")
        if landing.status != 200:
            raise Broken(f"GET /audit answered {landing.status}")
        tab_to(tab, "#person", 'the "Who did it" field of the filter')
        tab.page.keyboard.type("demo-data")
        tab_to(tab, "#record", 'the "What it was done to" field of the filter')
        tab.page.keyboard.type("Ashgrove")
        tab_to(tab, "#entityType", 'the "Kind of record" choice of the filter')
        tab.page.keyboard.type("Role")  # type-ahead on the closed <select>, as a keyboard user chooses
        tab_to(tab, "#from", 'the "From" field of the filter')
        landing = press_and_wait(tab, "Enter")

        def named(problems: list[str]) -> None:
            page = tab.page
            kept = {f: page.locator(f).input_value() for f in ("#person", "#record", "#entityType")}
            if kept != {"#person": "demo-data", "#record": "Ashgrove", "#entityType": "role_assignment"}:
                problems.append(f"the filter did not keep what was chosen: {kept}")
            rows = page.locator("main table tbody tr").all_inner_texts()
            if not rows:
                problems.append("no events for the demo-data command's roles at Ashgrove")
            if any("demo-data command" not in row for row in rows):
                problems.append("an event of the command line does not say 'demo-data command'")
            if not any("Sam Senco, SENCo at Ashgrove Primary School" in row for row in rows):
                problems.append("the role given to the Ashgrove SENCo is not named by person, role and school")
            if any("Brookfield" in row for row in rows):
                problems.append("the filter by record let through a role at Brookfield")

        return run.audit(tab, landing, status=200, shot="officer-audit-by-names", extra=named)

    def has_table(problems: list[str]) -> None:
        if tab.page.locator("main table").count() < 1:
            problems.append("no table")

    def add_school_empty():
        landing = go(tab, run.base_url, "/schools/new")
        if landing.status != 200:
            raise Broken(f"GET /schools/new answered {landing.status}")
        tab_to(tab, 'form[action="/schools"] button[type="submit"]', 'the "Add school" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-schools-new-errors", path="/schools",
                         errors=["#urn", "#name", "#phase", "#type"])

    def add_cluster_empty():
        landing = go(tab, run.base_url, "/clusters")
        if landing.status != 200:
            raise Broken(f"GET /clusters answered {landing.status}")
        tab_to(tab, 'form[method="post"][action="/clusters"] button[type="submit"]', 'the "Add cluster" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-clusters-errors", path="/clusters", errors=["#name"])

    def first_cluster():
        landing = go(tab, run.base_url, "/clusters")
        if landing.status != 200:
            raise Broken(f"GET /clusters answered {landing.status}")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/clusters/"]'); return a && a.getAttribute('href'); }""")
        if not href:
            raise Broken("no link to a cluster in the table on /clusters")

        def members(problems: list[str]) -> None:
            if tab.page.locator("main table").count() < 1:
                problems.append("the cluster's page has no table of its schools")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="officer-cluster", path=href, extra=members)

    def generate_bad_time():
        landing = go(tab, run.base_url, "/meetings")
        if landing.status != 200:
            raise Broken(f"GET /meetings answered {landing.status}")
        tab.page.fill("#startsAt", "25:00")
        tab_to(tab, 'form[action="/meetings/generate"] button[type="submit"]', 'the "Generate meetings" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#startsAt") != "25:00":
                problems.append("the start time typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="officer-meetings-errors", path="/meetings/generate", errors=["#startsAt"], extra=kept)

    def first_meeting():
        landing = go(tab, run.base_url, "/meetings?status=scheduled")
        if landing.status != 200:
            raise Broken(f"GET /meetings answered {landing.status}")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/meetings/"]'); return a && a.getAttribute('href'); }""")
        if not href:
            raise Broken("no link to a meeting in the table on /meetings?status=scheduled")

        def cut_off(problems: list[str]) -> None:
            if "Submissions close" not in tab.page.locator("main").inner_text():
                problems.append("the meeting's page shows no submission cut-off")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="officer-meeting", path=href, extra=cut_off)

    def move_meeting_to_saturday():
        path = tab.page.url.split(run.base_url, 1)[-1]
        tab.page.fill("#meetsOn", "2026-12-05")
        tab_to(tab, f'form[action="{path}"] button[type="submit"]', 'the "Save changes" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-meeting-errors", path=path, errors=["#meetsOn"])

    def first_agenda():
        landing = go(tab, run.base_url, "/meetings")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/meetings/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to a meeting in the table on /meetings")

        def printable(problems: list[str]) -> None:
            if "Agenda" not in tab.page.locator("h1").first.inner_text():
                problems.append("the agenda page has no Agenda heading")

        return run.audit(tab, go(tab, run.base_url, href + "/agenda"), status=200, shot="officer-agenda", path=href + "/agenda", extra=printable)

    funding_year = date.today().year if date.today().month >= 4 else date.today().year - 1

    def budget_confirmed():
        path = f"/budgets/{funding_year}"

        def allocated(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "£1,400,000.00" not in text or "Confirmed" not in text:
                problems.append("the demo funding year's budget does not show £1,400,000.00 confirmed")
            if tab.page.locator('main svg[role="img"] title').count() != 1 or tab.page.locator("main table tbody tr").count() != 7:
                problems.append("the budget has no labelled chart, or not one row per each of the 7 demo clusters")

        return run.audit(tab, go(tab, run.base_url, path), status=200, shot="officer-budget", path=path, extra=allocated)

    def move_money_unchosen():
        path = f"/budgets/{funding_year}"
        tab.page.fill("#amount", "500")
        tab_to(tab, f'form[action="{path}/adjustments"] button[type="submit"]', 'the "Move the money" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#amount") != "500":
                problems.append("the sum typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="officer-budget-errors", path=f"{path}/adjustments", errors=["#toClusterId"], extra=kept)

    def next_year_bad_total():
        path = f"/budgets/{funding_year + 1}"
        landing = go(tab, run.base_url, path)
        if landing.status != 200:
            raise Broken(f"GET {path} answered {landing.status}")
        tab.page.fill("#total", "lots")
        tab_to(tab, f'form[action="{path}"] button[type="submit"]', 'the "Save and preview" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#total") != "lots":
                problems.append("the total typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="officer-budget-new-errors", path=path, errors=["#total"], extra=kept)

    def first_ledger():
        landing = go(tab, run.base_url, f"/budgets/{funding_year}")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href*="/ledger?"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to a cluster's ledger on the budget's page")

        def entries(problems: list[str]) -> None:
            if tab.page.locator("main table tbody tr").count() < 2 or tab.page.locator('a[href*="/ledger.csv?"]').count() != 1:
                problems.append("the ledger shows fewer than the allocation and reserve entries, or no CSV link")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="officer-ledger", path=href, extra=entries)

    def first_school():
        landing = go(tab, run.base_url, "/schools")
        if landing.status != 200:
            raise Broken(f"GET /schools answered {landing.status}")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/schools/"]'); return a && a.getAttribute('href'); }""")
        if not href:
            raise Broken("no link to a school in the table on /schools")

        def figures(problems: list[str]) -> None:
            if "January" not in tab.page.locator("main").inner_text():
                problems.append("the school's page shows no census figures")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="officer-school", path=href, extra=figures)

    def settings_bad_code():
        landing = go(tab, run.base_url, "/settings")
        if landing.status != 200:
            raise Broken(f"GET /settings answered {landing.status}")
        tab.page.fill("#laCode", "12")
        tab_to(tab, 'form[action="/settings"] button[type="submit"]', 'the "Save settings" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#laCode") != "12":
                problems.append("the LA code typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="officer-settings-errors", path="/settings", errors=["#laCode"], extra=kept)

    def referral_timeliness():
        def counted(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "with a deadline missed" not in text or tab.page.locator("main table tbody tr").count() < 10:
                problems.append("the timeliness list shows no counts, or fewer than the demo's referrals")

        return run.audit(tab, go(tab, run.base_url, "/referrals"), status=200, shot="officer-referrals", path="/referrals", extra=counted)

    def referral_decisions_bad():
        landing = go(tab, run.base_url, "/referrals?standing=pending")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/pupils/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no open referral on /referrals?standing=pending")
        landing = go(tab, run.base_url, href.split("#")[0])
        edit = tab.page.evaluate("""() => { const a = document.querySelector('main a[href*="/referrals/"][href$="/edit"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not edit:
            raise Broken("the pupil's page offers an officer no way to record the council's decisions")
        go(tab, run.base_url, edit)
        tab.page.select_option("#decision", "assess")
        tab.page.fill("#decidedOn", "")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the referral" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#decision") != "assess":
                problems.append("the decision chosen is not kept after the error")

        return run.audit(tab, landing, status=422, shot="officer-referral-errors", path=edit.removesuffix("/edit"), errors=["#decidedOn"], extra=kept)

    def subject_access_export():
        landing = go(tab, run.base_url, "/pupils")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/pupils/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to a pupil in the table on /pupils")

        def everything(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "Everything held on" not in text or "pupil.viewed" not in text or tab.page.locator('a[href$="/export.json"]').count() != 1:
                problems.append("the export shows no audit of reads, or no JSON download")

        return run.audit(tab, go(tab, run.base_url, href + "/export"), status=200, shot="officer-pupil-export", path=href + "/export", extra=everything)

    def chair_return_without_questions():
        landing = go(tab, run.base_url, "/requests?state=scheduled")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/requests/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no scheduled request in the table on /requests?state=scheduled")
        landing = go(tab, run.base_url, href)
        if tab.page.locator("#questions").count() != 1:
            raise Broken(f"the chair is offered no way to return {href} with questions")
        tab_to(tab, 'form[action$="/actions/return"] button[type="submit"]', 'the "Return to the school with questions" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="officer-return-errors", path=href + "/actions/return", errors=["#questions"])

    def sign_out():
        go(tab, run.base_url, "/account")
        tab_to(tab, 'form[action="/sign-out"] button', 'the "Sign out" button')
        landing = press_and_wait(tab, "Enter")
        session_after = [c for c in context.cookies() if c["name"] == "cf_session" and c["value"]]
        problems, notes = run.audit(tab, landing, status=200, shot="officer-signed-out", path="/sign-in")
        if session_after:
            problems.append("the cf_session cookie is still set after signing out")
        after = go(tab, run.base_url, "/account")
        if after.path != "/sign-in" or not after.redirected:
            problems.append(f"after signing out, GET /account ended at {after.path} (HTTP {after.status}), "
                            "expected a redirect to /sign-in")
        return problems, notes

    run.journey("officer", [
        ("sign in by keyboard, then / (expect 200)", sign_in),
        ("/account (expect 200)", visit("/account")),
        ('"Change your password" submitted empty (error summary, expect 422)', change_password_empty),
        ("/users (expect 200)", visit("/users", extra=has_table)),
        ("/users/new (expect 200)", visit("/users/new")),
        ('"Add a user" submitted empty (error summary, expect 422)', add_user_empty),
        ("/users/{id}, the first active user on /users (expect 200)", first_user),
        ('/users/{id} after "Issue a set-password link" (expect 200)', issue_link),
        ("the issued /set-password link, opened anonymously (expect 200)", open_link),
        (f"deactivate {WRONG_PASSWORD_ACCOUNT} by keyboard (expect 200, with a Reactivate button)", deactivate),
        (f"reactivate {WRONG_PASSWORD_ACCOUNT} by keyboard (expect 200, Active again)", reactivate),
        ("/audit (expect 200)", visit("/audit", extra=has_table)),
        ("/audit filtered with an unreadable date (error summary, expect 422)", audit_bad_date),
        ("/audit filtered by keyboard by who (a command) and what (a school's name) (expect 200)", audit_by_names),
        ("/clusters (expect 200, the clusters' make-up in a table)", visit("/clusters", extra=has_table)),
        ('"Add a cluster" submitted without a name (error summary, expect 422)', add_cluster_empty),
        ("/clusters/{id}, the first cluster on /clusters (expect 200, its schools)", first_cluster),
        ("/meetings (expect 200, this year's meetings in a table)", visit("/meetings", extra=has_table)),
        ('"Generate meetings" submitted with the time 25:00 (error summary, expect 422)', generate_bad_time),
        ("/meetings/{id}, the first scheduled meeting on /meetings (expect 200, with its cut-off)", first_meeting),
        ('"Change the meeting" submitted with a Saturday (error summary, expect 422)', move_meeting_to_saturday),
        ("/meetings/{id}/agenda, the first meeting's printable agenda (expect 200)", first_agenda),
        ("/schools (expect 200, a sortable table)", visit("/schools", extra=has_table)),
        ("/schools sorted by cluster, descending (expect 200)", visit("/schools?sort=cluster&order=desc", extra=has_table)),
        ('"Add a school" submitted empty (error summary, expect 422)', add_school_empty),
        ("/schools/{id}, the first school on /schools (expect 200, with its figures)", first_school),
        ("/trusts (expect 200)", visit("/trusts", extra=has_table)),
        ("/schools/import, the upload form (expect 200)", visit("/schools/import")),
        ("/settings (expect 200)", visit("/settings")),
        ("/settings submitted with a two-digit LA code (error summary, expect 422)", settings_bad_code),
        ("/calendar (expect 200, the term dates in a table)", visit("/calendar", extra=has_table)),
        ("/pupils (expect 200, every school's pupils in a table)", visit("/pupils", extra=has_table)),
        ("/budgets (expect 200, the funding years in a table)", visit("/budgets", extra=has_table)),
        ("/budgets/{this funding year}, the demo council's confirmed £1,400,000.00 with its chart (expect 200)", budget_confirmed),
        ('"Move the money" submitted with no cluster chosen (error summary, expect 422)', move_money_unchosen),
        ('/budgets/{next funding year} submitted with the total "lots" (error summary, expect 422)', next_year_bad_total),
        ("/clusters/{id}/ledger, the first cluster's ledger from the budget (expect 200, its entries)", first_ledger),
        ("/referrals, the EHC needs assessment timeliness list with the demo's dozen (expect 200)", referral_timeliness),
        ('"Record the council\'s decisions" with a decision and no date (error summary, expect 422)', referral_decisions_bad),
        ("/pupils/{id}/export, everything held on the first pupil (expect 200, reads included)", subject_access_export),
        ("/requests (expect 200, every school's requests with the counts)", visit("/requests", extra=has_table)),
        ('a scheduled request, "Return to the school" with no questions (error summary, expect 422)', chair_return_without_questions),
        ("sign out with the header button, then /account goes to /sign-in", sign_out),
    ])
    tab.page.close()


def senco_journey(run: Runner, context, password: str) -> None:
    tab = Tab.open(context)

    def sign_in():
        landing = sign_in_by_keyboard(tab, run.base_url, SENCO, password)
        landing = finish_sign_in(run, tab, landing, "SENCo", SENCO)
        if landing.path != "/":
            raise Broken(f"signing in as {SENCO} by keyboard ended at {landing.path} (HTTP {landing.status})")

        def senco_home(problems: list[str]) -> None:
            if "SENCo" not in tab.page.locator("main").inner_text():
                problems.append("the home page shows no SENCo card")
            if tab.page.locator('nav a[href="/users"]').count():
                problems.append("the menu offers Users to a SENCo")

        return run.audit(tab, landing, status=200, shot="senco-home", path="/", extra=senco_home)

    def users_forbidden():
        landing = go(tab, run.base_url, "/users")

        def not_allowed(problems: list[str]) -> None:
            if "Not allowed" not in tab.page.locator("h1").first.inner_text():
                problems.append('the <h1> does not say "Not allowed"')
            # The error page is still a page of the signed-in service: same header, same way out.
            if tab.page.locator('form[action="/sign-out"] button').count() != 1 \
                    or tab.page.locator('header a[href="/sign-in"]').count():
                problems.append("the header of the 403 page is the signed-out one (a Sign in link, no Sign out "
                                "button) although the SENCo is signed in")

        return run.audit(tab, landing, status=403, shot="senco-users-forbidden", path="/users", extra=not_allowed)

    def no_link(href: str):
        def check(problems: list[str]) -> None:
            if tab.page.locator(f'a[href="{href}"]').count():
                problems.append(f"a SENCo is offered the link to {href}")
        return check

    def no_form(action: str):
        def check(problems: list[str]) -> None:
            if tab.page.locator(f'form[action="{action}"]').count():
                problems.append(f"a SENCo is offered the form that posts to {action}")
        return check

    def senco_add_pupil_bad_upn():
        landing = go(tab, run.base_url, "/pupils/new")
        if landing.status != 200:
            raise Broken(f"GET /pupils/new answered {landing.status}")
        tab.page.fill("#upn", "A000000000001")
        tab.page.fill("#givenNames", "Test")
        tab.page.fill("#familyName", "Pupil")
        tab.page.fill("#dateOfBirth", "2018-10-15")
        tab_to(tab, 'form[action="/pupils"] button[type="submit"]', 'the "Add the pupil" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#upn") != "A000000000001" or tab.page.input_value("#familyName") != "Pupil":
                problems.append("the UPN and name typed are not kept after the error")

        return run.audit(tab, landing, status=422, shot="senco-pupil-errors", path="/pupils", errors=["#upn"], extra=kept)

    def senco_first_pupil():
        landing = go(tab, run.base_url, "/pupils")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/pupils/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to a pupil in the table on /pupils")

        def record(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "UPN" not in text or "Change the record" not in text:
                problems.append("the pupil's page shows no UPN or no link to change the record")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="senco-pupil", path=href, extra=record)

    def senco_consent_bad_date():
        landing = go(tab, run.base_url, "/pupils")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/pupils/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to a pupil in the table on /pupils")
        landing = go(tab, run.base_url, href + "/consents/new")
        if landing.status != 200:
            raise Broken(f"GET {href}/consents/new answered {landing.status}")
        tab.page.select_option("#purpose", "ep_involvement")
        tab.page.fill("#givenByName", "Test Parent")
        tab.page.fill("#givenOn", "31/02/2026")
        tab.page.fill("#evidenceReference", "Form 1")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the record" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#givenByName") != "Test Parent" or tab.page.input_value("#evidenceReference") != "Form 1":
                problems.append("the name and evidence typed are not kept after the error")

        return run.audit(tab, landing, status=422, shot="senco-consent-errors", path=href + "/consents", errors=["#givenOn"], extra=kept)

    def senco_consent_saved():
        tab.page.fill("#givenOn", "02/11/2026")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the record" button')
        landing = press_and_wait(tab, "Enter")

        def history(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "Test Parent (parent)" not in text or "Educational psychologist involvement" not in text:
                problems.append("the pupil's page does not show the consent just recorded in its history")

        return run.audit(tab, landing, status=200, shot="senco-pupil-consent", path=landing.path, extra=history)

    def senco_referral_empty():
        page_path = tab.page.url.split(run.base_url, 1)[-1].split("#")[0]
        landing = go(tab, run.base_url, page_path + "/referrals/new")
        if landing.status != 200:
            raise Broken(f"GET {page_path}/referrals/new answered {landing.status}")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the referral" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=422, shot="senco-referral-errors", path=page_path + "/referrals", errors=["#receivedOn"])

    def senco_transfer_miss():
        landing = go(tab, run.base_url, "/pupils/transfer")
        if landing.status != 200:
            raise Broken(f"GET /pupils/transfer answered {landing.status}")
        tab.page.fill("#upn", "A000000000001")
        tab.page.fill("#dateOfBirth", "15/10/2018")
        tab_to(tab, 'main form button[type="submit"]', 'the "Ask for the record" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#upn") != "A000000000001" or tab.page.input_value("#dateOfBirth") != "15/10/2018":
                problems.append("the UPN and date of birth typed are not kept after the error")

        return run.audit(tab, landing, status=422, shot="senco-transfer-errors", path="/pupils/transfer", errors=["#upn"], extra=kept)

    def senco_cluster_money():
        landing = go(tab, run.base_url, "/clusters")
        href = tab.page.evaluate("""() => { const a = document.querySelector('main table a[href^="/clusters/"]'); return a && a.getAttribute('href'); }""")
        if landing.status != 200 or not href:
            raise Broken("no link to the SENCo's cluster on /clusters")

        def money(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "Money in funding year" not in text or "Available for awards" not in text:
                problems.append("the SENCo's cluster page does not show this funding year's money")
            if tab.page.locator('a[href*="/ledger"]').count():
                problems.append("a SENCo is offered the link to the ledger")

        return run.audit(tab, go(tab, run.base_url, href), status=200, shot="senco-cluster", path=href, extra=money)

    run.journey("SENCo", [
        ("sign in by keyboard, then / (expect 200)", sign_in),
        ("/users (not allowed, expect 403)", users_forbidden),
        ("/settings, read only (expect 200)", lambda: run.audit(tab, go(tab, run.base_url, "/settings"), status=200,
                                                                 shot="senco-settings", path="/settings", extra=no_form("/settings"))),
        ("/calendar (expect 200)", lambda: run.audit(tab, go(tab, run.base_url, "/calendar"), status=200,
                                                     shot="senco-calendar", path="/calendar")),
        ("/clusters, their own only, without the officers' forms (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/clusters"), status=200, shot="senco-clusters", path="/clusters",
                           extra=no_form("/clusters/copy-year"))),
        ("/budgets (not allowed, expect 403)", lambda: run.audit(tab, go(tab, run.base_url, "/budgets"), status=403,
                                                                shot="senco-budgets-forbidden", path="/budgets")),
        ("/clusters/{id}, their cluster, with this funding year's money (expect 200)", senco_cluster_money),
        ("/pupils, their school's pupils in a table (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/pupils"), status=200, shot="senco-pupils", path="/pupils")),
        ('"Add a pupil" submitted with a wrong check letter (error summary, expect 422)', senco_add_pupil_bad_upn),
        ("/pupils/{id}, the first pupil on /pupils (expect 200, with its UPN)", senco_first_pupil),
        ('"Record consent" for the first pupil with the date 31/02/2026 (error summary, expect 422)', senco_consent_bad_date),
        ("the same form with the date corrected, back on the pupil's page (expect 200, the record in the history)", senco_consent_saved),
        ('"Record an EHC needs assessment request" submitted without a date (error summary, expect 422)', senco_referral_empty),
        ("/transfers, the moves from and to their school (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/transfers"), status=200, shot="senco-transfers", path="/transfers")),
        ('"A pupil joining from another school" with a wrong check letter (error summary, expect 422)', senco_transfer_miss),
        ("/meetings, their cluster's, without the officers' form (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/meetings"), status=200, shot="senco-meetings", path="/meetings",
                           extra=no_form("/meetings/generate"))),
        ("/schools, their cluster's only, without the officers' buttons (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/schools"), status=200, shot="senco-schools", path="/schools",
                           extra=no_link("/schools/new"))),
    ])
    tab.page.close()


def field(name: str) -> str:
    """A CSS selector for the field with this id (ids like lines/0/unitCost hold slashes)."""
    return f'[id="{name}"]'


def type_into(tab: Tab, name: str, text: str) -> None:
    """Tabs to a field and types, as a keyboard user would (a select takes the typed text as its type-ahead)."""
    tab_to(tab, field(name), f"the {name} field")
    tab.page.keyboard.press("Control+A")
    tab.page.keyboard.type(text)


def requests_journey(run: Runner, new_context, password: str) -> None:
    """A SENCo writes a project request by keyboard alone, one step a page, gets a refused cost back with its input
    kept, checks the answers and submits; the headteacher endorses it from the queue; the EP logs advice."""
    context = new_context()
    tab = Tab.open(context)
    made: dict[str, str] = {}
    title = "Keyboard project " + str(int(time.time()))

    def sign_in(email: str, journey: str):
        def step():
            landing = finish_sign_in(run, tab, sign_in_by_keyboard(tab, run.base_url, email, password), journey, email)
            if landing.path != "/":
                raise Broken(f"signing in as {email} by keyboard ended at {landing.path} (HTTP {landing.status})")
            return run.audit(tab, landing, status=200, shot=f"{slug(journey)}-home", path="/")
        return step

    def continue_by_keyboard() -> Landing:
        tab_to(tab, 'main form button[value="continue"]', 'the "Save and continue" button')
        return press_and_wait(tab, "Enter")

    def dashboard(problems: list[str]) -> None:
        text = tab.page.locator("main").inner_text()
        if "Waiting for you" not in text or "Next planning meetings" not in text:
            problems.append("the requests page shows no counts or no next planning meetings")

    def start():
        landing = go(tab, run.base_url, "/requests/new")
        if landing.status != 200:
            raise Broken(f"GET /requests/new answered {landing.status}")
        type_into(tab, "type", "Project")
        type_into(tab, "title", title)
        tab_to(tab, 'main form button[type="submit"]', 'the "Save and continue" button')
        landing = press_and_wait(tab, "Enter")
        if not landing.path.endswith("/edit/about"):
            raise Broken(f"starting a request ended at {landing.path} (HTTP {landing.status})")
        made["request"] = landing.path.rsplit("/edit/", 1)[0]
        return run.audit(tab, landing, status=200, shot="requests-about", path=landing.path)

    def about():
        type_into(tab, "need", "Staff across the cluster lack confidence with attention and autism.")
        type_into(tab, "tried", "Each school assessed its needs, planned in-house sessions and reviewed them.")
        type_into(tab, "termsAsked", "2")
        tab_to(tab, field("area-communication_and_interaction"), "the communication and interaction checkbox")
        tab.page.keyboard.press("Space")
        type_into(tab, "cohort", "About 40 pupils in Key Stages 1 and 2.")
        landing = continue_by_keyboard()
        return run.audit(tab, landing, status=200, shot="requests-schools", path=made["request"] + "/edit/schools")

    def schools():
        landing = continue_by_keyboard()
        return run.audit(tab, landing, status=200, shot="requests-outcomes", path=made["request"] + "/edit/outcomes")

    def outcomes():
        type_into(tab, "outcomes/0/outcome", "Staff use the strategies daily")
        type_into(tab, "outcomes/0/measure", "Lesson observations")
        type_into(tab, "outcomes/0/baseline", "One in five lessons")
        type_into(tab, "outcomes/0/target", "Four in five lessons")
        landing = continue_by_keyboard()
        return run.audit(tab, landing, status=200, shot="requests-costs", path=made["request"] + "/edit/costs")

    def costs_refused():
        type_into(tab, "lines/0/category", "Training")
        type_into(tab, "lines/0/description", "A training day for the cluster")
        type_into(tab, "lines/0/unitCost", "lots")
        type_into(tab, "lines/0/quantity", "1")
        type_into(tab, "lines/0/funder", "The cluster")
        landing = continue_by_keyboard()

        def kept(problems: list[str]) -> None:
            if tab.page.input_value(field("lines/0/unitCost")) != "lots" or tab.page.input_value(field("lines/0/description")) != "A training day for the cluster":
                problems.append("the line typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="requests-costs-errors", path=made["request"] + "/edit/costs",
                         errors=["#lines/0/unitCost"], extra=kept)

    def costs_saved():
        type_into(tab, "lines/0/unitCost", "450")
        landing = continue_by_keyboard()
        return run.audit(tab, landing, status=200, shot="requests-documents", path=made["request"] + "/edit/documents")

    def check_answers():
        type_into(tab, "documents/0/title", "Training needs survey")
        type_into(tab, "documents/0/keptAt", "Cluster shared drive, SEND folder")
        landing = continue_by_keyboard()

        def answers(problems: list[str]) -> None:
            text = tab.page.locator("main").inner_text()
            if "£450.00" not in text or "Submit the request" not in text or "Staff use the strategies daily" not in text \
                    or "Communication and interaction" not in text:
                problems.append("check your answers does not show the cost, the outcome, the area of need and the Submit button")

        return run.audit(tab, landing, status=200, shot="requests-check", path=made["request"], extra=answers)

    def submit():
        tab_to(tab, 'form[action$="/actions/submit"] button', 'the "Submit the request" button')
        landing = press_and_wait(tab, "Enter")

        def submitted(problems: list[str]) -> None:
            if "Submitted" not in tab.page.locator("main").inner_text():
                problems.append("the request does not say it is submitted")

        return run.audit(tab, landing, status=200, shot="requests-submitted", path=made["request"], extra=submitted)

    def sign_out():
        go(tab, run.base_url, "/account")
        tab_to(tab, 'form[action="/sign-out"] button', 'the "Sign out" button')
        landing = press_and_wait(tab, "Enter")
        return run.audit(tab, landing, status=200, shot="requests-signed-out", path="/sign-in")

    def queue():
        landing = go(tab, run.base_url, "/requests?waiting=1")

        def listed(problems: list[str]) -> None:
            if title not in tab.page.locator("main").inner_text():
                problems.append("the headteacher's queue does not hold the request just submitted")

        return run.audit(tab, landing, status=200, shot="head-queue", path="/requests?waiting=1", extra=listed)

    def endorse():
        go(tab, run.base_url, made["request"])
        tab_to(tab, 'form[action$="/actions/endorse"] button', 'the "Endorse your school\'s part" button')
        landing = press_and_wait(tab, "Enter")

        def scheduled(problems: list[str]) -> None:
            if "Scheduled" not in tab.page.locator("main").inner_text():
                problems.append("the endorsed request is not scheduled")

        return run.audit(tab, landing, status=200, shot="head-endorsed", path=made["request"], extra=scheduled)

    def caseload(problems: list[str]) -> None:
        if title not in tab.page.locator("main").inner_text():
            problems.append("the EP's caseload does not hold the cluster's new request")

    def advice_empty():
        landing = go(tab, run.base_url, made["request"] + "/advice/new")
        if landing.status != 200:
            raise Broken(f"GET {made['request']}/advice/new answered {landing.status}")
        type_into(tab, "summary", "Met the SENCos; the plan is well matched.")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the advice" button')
        landing = press_and_wait(tab, "Enter")

        def kept(problems: list[str]) -> None:
            if tab.page.input_value("#summary") != "Met the SENCos; the plan is well matched.":
                problems.append("the summary typed is not kept after the error")

        return run.audit(tab, landing, status=422, shot="ep-advice-errors", path=made["request"] + "/advice", errors=["#givenOn", "#kind"], extra=kept)

    def advice_saved():
        type_into(tab, "givenOn", time.strftime("%d/%m/%Y"))
        type_into(tab, "kind", "Consultation")
        tab_to(tab, 'main form button[type="submit"]', 'the "Save the advice" button')
        landing = press_and_wait(tab, "Enter")

        def shown(problems: list[str]) -> None:
            if "Met the SENCos; the plan is well matched." not in tab.page.locator("main").inner_text():
                problems.append("the request does not show the advice just logged")

        return run.audit(tab, landing, status=200, shot="ep-advice-saved", path=made["request"], extra=shown)

    run.journey("requests", [
        ("SENCo: sign in by keyboard (expect 200)", sign_in(SENCO, "requests SENCo")),
        ("SENCo: /requests, the dashboard with counts, cut-offs and the school's requests (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, "/requests"), status=200, shot="requests-dashboard", path="/requests", extra=dashboard)),
        ('"Start a request" by keyboard: a project, then its first step (expect 200)', start),
        ("the need, what was tried, terms and cohort, by keyboard (expect the partner schools step, 200)", about),
        ("no partner schools (expect the outcomes step, 200)", schools),
        ("one outcome with its measure, baseline and target (expect the costs step, 200)", outcomes),
        ('a line costing "lots" (error summary, input kept, expect 422)', costs_refused),
        ("the cost corrected (expect the documents step, 200)", costs_saved),
        ("a document by reference: check your answers (expect 200)", check_answers),
        ("submit by keyboard (expect 200, submitted)", submit),
        ("SENCo: sign out", sign_out),
        ("headteacher: sign in by keyboard (expect 200)", sign_in(HEADTEACHER, "requests headteacher")),
        ("headteacher: /requests?waiting=1, the endorsement queue (expect 200, the new request)", queue),
        ("headteacher: endorse by keyboard (expect 200, scheduled)", endorse),
        ("headteacher: sign out", sign_out),
        ("EP: sign in by keyboard (expect 200)", sign_in(PSYCHOLOGIST, "requests EP")),
        ("EP: /advice, the caseload and follow-ups (expect 200, the new request)",
         lambda: run.audit(tab, go(tab, run.base_url, "/advice"), status=200, shot="ep-caseload", path="/advice", extra=caseload)),
        ('"Log advice" with no date or kind (error summary, input kept, expect 422)', advice_empty),
        ("the advice completed, back on the request (expect 200, the advice shown)", advice_saved),
        ("EP: the meeting's agenda from the request (expect 200)",
         lambda: run.audit(tab, go(tab, run.base_url, tab.page.evaluate("""() => document.querySelector('a[href$="/agenda"]').getAttribute('href')""")),
                           status=200, shot="ep-agenda")),
    ])
    tab.page.close()
    context.close()


def reexec_in_venv() -> None:
    """Run with the venv's Python (where Playwright lives) even when started as ./browser_check.py."""
    venv_python = REPO / ".data" / "venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (REPO / ".data" / "venv").resolve() and venv_python.exists():
        os.execv(str(venv_python), [str(venv_python), *sys.argv])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base_url = argv[1]
    password = os.environ.get("CLUSTERFUND_DEMO_PASSWORD", "")
    if not password:
        print("browser: CLUSTERFUND_DEMO_PASSWORD is not set: it must hold the password of the demo accounts "
              "(`clusterfund demo-data --demo` sets it; scripts/test exports it)", file=sys.stderr)
        print("browser: 0 passed, 1 failed")
        return 1
    reexec_in_venv()

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    shots_env = os.environ.get("BROWSER_SCREENSHOTS", str(REPO / ".data" / "browser-screenshots"))
    shots = Path(shots_env) if shots_env else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)

    args = ["--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    run = Runner(base_url, Axe(), shots)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=args)
        print(f"browser: checking {base_url} with chromium {browser.version}")

        def new_context():
            # bypass_csp: axe-core is injected into the page; a strict CSP must not block it.
            return browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="en-GB")

        anonymous = new_context()
        anonymous_journey(run, anonymous)
        officer = new_context()
        officer_journey(run, officer, anonymous, password)
        officer.close()
        anonymous.close()
        senco = new_context()
        senco_journey(run, senco, password)
        senco.close()
        requests_journey(run, new_context, password)
        browser.close()
    if shots is not None:
        print(f"browser: screenshots in {shots}")
    print(f"browser: {run.passed} passed, {run.failed} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
