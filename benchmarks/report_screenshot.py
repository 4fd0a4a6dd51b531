"""A screenshot of the HTML report in headless Chromium, with checks that it stands alone.

    python benchmarks/report_screenshot.py LOGS --out DIR [--chromium /usr/bin/chromium]

Writes `inspect-market report LOGS --format html` into DIR, opens DIR/index.html from disk in
headless Chromium (Playwright, the `view` extra, the system browser: no `playwright install`)
and saves the whole page as DIR/screenshot.png. Prints the page's height and how many tables
are wider than the page (they scroll sideways in their box); exits 1 if the page asked for
anything not on disk or an image did not load.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

from inspect_market.report import load_logs, write_report

VIEWPORT = ViewportSize(width=1400, height=900)
BROKEN_IMAGES_JS = (
    "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
)
WIDE_TABLES_JS = (
    "Array.from(document.querySelectorAll('.scroll'))"
    ".filter(d => d.scrollWidth > d.clientWidth).length"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", help="log files or directories")
    parser.add_argument("--out", type=Path, required=True, help="report directory")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="browser executable")
    args = parser.parse_args(argv)
    index = write_report(load_logs(args.logs), args.out, "html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(index.resolve().as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(args.out / "screenshot.png"), full_page=True)
        remote = [url for url in fetched if not url.startswith("file://")]
        broken = page.evaluate(BROKEN_IMAGES_JS)
        print(f"page height {page.evaluate('document.body.scrollHeight')} px")
        print(f"tables scrolling sideways: {page.evaluate(WIDE_TABLES_JS)}")
        browser.close()
    for problem, found in (("fetched from the network", remote), ("broken images", broken)):
        if found:
            print(f"{problem}: {', '.join(found)}", file=sys.stderr)
    return 1 if remote or broken else 0


if __name__ == "__main__":
    sys.exit(main())
