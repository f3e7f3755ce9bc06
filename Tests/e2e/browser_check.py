#!/usr/bin/env python3
"""Browser checks of the HTML pages: accessibility (axe-core) and page structure.

Usage: .data/venv/bin/python Tests/e2e/browser_check.py BASE_URL
       (scripts/e2e-tools installs the venv; scripts/test runs this against a live server)

For each page in PAGES, in headless Debian chromium driven by Playwright:
  - the HTTP status is the expected one and the answer is HTML;
  - axe-core finds no violation of impact "serious" or "critical" (lesser ones are printed only);
  - exactly one <main> landmark, at least one <h1>;
  - the first Tab from the top of the page focuses a skip link with href="#main-content",
    and an element with id="main-content" exists;
  - no uncaught JavaScript error.
Exits 1 if any page fails. The last line is `browser: N passed, M failed` (N, M count pages).

Env: CHROMIUM (browser binary, default /usr/bin/chromium), BROWSER_SCREENSHOTS (directory for a
full-page PNG of each page; default <repo>/.data/browser-screenshots; "" to disable).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin


@dataclass(frozen=True)
class Page:
    path: str
    status: int = 200
    name: str = ""


# The pages to check. Add a line per page; `status` is the HTTP status the page must answer with.
PAGES: list[Page] = [
    Page("/", 200, "home"),
    Page("/no-such-page", 404, "not found"),
]

FAILING_IMPACTS = {"serious", "critical"}
SKIP_LINK_HREF = "#main-content"
NAV_TIMEOUT_MS = 15_000

REPO = Path(__file__).resolve().parents[2]


def find_chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("browser: chromium not found (scripts/e2e-tools installs Debian's chromium)")


def check_page(context, base_url: str, spec: Page, axe, shots: Path | None, notes: list[str]) -> list[str]:
    """Returns the problems found on one page (empty: the page passes); appends lesser findings to notes."""
    problems: list[str] = []
    url = urljoin(base_url.rstrip("/") + "/", spec.path.lstrip("/"))
    page = context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        try:
            response = page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
        except Exception as exc:  # connection refused, timeout, ...
            return [f"could not load {url}: {exc}".splitlines()[0]]
        if response is None:
            return [f"no response for {url}"]
        if response.status != spec.status:
            problems.append(f"HTTP status {response.status}, expected {spec.status}")
        ctype = response.headers.get("content-type", "")
        if "text/html" not in ctype:
            problems.append(f"content-type is {ctype!r}, expected text/html")

        # As loaded, before any interaction.
        if shots is not None:
            slug = re.sub(r"[^a-zA-Z0-9]+", "-", spec.path).strip("-") or "home"
            page.screenshot(path=str(shots / f"{slug}.png"), full_page=True)

        # Structure.
        mains = page.evaluate("document.querySelectorAll('main, [role=\"main\"]').length")
        if mains != 1:
            problems.append(f"expected exactly one <main> landmark, found {mains}")
        h1s = page.locator("h1").count()
        if h1s < 1:
            problems.append("no <h1>")
        if page.locator("#main-content").count() != 1:
            problems.append('no element with id="main-content" (the skip link target)')

        # Skip link: the first Tab from the top focuses it.
        page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); }")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                       return e ? {tag: e.tagName.toLowerCase(), href: e.getAttribute('href'),
                                    text: (e.textContent || '').trim()} : null; }"""
        )
        if not focused or focused["tag"] != "a" or focused["href"] != SKIP_LINK_HREF:
            problems.append(
                f'first focusable element is not a skip link to "{SKIP_LINK_HREF}" (Tab focused {focused})'
            )

        # Accessibility: axe-core.
        results = axe.run(page).response
        for v in results.get("violations", []):
            impact = v.get("impact") or "unknown"
            targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in v.get("nodes", []))
            line = f"axe {v['id']} ({impact}): {v.get('help', '')} [{len(v.get('nodes', []))} node(s): {targets}]"
            if impact in FAILING_IMPACTS:
                problems.append(line)
            else:
                notes.append(line)

        if js_errors:
            problems.extend(f"JavaScript error: {e}" for e in js_errors)

    finally:
        page.close()
    return problems


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
    axe = Axe()
    passed = failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=args)
        # bypass_csp: axe-core is injected into the page; a strict CSP must not block it.
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="en-US")
        print(f"browser: checking {len(PAGES)} page(s) at {base_url} with chromium {browser.version}")
        for spec in PAGES:
            label = f"{spec.path} ({spec.name or 'page'}, expect {spec.status})"
            notes: list[str] = []
            try:
                problems = check_page(context, base_url, spec, axe, shots, notes)
            except Exception as exc:  # a broken check must fail loudly, not pass
                problems = [f"check crashed: {type(exc).__name__}: {exc}"]
            if problems:
                failed += 1
                print(f"FAIL {label}")
                for problem in problems:
                    print(f"    - {problem}")
            else:
                passed += 1
                print(f"ok   {label}")
            for note in notes:
                print(f"    note (not failing): {note}")
        context.close()
        browser.close()
    if shots is not None:
        print(f"browser: screenshots in {shots}")
    print(f"browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
