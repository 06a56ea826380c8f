"""The strictly built book in a real browser (Debian's Chromium driven by Playwright), offline.

Every page of the TOC is served from the built HTML folder on 127.0.0.1 and loaded once; the
tests then check what the browser saw: title, figures, console, requests, links, alt text and
the axe-core accessibility report. Screenshots go to _build/screenshots/.
"""

import json
import re
import shutil
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from conftest import TOC_PAGES

from trcourse.paths import ROOT
from trcourse.sphinxext.quiz import display_order, load_quiz

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Without these switches Chromium tries to reach Google's services at every start.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--disable-default-apps",
                 "--disable-extensions", "--disable-features=Translate,OptimizationHints,MediaRouter",
                 "--metrics-recording-only", "--no-pings"]
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING_IMPACTS = ("critical", "serious")
SCHEMES = ("light", "dark")  # the book follows the reader's colour-mode setting
# Colour transitions are switched off first: axe must measure the dark colours a reader sees, not
# a colour half-way through the theme's transition (a flaky contrast finding).
DARK_JS = "() => { const s = document.createElement('style'); " \
          "s.textContent = '*, *::before, *::after { transition: none !important; }'; " \
          "document.head.appendChild(s); " \
          "document.documentElement.dataset.mode = 'dark'; " \
          "document.documentElement.dataset.theme = 'dark'; }"
CHAPTER_PAGES = [p for p in TOC_PAGES if re.fullmatch(r"notebooks/ch\d\d_\w+", p)]
QUIZ_PAGES = [p for p in CHAPTER_PAGES if (ROOT / "book/quizzes" / f"{Path(p).name}.yml").exists()]
# (term, page that must be among the results)
SEARCH_CASES = [("Bethesda", "notebooks/ch02_inhibitors")]

