"""A whole class on the hub, in a real browser: `deploy/hub.py` (JupyterHub 6, Unix accounts, the
nbgrader exchange, PostgreSQL gradebook) driven with Playwright and Debian's Chromium.

The instructor releases ch02 from the formgrader (its own tab); two students fetch it from the
Assignment List, answer (one right, one partly), validate and submit, the second after the due
date; the instructor collects, grades with `trcourse grade`, marks the written answer in the
formgrader and releases feedback; each student fetches their own feedback. A student reaches
neither the formgrader, nor another student's work, nor the solutions. Needs root (accounts).
Screenshots of each step: _build/screenshots/hub-*.png.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbgrader.api import Gradebook
from test_browser import CHROMIUM, SCREENSHOTS
from test_hub_gradebook import free_port

from trcourse.grading.synthetic_class import load_items
from trcourse.leaks import find_leaks, secret_lines
from trcourse.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "ch02_inhibitors"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
INSTRUCTOR, RIGHT, PARTLY = "trt-instr", "trt-alice", "trt-bob"
WRITTEN = "w1_emicizumab_precautions"
WRITTEN_POINTS = {RIGHT: 4, PARTLY: 2}  # of 4, given by hand in the formgrader
WAIT_MS = 120_000


def _needs(condition: bool, message: str) -> None:
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(message + " CI must run it.")
        pytest.skip(message)


@pytest.fixture(scope="module")
def hub():
    """The class hub on a free port with one instructor and two students; stopped and removed after."""
    _needs(os.geteuid() == 0, "NOT ROOT: the class hub test did not run (it makes Unix accounts).")
    _needs(bool(CHROMIUM), "CHROMIUM NOT FOUND: the class hub test did not run (apt-get install chromium).")
    _needs(bool(shutil.which("pg_ctlcluster")), "POSTGRESQL NOT INSTALLED: the class hub test did not run.")
    state = Path(tempfile.mkdtemp(prefix="trcourse-hub-"))
    command = [sys.executable, str(ROOT / "deploy" / "hub.py")]
    started = subprocess.run([*command, "start", "--port", str(free_port()), "--state", str(state),
                              "--instructor", INSTRUCTOR, "--students", RIGHT, PARTLY],
                             capture_output=True, text=True)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        print(started.stdout)
        yield json.loads((state / "class.json").read_text()) | {"state": state}
    finally:
        subprocess.run([*command, "stop", "--state", str(state), "--remove-accounts"], check=True)
        shutil.rmtree(state)


@pytest.fixture(scope="module")
def chromium(chromium_browser):
    return chromium_browser


class Person:
    """One user in their own browser context (cookies), logged in to the hub."""

    def __init__(self, chromium, hub: dict, name: str):
        self.name, self.base = name, f"http://127.0.0.1:{hub['port']}"
        self.context = chromium.new_context(viewport={"width": 1400, "height": 900})
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.page.goto(f"{self.base}/hub/login")
        self.page.fill("#username_input", name)
        self.page.fill("#password_input", hub["passwords"][name])
        self.page.click("#login_submit")
        self.page.wait_for_url(re.compile(rf"/user/{name}/lab"))
        self.page.wait_for_selector(".jp-DirListing-content")

    def shot(self, step: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"hub-{step}.png")

    def url(self, path: str) -> str:
        return f"{self.base}/user/{self.name}/{path}"

    def api(self, method: str, path: str, data: dict | None = None):
        """A Jupyter Server API call from this browser session (its cookies and XSRF token)."""
        xsrf = next(c["value"] for c in self.context.cookies() if c["name"] == "_xsrf")
        return self.page.request.fetch(self.url(path), method=method, headers={"X-XSRFToken": xsrf},
                                       data=json.dumps(data) if data is not None else None)


def as_instructor(hub: dict, *command: str) -> str:
    """A command run as the instructor's Unix account in the course, with the hub's environment."""
    env = {"HOME": f"/home/{INSTRUCTOR}", "PATH": f"{hub['venv_bin']}:/usr/bin:/bin",
           "TRCOURSE_EXCHANGE": hub["exchange"], "TRCOURSE_GRADEBOOK": hub["gradebook"]}
    result = subprocess.run(["runuser", "-u", INSTRUCTOR, "--", "env", *[f"{k}={v}" for k, v in env.items()],
                             *command], cwd=hub["course"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def can_read_as(user: str, path: str) -> bool:
    """Whether a Unix account can list (folder) or read (file) a path."""
    tool = "ls" if Path(path).is_dir() else "cat"
    return subprocess.run(["runuser", "-u", user, "--", tool, path], capture_output=True).returncode == 0


def memory_mb(user: str) -> dict[str, float]:
    """Resident memory of a user's Jupyter server and of its kernels (a sizing figure, printed)."""
    import psutil

    found = {"server": 0.0, "kernels": 0.0}
    for process in psutil.process_iter(["username", "cmdline", "memory_info"]):
        if process.info["username"] == user and process.info["memory_info"]:
            kind = "kernels" if "ipykernel_launcher" in " ".join(process.info["cmdline"] or []) else "server"
            found[kind] += process.info["memory_info"].rss / 2**20
    return found


