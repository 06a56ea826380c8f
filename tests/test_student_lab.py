"""The student bundle as a student uses it: its environment installed in a fresh venv, JupyterLab
started from it, a chapter and an exercise opened in Chromium. Screenshots: _build/screenshots/.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import zipfile

import nbformat
import pytest
from test_browser import CHROMIUM, SCREENSHOTS

from trcourse.bundle import NAME, build
from trcourse.paths import ROOT
from trcourse.student_chapters import RAW_MARKUP

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHAPTER = "notebooks/ch01_hemophilia.ipynb"
EXERCISE = "exercises/ch01_hemophilia/ch01_hemophilia.ipynb"
DEVELOPER_TOOLS = {"playwright", "sphinx", "jupyter-book", "myst-nb", "pytest", "ruff"}
INSTRUCTOR_PANELS = ("Formgrader", "Courses", "Create Assignment")
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/")


@pytest.fixture(scope="module")
def student_course(built_book, tmp_path_factory):
    """The unzipped bundle with its README's environment installed in a fresh .venv."""
    out = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(build(ROOT, out / "student.zip", built_book.parent)) as zf:
        zf.extractall(out)
    course = out / NAME
    subprocess.run([sys.executable, "-m", "venv", ".venv"], cwd=course, check=True)
    result = subprocess.run([".venv/bin/pip", "install", "--quiet", "--disable-pip-version-check",
                             "-r", "requirements.txt"], cwd=course, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return course


def _isolated_env(tmp_path) -> dict[str, str]:
    """No user-level Jupyter config or settings; every cell rendered (no virtual scrolling)."""
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
            "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}


def test_student_environment_is_lean(student_course):
    listed = subprocess.run([".venv/bin/python", "-m", "pip", "list", "--format=json"], cwd=student_course,
                            capture_output=True, text=True, check=True).stdout
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed)}
    assert {"jupyterlab", "nbgrader", "pandas", "matplotlib"} <= installed
    assert not DEVELOPER_TOOLS & installed


def test_student_validate_reports_the_untouched_exercise(student_course):
    result = subprocess.run([".venv/bin/nbgrader", "validate", EXERCISE], cwd=student_course,
                            capture_output=True, text=True)
    assert "NotImplementedError" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def lab(student_course, tmp_path_factory):
    """JupyterLab from the student venv on a free port; yields (base URL, token)."""
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("CHROMIUM NOT FOUND: CI must run the browser tests.")
        pytest.skip("CHROMIUM NOT FOUND: the JupyterLab browser test did not run.")
    token = secrets.token_hex(16)
    server = subprocess.Popen(
        [".venv/bin/jupyter", "lab", "--no-browser", "--port=0", "--ip=127.0.0.1", "--allow-root",
         f"--IdentityProvider.token={token}"],
        cwd=student_course, env=_isolated_env(tmp_path_factory.mktemp("jupyter")),
        stderr=subprocess.PIPE, text=True)
    try:
        for line in server.stderr:
            if match := URL.search(line):
                break
        else:
            pytest.fail("JupyterLab stopped before it served")
        yield f"http://127.0.0.1:{match[1]}", token
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(scope="module")
def page(lab, chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


RENDERED_JS = """(expected) => {
  const cells = [...document.querySelectorAll(".jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown")];
  return cells.length === expected && cells.every((c) => c.textContent.trim() !== "");
}"""


def _open(page, lab, path, course) -> list[str]:
    """Open a notebook alone in JupyterLab; the text of its markdown cells once all are rendered."""
    base, token = lab
    markdown = [c for c in nbformat.read(course / path, as_version=4).cells if c.cell_type == "markdown"]
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset")  # reset: only this notebook open
    page.wait_for_function(RENDERED_JS, arg=len(markdown), timeout=120_000)
    return page.locator(".jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown").all_text_contents()


def test_chapter_reads_cleanly_in_jupyterlab(page, lab, student_course):
    text = "\n".join(_open(page, lab, CHAPTER, student_course))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "student-lab-chapter.png")
    page.locator(".jp-NotebookPanel .jp-RenderedMarkdown h2").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "student-lab-chapter-citations.png")
    page.locator(".jp-NotebookPanel h2", has_text="References").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "student-lab-chapter-references.png")
    assert not RAW_MARKUP.search(text), f"raw MyST in JupyterLab: {RAW_MARKUP.findall(text)[:5]}"
    assert re.search(r"\*?Fig\. \d", text), "figure numbers are resolved"
    assert "References" in text, text[-2000:]


def test_exercise_has_validate_and_no_instructor_panel_or_news_prompt(page, lab, student_course):
    assert "YOUR ANSWER HERE" in "\n".join(_open(page, lab, EXERCISE, student_course))
    page.get_by_role("button", name="Validate").wait_for()
    assert page.get_by_text("get notified about official Jupyter news").count() == 0
    page.get_by_role("menuitem", name="Nbgrader").click()
    menu = page.locator(".lm-Menu").last.inner_text()
    page.screenshot(path=SCREENSHOTS / "student-lab-exercise-menu.png")
    page.keyboard.press("Escape")
    assert "Assignment List" in menu
    assert not [panel for panel in INSTRUCTOR_PANELS if panel in menu], menu


def test_validate_dialog_shows_short_errors(page, lab, student_course):
    """The bundle's nbgrader_config.py gives Validate one-line errors, not pages of traceback."""
    _open(page, lab, EXERCISE, student_course)
    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog-content")
    dialog.get_by_text("Validation Results").wait_for(timeout=300_000)
    dialog.locator(".validation-failed").wait_for()
    text = dialog.inner_text()
    page.screenshot(path=SCREENSHOTS / "student-lab-validate.png")
    page.keyboard.press("Escape")
    assert "The following cell failed" in text and "NotImplementedError" in text
    assert "Traceback (most recent call last)" not in text and "----> " not in text