COLLECT_JS = """async () => {
  await Promise.all([...document.images].map((img) => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  const h1 = document.querySelector("main h1") || document.querySelector("h1");
  return {
    title: document.title,
    h1: h1 ? h1.innerText : "",
    images: [...document.images].map((img) => ({
      src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
      loaded: img.complete && img.naturalWidth > 0, figure: !!img.closest("figure"),
    })),
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
  };
}"""
AXE_JS = """async (selector) => {
  const report = await axe.run(selector || document, {resultTypes: ["violations"]});
  return report.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Visit:
    """What the browser saw while loading one page."""

    title: str
    h1: str
    images: list[dict]
    links: list[str]
    console_errors: list[str]
    failed_requests: list[str]
    foreign_requests: list[str]
    violations: dict[str, list[dict]]  # colour scheme -> axe-core violations


@pytest.fixture(scope="session")
def site(built_book):
    """The built book served on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(built_book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_browser):
    """Headless Chromium (conftest), with the accessibility checker the tests inject."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (make test does)"
    return chromium_browser


def _is_local(url: str, site: str) -> bool:
    return url.startswith(site) or url.split(":", 1)[0] in {"data", "blob", "about"}


def open_page(browser, site: str, path: str, record: dict):
    """A new page at site+path; console errors and failed or foreign requests go into record."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    for key in ("console_errors", "failed_requests", "foreign_requests"):
        record.setdefault(key, [])

    def route(r):
        if _is_local(r.request.url, site):
            r.continue_()
        else:
            record["foreign_requests"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and record["console_errors"].append(m.text))
    page.on("pageerror", lambda e: record["console_errors"].append(str(e)))
    page.on("requestfailed", lambda r: _is_local(r.url, site)
            and record["failed_requests"].append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400
            and record["failed_requests"].append(f"{r.url}: HTTP {r.status}"))
    page.goto(site + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture(scope="session")
def visit(browser, site):
    """page (a TOC docname) -> Visit, each page loaded once per session."""
    visits = {}

    def _visit(docname: str) -> Visit:
        if docname not in visits:
            record = {}
            page = open_page(browser, site, f"{docname}.html", record)
            seen = page.evaluate(COLLECT_JS)
            violations = axe_in_both_schemes(page)
            page.context.close()
            visits[docname] = Visit(**seen, **record, violations=violations)
        return visits[docname]

    return _visit


def axe_in_both_schemes(page, selector: str | None = None) -> dict[str, list[dict]]:
    """axe-core violations on the page (or the part matching selector), light then dark."""
    page.add_script_tag(path=str(AXE))
    light = page.evaluate(AXE_JS, selector)
    page.evaluate(DARK_JS)
    return {"light": light, "dark": page.evaluate(AXE_JS, selector)}


def _blocking(violations: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {scheme: found for scheme, v in violations.items()
            if (found := [x for x in v if x["impact"] in BLOCKING_IMPACTS])}


def expected_title(docname: str) -> str:
    """The page title as written in its source (first `# ` heading)."""
    source = ROOT / f"{docname}.md"
    if source.exists():
        text = source.read_text()
    else:
        nb = nbformat.read(ROOT / f"{docname}.ipynb", as_version=4)
        text = next(c.source for c in nb.cells if c.cell_type == "markdown")
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    return " ".join(re.sub(r"[*_`]", "", heading[2:]).split())


def expected_figures(docname: str) -> int:
    """How many figures a chapter notebook declares in its cell metadata (0 for other pages)."""
    source = ROOT / f"{docname}.ipynb"
    if not source.exists():
        return 0
    nb = nbformat.read(source, as_version=4)
    return sum("figure" in c.metadata.get("mystnb", {}) for c in nb.cells)


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_page_renders_with_title_and_figures(visit, docname):
    seen = visit(docname)
    title = expected_title(docname)
    numbered = re.compile(r"(\d+(\.\d+)*\.\s)?" + re.escape(title))  # chapters carry their number
    assert numbered.match(seen.title), f"browser title {seen.title!r}, expected {title!r}"
    assert title in " ".join(seen.h1.split()), f"heading {seen.h1!r} lacks {title!r}"
    broken = [img["src"] for img in seen.images if not img["loaded"]]
    assert not broken, f"images that did not load: {broken}"
    figures = sum(img["figure"] and img["loaded"] for img in seen.images)
    assert figures >= expected_figures(docname), f"{figures} figures shown"


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_page_has_no_console_error(visit, docname):
    assert not visit(docname).console_errors


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_page_requests_only_the_local_server_and_all_succeed(visit, docname):
    seen = visit(docname)
    assert not seen.foreign_requests, "requests to other hosts (the book must work offline)"
    assert not seen.failed_requests


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_every_image_has_alt_text(visit, docname):
    missing = [img["src"] for img in visit(docname).images if not (img["alt"] or "").strip()]
    assert not missing, f"images without alt text: {missing}"


@cache
def _anchors(path: Path) -> frozenset[str]:
    return frozenset(re.findall(r'\s(?:id|name)="([^"]+)"', path.read_text(errors="replace")))


def broken_link(url: str, site: str, folder: Path) -> str | None:
    """Why a link to the local site does not resolve (None when it does)."""
    parts = urlsplit(url[len(site) - 1:])
    target = folder / unquote(parts.path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"{url}: no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in _anchors(target):
        return f"{url}: no anchor #{fragment}"
    return None


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_every_internal_link_resolves(visit, site, built_book, docname):
    links = [u for u in visit(docname).links if u.startswith(site)]
    broken = [why for u in sorted(set(links)) if (why := broken_link(u, site, built_book))]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("docname", TOC_PAGES)
def test_accessibility_no_critical_or_serious_violation(visit, docname, capsys):
    violations = visit(docname).violations
    for scheme in SCHEMES:
        counts = Counter(v["impact"] for v in violations[scheme])
        with capsys.disabled():
            print(f"\naxe {docname} ({scheme}): " + ", ".join(f"{i} {counts[i]}" for i in IMPACTS))
    blocking = _blocking(violations)
    assert not blocking, json.dumps(blocking, indent=1)


@pytest.mark.parametrize("docname", CHAPTER_PAGES)
def test_chapter_offers_notebook_download(visit, site, docname):
    wanted = f"{site}_sources/{docname}.ipynb"
    assert wanted in visit(docname).links, "the download button does not offer the .ipynb"


def test_execution_statistics_list_every_chapter(visit, site):
    links = visit("book/execution-stats").links
    missing = [p for p in CHAPTER_PAGES if f"{site}{p}.html" not in links]
    assert not missing, f"chapters missing from the execution statistics: {missing}"


@pytest.mark.parametrize(("term", "docname"), SEARCH_CASES)
def test_search_finds_term_on_expected_page(browser, site, term, docname):
    record = {}
    page = open_page(browser, site, f"search.html?q={term}", record)
    page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    page.context.close()
    assert any(h.split("?")[0].split("#")[0] == f"{site}{docname}.html" for h in hits), hits
    assert not record["console_errors"] and not record["foreign_requests"]


def _answer(page, question_id: str, option: int) -> str:
    page.click(f'#quiz-{question_id} input[value="{option}"]')
    return page.inner_text(f"#quiz-{question_id} .trq-feedback")


@pytest.mark.parametrize("docname", QUIZ_PAGES)
def test_quiz_shows_right_and_wrong_with_option_feedback(browser, site, docname):
    question = load_quiz(ROOT / "book/quizzes" / f"{Path(docname).name}.yml")[0]
    right = next(i for i, o in enumerate(question.options) if o.correct)
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    record = {}
    page = open_page(browser, site, f"{docname}.html", record)
    shown = _answer(page, question.id, wrong)
    assert "Not quite" in shown and question.options[wrong].feedback in shown, shown
    shown = _answer(page, question.id, right)
    assert "Correct" in shown and question.options[right].feedback in shown, shown
    assert question.options[wrong].feedback not in shown
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"#quiz-{question.id}").screenshot(path=SCREENSHOTS / f"quiz-{Path(docname).name}.png")
    blocking = _blocking(axe_in_both_schemes(page, ".trq-quiz"))
    page.context.close()
    assert not blocking, json.dumps(blocking, indent=1)
    assert not record["console_errors"]


@pytest.mark.parametrize("docname", QUIZ_PAGES)
def test_quiz_is_keyboard_usable(browser, site, docname):
    questions = load_quiz(ROOT / "book/quizzes" / f"{Path(docname).name}.yml")
    question = questions[-1]
    page = open_page(browser, site, f"{docname}.html", {})
    page.focus(f"#quiz-{question.id} input >> nth=0")
    page.keyboard.press("Space")
    first = page.inner_text(f"#quiz-{question.id} .trq-feedback")
    page.keyboard.press("ArrowDown")
    second = page.inner_text(f"#quiz-{question.id} .trq-feedback")
    page.context.close()
    first_shown, second_shown = display_order(question)[:2]
    assert question.options[first_shown].feedback in first
    assert question.options[second_shown].feedback in second


def test_screenshots_of_landing_and_chapter_pages(browser, site, capsys):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    landed = {}
    for name, path in {"landing.png": "", "chapter.png": f"{CHAPTER_PAGES[0]}.html"}.items():
        page = open_page(browser, site, path, {})
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
        landed[name] = page.url
        page.context.close()
        with capsys.disabled():
            print(f"\nscreenshot of {page.url}: {SCREENSHOTS / name}")
    assert landed["landing.png"] == f"{site}{TOC_PAGES[0]}.html", "the site root leads to the first page"