def formgrader_action(instructor: Person, icon: str) -> None:
    """Click one of ch02's buttons in Manage Assignments and wait for nbgrader's result dialog."""
    instructor.page.goto(instructor.url("formgrader/manage_assignments"))
    row = instructor.page.locator("tr", has_text=ASSIGNMENT)
    row.locator(f".glyphicon-{icon}").click()
    dialog = instructor.page.locator(".modal.in")
    dialog.wait_for()
    assert "error" not in dialog.inner_text().lower(), dialog.inner_text()
    instructor.shot(f"formgrader-{icon}")
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="hidden")


def open_assignment_list(student: Person) -> None:
    student.page.goto(student.url("lab"))
    student.page.get_by_text("Nbgrader", exact=True).click()
    student.page.get_by_text("Assignment List", exact=True).click()


def answer(student: Person, right: bool) -> set[str]:
    """Write answers into the fetched notebook through the student's own Jupyter server; return
    the lines the student wrote (their feedback may show them)."""
    path = f"api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    notebook = nbformat.from_dict(student.api("GET", path).json()["content"])
    items = load_items(SOURCE, SOURCE.parent / "answer_variants.yml")
    answers = {item.answer: item.solution if right or n % 2 == 0 or not item.wrong else item.wrong[0]
               for n, item in enumerate(items)}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif grade_id == WRITTEN:
            cell.source = f"Written answer by {student.name}: emicizumab is not factor VIII."
    saved = student.api("PUT", path, {"type": "notebook", "format": "json", "content": notebook})
    assert saved.ok, saved.text()
    return {line.strip() for source in answers.values() for line in source.splitlines()}


