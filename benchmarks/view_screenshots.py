"""Screenshots of `inspect view` on short offline runs of every protocol, read back from the DOM.

    python benchmarks/view_screenshots.py --out SHOTS_DIR [--data-path TruthfulQA.csv]

Runs every protocol of the package on a few TruthfulQA rows with the offline `simulated` model
into a temporary log dir, serves it with `inspect view`, and drives headless Chromium with
Playwright (the `view` extra; no `playwright install`: it launches the system browser,
`--chromium`). Saves `log_list.png` (the log list), `log.png` (the market-making log: headline
metrics, samples), `transcript.png` (its first sample's transcript, one `round N` span per
judgment), `scoring.png` (that sample's Scoring tab), `debate_transcript.png` (a debate
sample's transcript: the two debaters' concurrent turns, each in a span named for its role)
and `mc_market_log.png`, `mc_market_transcript.png`, `mc_market_scoring.png` (a prediction
market on questions with K options: its log, a sample's rounds and its per-option scores);
prints each log row's SCORE, TAGS and TASK ARGS cells beside the log's first metric. Exits 1 if
a page does not render. The server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspect_ai import eval
from inspect_ai.log import EvalLog
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from inspect_market.solvers import protocol_name
from inspect_market.solvers.registry import PACKAGE_PROTOCOLS

PROTOCOLS = tuple(protocol_name(factory) for factory in PACKAGE_PROTOCOLS)
SHARED_DATA = Path(
    os.environ.get(
        "INSPECT_MARKET_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)
VIEWPORT = ViewportSize(width=1600, height=1000)
MAX_HEIGHT = 20000  # px: cap of the tall viewport used to capture a whole scrolled pane
LOAD_ATTEMPTS = 10
LOAD_TIMEOUT_MS = 8000  # filled rows take about 2 s
ROW = "[role=grid][aria-label='Evaluation logs'] a[role=row]"
SAMPLE_ROWS = "[role=grid][aria-label='Samples'] a[role=row]"
_ROWS_LOADED_JS = """([sel, n]) => { const rows = document.querySelectorAll(sel);
    return rows.length >= n && Array.from(rows).every(r =>
        r.querySelector('[data-col-id=totalSamples]')?.textContent.trim() !== '-'); }"""
# The largest overflow of any scroll container: how much taller the viewport must be to show it.
_OVERFLOW_JS = """() => Math.max(0, ...Array.from(document.querySelectorAll('*'),
    e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)
        ? e.scrollHeight - e.clientHeight : 0))"""


class RenderError(Exception):
    """A viewer page did not show what it should."""


def run_evals(log_dir: Path, data_path: Path, limit: int) -> dict[str, EvalLog]:
    """One short simulated eval per protocol, and a prediction market on K-option questions
    (`format=mc`); the logs keyed by file name."""
    logs: dict[str, EvalLog] = {}
    runs = [{"solver": protocol} for protocol in PROTOCOLS]
    for args in [*runs, {"solver": "prediction_market", "format": "mc"}]:
        [log] = eval(
            "inspect_market/truthfulqa",
            model="simulated/default",
            model_args={"converge_after": 3},
            task_args={**args, "data_path": str(data_path)},
            limit=limit,
            log_dir=str(log_dir),
            display="none",
        )
        if log.status != "success":
            raise RenderError(f"{args} eval ended with status {log.status}: {log.error}")
        logs[Path(log.location).name] = log
    return logs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_server(url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll `url` until it answers 200; fail if the server exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RenderError(f"inspect view exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise RenderError(f"inspect view did not answer at {url} within {timeout:g} s")


def first_metric(log: EvalLog) -> str:
    if not log.results or not log.results.scores:
        return "-"
    name, metric = next(iter(log.results.scores[0].metrics.items()))
    return f"{name}={metric.value:.3g}"


def open_log_list(browser: Browser, url: str, rows: int) -> Page:
    """A page showing the log list with all `rows` rows filled in.

    Rows fill in two passes ("-" cells, then "Syncing data..."); a sample count means both
    ended. inspect view 0.3.285 leaves about one row in four half-filled for good (all its
    requests answered 200; a reload does not help): retry in a fresh browser context.
    """
    for attempt in range(1, LOAD_ATTEMPTS + 1):
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(url)
        try:
            page.wait_for_function(_ROWS_LOADED_JS, arg=[ROW, rows], timeout=LOAD_TIMEOUT_MS)
            return page
        except PlaywrightTimeoutError:
            print(f"log list: rows not filled in {LOAD_TIMEOUT_MS} ms (load {attempt}), retrying")
            page.context.close()
    raise RenderError(f"log list rows not filled in {LOAD_ATTEMPTS} fresh loads")


def shoot_log_list(page: Page, out: Path, logs: dict[str, EvalLog]) -> dict[str, str]:
    """Screenshot the log list, print each row's cells; return each protocol's log URL."""
    rows = page.locator(ROW)
    page.screenshot(path=out / "log_list.png", full_page=True)
    urls = {}
    print(f"{'SCORE':>8}  {'log first metric':<28}  {'TAGS':<20}  TASK ARGS")
    for row in rows.all():
        href = row.get_attribute("href") or ""
        log = logs.get(href.rsplit("/", 1)[-1])
        score = row.locator("[data-col-id=score]").inner_text().strip()
        tags = row.locator("[data-col-id=tags]").all_inner_texts()
        args = row.locator("[data-col-id=taskArgs]").inner_text().strip()
        shown = " ".join(t.strip() for t in tags) or "-"
        print(f"{score:>8}  {first_metric(log) if log else '?':<28}  {shown:<20}  {args}")
        if log:
            shape = log.eval.task_args.get("format", "binary")
            urls[f"{log.eval.task_args.get('solver')}_{shape}"] = href
    missing = {"market_making_binary", "debate_binary", "prediction_market_mc"} - set(urls)
    if missing:
        raise RenderError(f"no {', '.join(sorted(missing))} row in the log list")
    return urls


def shoot_tall(page: Page, path: Path) -> None:
    """Grow the viewport until the page's scroll panes fit (virtual lists render), then shoot."""
    for _ in range(3):
        extra = int(page.evaluate(_OVERFLOW_JS))
        height = page.viewport_size["height"] if page.viewport_size else VIEWPORT["height"]
        if extra <= 0 or height >= MAX_HEIGHT:
            break
        page.set_viewport_size(
            ViewportSize(width=VIEWPORT["width"], height=min(MAX_HEIGHT, height + extra))
        )
        page.wait_for_timeout(500)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(VIEWPORT)


