"""The HTML reports in headless Chromium (Playwright driving the system browser, Debian's `chromium`):
they render with no console error and no request beyond the file itself, and a screenshot shows the
dimension charts in their colours. Skipped, saying why, where no Chromium is installed."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.baseline import compare
from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence
from mlops_ladder.assessment.portfolio import assess_portfolio
from mlops_ladder.assessment.render import portfolio
from mlops_ladder.assessment.render.formats import render

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "credit-risk"
PASS_GREEN, FAIL_RED = (0x1A, 0x7F, 0x37), (0xCF, 0x22, 0x2E)  # report.css --pass and --fail

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def test_the_report_renders_without_errors_and_shows_the_charts(browser, tmp_path: Path) -> None:
    report = assess(EXAMPLE, answers=AnswersEvidence.from_values({"MLL-319": "yes", "MLL-208": "no"}))
    report.baseline = compare(report.to_dict(), report, source="main.json")
    path = tmp_path / "report.html"
    path.write_text(render(report, "html"))
    page, problems, requests = open_page(browser, path)
    assert problems == []
    assert requests == [path.as_uri()]  # self-contained: nothing else is fetched
    assert page.locator("svg.chart").count() == len(report.dimensions)
    assert page.locator(".ladder li.reached").count() == report.level
    chart = page.locator(".dim").nth(1)  # Training: core all met, minor partly failed
    pixels = png_pixels(chart.screenshot())
    assert PASS_GREEN in pixels and FAIL_RED in pixels
    shot = page.screenshot(full_page=True)
    assert len(png_pixels(shot)) > 20  # a real, coloured page
    page.close()


def test_the_portfolio_heat_map_renders_without_errors(browser, tmp_path: Path) -> None:
    rows = assess_portfolio([EXAMPLE, tmp_path / "missing"], jobs=1)
    path = tmp_path / "index.html"
    path.write_text(portfolio.html(rows, links=True))
    page, problems, requests = open_page(browser, path)
    assert problems == [] and requests == [path.as_uri()]
    assert page.locator("table.heat tr").count() == 3  # header, the example, the error row
    assert "no such file or folder" in page.locator("td.err").nth(1).inner_text()
    page.close()


def png_pixels(data: bytes) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of a PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    colours = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        colours.update(tuple(line[x : x + 3]) for x in range(0, stride, channels))
        previous = line
    return colours