def validate(student: Person) -> str:
    """Open the notebook in JupyterLab, press Validate, return what the dialog says."""
    student.page.goto(student.url(f"lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
    student.page.get_by_role("button", name="Validate").first.click()
    dialog = student.page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for()
    text = dialog.inner_text()
    student.shot(f"{student.name}-validate")
    dialog.get_by_role("button").last.click()
    return text


def test_a_class_on_the_hub(hub, chromium):
    instructor = Person(chromium, hub, INSTRUCTOR)
    instructor.shot("instructor-lab")
    headers = instructor.page.request.get(instructor.url("formgrader/manage_assignments")).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], "the hub's framing guard is kept"

    # Release ch02 from the formgrader, in its own tab.
    formgrader_action(instructor, "education")  # generate the student version
    formgrader_action(instructor, "cloud-upload")  # release to the exchange

    # Two students fetch, answer, validate and submit; the due date falls between them.
    students, written = {}, {}
    for name, right in ((RIGHT, True), (PARTLY, False)):
        student = students[name] = Person(chromium, hub, name)
        open_assignment_list(student)
        student.page.get_by_role("button", name="Fetch").click()
        student.page.get_by_role("button", name="Submit").wait_for()
        student.shot(f"{name}-fetched")
        written[name] = answer(student, right)
        verdict = validate(student)
        assert ("Success! Your notebook passes all the tests." in verdict) == right, verdict
        assert ("The following cell failed" in verdict) != right, verdict
        print(f"sizing: {name} uses {memory_mb(name)} MB resident (server, kernels)")
        open_assignment_list(student)
        student.page.get_by_role("button", name="Submit").click()
        student.page.get_by_role("button", name="Fetch Feedback").wait_for()
        student.shot(f"{name}-submitted")
        if name == RIGHT:
            # the due date is after Alice's submission: now, rounded up to the next whole second
            # (nbgrader's date has whole seconds; rounding down made her late by a fraction)
            now = datetime.datetime.now(datetime.UTC)
            due = (now + datetime.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
            as_instructor(hub, "nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={due}")

    # Collect in the formgrader, grade with the course pipeline, mark the written answer by hand.
    formgrader_action(instructor, "cloud-download")
    print(as_instructor(hub, "trcourse", "--root", hub["course"], "grade", ASSIGNMENT, "--workers", "2"))
    with Gradebook(hub["gradebook"], "treatment-resistance") as gradebook:
        late = {name: gradebook.find_submission(ASSIGNMENT, name).total_seconds_late for name in students}
        notebook_ids = {name: gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, name).id
                        for name in students}
    assert late[RIGHT] == 0 and late[PARTLY] > 0, late
    instructor.page.goto(instructor.url(f"formgrader/manage_submissions/{ASSIGNMENT}"))
    instructor.page.get_by_text(PARTLY).first.wait_for()
    instructor.shot("formgrader-submissions")
    for name, notebook_id in notebook_ids.items():
        # networkidle: the page has fetched the grades and bound its score fields
        page = instructor.url(f"formgrader/submissions/{notebook_id}")
        instructor.page.goto(page, wait_until="networkidle")
        score = instructor.page.locator(f"input.score#{WRITTEN}")
        score.fill(str(WRITTEN_POINTS[name]))
        with instructor.page.expect_response(lambda r: "/api/grade/" in r.url
                                             and r.request.method == "PUT") as saved:
            score.press("Tab")  # the formgrader saves a score when the field is left
        assert saved.value.ok
        instructor.shot(f"formgrader-manual-{name}")

    # Feedback without hidden tests (the course pipeline), released from the formgrader.
    as_instructor(hub, "trcourse", "--root", hub["course"], "feedback", ASSIGNMENT)
    formgrader_action(instructor, "envelope")
    as_instructor(hub, "trcourse", "--root", hub["course"], "export", ASSIGNMENT)
    grades = pd.read_csv(Path(hub["course"]) / "grading-reports" / ASSIGNMENT / "grades.csv", index_col=0)
    assert set(students) <= set(grades.index)
    assert grades.loc[RIGHT, "total"] == grades.loc[RIGHT, "max_points"], grades.loc[RIGHT]
    assert grades.loc[PARTLY, "total"] < grades.loc[RIGHT, "total"]
    assert grades[WRITTEN].reindex(list(students)).to_dict() == WRITTEN_POINTS, grades[WRITTEN]

    secrets = secret_lines(SOURCE)
    for name, student in students.items():
        open_assignment_list(student)
        student.page.get_by_role("button", name="Fetch Feedback").click()
        student.page.get_by_text("Fetching Feedback...").wait_for(state="detached")
        [html] = Path(f"/home/{name}/{ASSIGNMENT}/feedback").glob(f"*/{ASSIGNMENT}.html")
        student.page.goto(student.url(f"files/{html.relative_to(Path('/home') / name)}"))
        text = student.page.locator("body").inner_text()
        student.shot(f"{name}-feedback")
        total, maximum = grades.loc[name, ["total", "max_points"]]
        score = f"{ASSIGNMENT} (Score: {total:.1f} / {maximum:.1f})"
        assert score in text, text[:300]
        assert find_leaks(text, secrets - written[name]) == [], "feedback shows hidden tests or solutions"

    # A student reaches neither the formgrader, nor another student's work, nor the solutions.
    alice = students[RIGHT]
    for path in (f"/user/{INSTRUCTOR}/formgrader/manage_assignments", f"/user/{RIGHT}/formgrader",
                 f"/user/{PARTLY}/api/contents/{ASSIGNMENT}",
                 f"/user/{INSTRUCTOR}/files/treatment-resistance/solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"):
        alice.page.goto(alice.base + path)
        seen = alice.page.content()
        assert "Manage Assignments" not in seen and "BEGIN SOLUTION" not in seen, path
    alice.shot("student-refused")
    alice.page.goto(alice.url("lab"))
    alice.page.get_by_text("Nbgrader", exact=True).click()
    assert alice.page.get_by_text("Formgrader", exact=True).count() == 0
    alice.shot("student-menu")
    # The exchange's inbound/ cannot be listed, and each submission's folder name ends in a random
    # part (nbgrader's design): another student's submission cannot be found there.
    inbound = Path(hub["exchange"]) / "treatment-resistance" / "inbound"
    for path in (f"/home/{PARTLY}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", f"{hub['course']}/solutions",
                 f"{hub['course']}/submitted", f"/home/{INSTRUCTOR}", str(inbound)):
        assert not can_read_as(RIGHT, path), f"{RIGHT} can read {path}"