def shoot_debate(page: Page, log_url: str, out: Path) -> None:
    """Screenshot a debate sample's whole transcript (role-named spans of concurrent turns)."""
    page.goto(f"{log_url}/samples/sample/1/1/transcript")
    page.get_by_role("button", name=re.compile(r"^Collapse .*round 1$")).first.wait_for(
        timeout=30_000
    )
    shoot_tall(page, out / "debate_transcript.png")


def shoot_sample(page: Page, log_url: str, out: Path, prefix: str = "") -> None:
    """Screenshot the log's overview, its first sample's whole transcript and Scoring tab
    (`<prefix>log.png`, `<prefix>transcript.png`, `<prefix>scoring.png`)."""
    page.goto(log_url)
    page.locator(SAMPLE_ROWS).first.wait_for(timeout=30_000)
    page.screenshot(path=out / f"{prefix}log.png", full_page=True)
    sample_url = f"{log_url}/samples/sample/1/1"
    page.goto(f"{sample_url}/transcript")
    round_1 = page.get_by_role("button", name=re.compile(r"^Collapse .*round 1$"))
    round_1.first.wait_for(timeout=30_000)
    shoot_tall(page, out / f"{prefix}transcript.png")
    page.goto(f"{sample_url}/scoring")
    page.locator("#scoring-contents").get_by_text("stop_reason").first.wait_for(timeout=30_000)
    shoot_tall(page, out / f"{prefix}scoring.png")


@contextmanager
def serve(log_dir: Path, timeout: float) -> Iterator[str]:
    """Run `inspect view` on `log_dir` until the block ends; yield its URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "inspect_ai", "view", "--log-dir", str(log_dir)]
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        wait_for_server(url, server, timeout)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def shoot(url: str, out: Path, logs: dict[str, EvalLog], chromium: str) -> None:
    """All three screenshots, in one headless browser."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = open_log_list(browser, url, len(logs))
            urls = shoot_log_list(page, out, logs)
            shoot_sample(page, urls["market_making_binary"], out)
            shoot_debate(page, urls["debate_binary"], out)
            shoot_sample(page, urls["prediction_market_mc"], out, prefix="mc_market_")
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the PNG files")
    parser.add_argument(
        "--data-path",
        type=Path,
        default=SHARED_DATA / "truthfulqa" / "TruthfulQA.csv",
        help="a local TruthfulQA.csv (default: the shared real-data copy)",
    )
    parser.add_argument("--limit", type=int, default=3, help="samples per protocol (default 3)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="browser executable")
    parser.add_argument("--timeout", type=float, default=60.0, help="server start timeout, s")
    args = parser.parse_args(argv)
    if not args.data_path.is_file():
        parser.error(f"no TruthfulQA file at {args.data_path}")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="view_logs_") as log_dir:
            logs = run_evals(Path(log_dir), args.data_path, args.limit)
            with serve(Path(log_dir), args.timeout) as url:
                shoot(url, args.out, logs, args.chromium)
    except (RenderError, PlaywrightError) as e:
        print(f"view_screenshots: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    print(
        f"screenshots in {args.out}: log_list.png log.png transcript.png scoring.png "
        "debate_transcript.png mc_market_log.png mc_market_transcript.png mc_market_scoring.png"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
