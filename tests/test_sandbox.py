"""Hostile submissions graded in the real sandbox, with real kernels, next to honest students.

Each hostile student's first answer cell tries one forbidden action (knowing the course's real
paths, the grader's home and a listening port), then gives the right answers. The grading run must
finish with every student graded, the honest ones (and the hostile ones whose attack failed) at full
marks, every forbidden action failed, the course files byte-identical, no process of student code
left, and feedback that leaks neither hidden tests nor server paths, whichever way it is made.
"""

import contextlib
import hashlib
import json
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import psutil
import pytest
from conftest import ASSIGNMENTS
from nbgrader.api import Gradebook

from trcourse.grading import feedback, practice
from trcourse.grading.autograde import Limits, grade
from trcourse.grading.course import open_api
from trcourse.grading.export import scores
from trcourse.grading.sandbox import UID_BASE
from trcourse.grading.synthetic_class import assignment_items, submit
from trcourse.leaks import course_secrets, find_leaks, visible_text
from trcourse.release import nbgrader_env

pytestmark = [pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment yet"), pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]
ASSIGNMENT = ASSIGNMENTS[0] if ASSIGNMENTS else ""
LIMITS = Limits(cell_timeout=10, memory_mb=512)
SLEEP_MARK = "987654"  # `sleep 987654`: a process student code tries to leave behind

# Attack -> code (formatted with the course's paths); it prints "blocked" when Python refuses it.
ATTACKS = {
    "read_solutions": "print(open({solution!r}).read()[:300])",
    "read_gradebook": "print(open({gradebook!r}, 'rb').read(200))",
    "rewrite_gradebook": "import sqlite3\ncon = sqlite3.connect({gradebook!r})\n"
                         "con.execute('UPDATE grade SET manual_score = 999')\ncon.commit()",
    "change_course_data": "open({data_file!r}, 'a').write('999,999\\n')",
    "change_config": "open({config!r}, 'a').write('\\nprint(\"pwned\")\\n')",
    "ipython_startup": "import os\nos.makedirs({startup!r}, exist_ok=True)\n"
                       "open(os.path.join({startup!r}, '00-pwned.py'), 'w').write('print(1)')",
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "tcp_connect": "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5).sendall(b'hi')",
}
# Actions whose effect is checked after grading (Python does not refuse them inside the sandbox).
EFFECTS = {
    "leave_process": "import subprocess\nsubprocess.Popen(['sleep', '" + SLEEP_MARK + "'], "
                     "start_new_session=True)\nif __import__('os').fork() == 0:\n"
                     "    __import__('os').execvp('sleep', ['sleep', '" + SLEEP_MARK + "'])",
    "fork_bomb": "import os, time\ntry:\n    for _ in range(5000):\n        if os.fork() == 0:\n"
                 "            time.sleep(600)\n            os._exit(0)\nexcept OSError as error:\n"
                 "    print('fork stopped:', type(error).__name__)",
}
# Submissions that end or stop their own grading, with the outcomes they may get. A flood of output
# ends at the time limit, or at the memory cap first when the kernel buffers it faster than it is
# sent (in Python: memory_limit; in ZMQ's buffers: kernel_died), depending on the machine's load.
ENDINGS = {"exits": ("import os\nos._exit(0)", {"kernel_died"}),
           "flood": ("while True:\n    print('x' * 10000)", {"timed_out", "memory_limit", "kernel_died"}),
           "stubborn_loop": ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                             "    except BaseException:\n        pass", {"timed_out"})}


def _attempt(name: str, code: str) -> str:
    body = "\n".join("    " + line for line in code.splitlines())
    return (f"try:\n{body}\nexcept BaseException as error:\n"
            f"    print('ATTACK {name} blocked:', type(error).__name__)\n"
            f"else:\n    print('ATTACK {name} SUCCEEDED')\n")


def _listener():
    """A TCP server on a free port of 127.0.0.1, counting the connections it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, accepted, lambda: (stop.set(), thread.join(), server.close())


def _course_files(course: Path) -> dict[str, str]:
    """SHA-256 of every file grading must not change (everything but what grading writes)."""
    written = ("autograded", "feedback", "grading-reports", "gradebook.db")
    return {str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(course.rglob("*")) if p.is_file()
            and p.relative_to(course).parts[0] not in written}


def _survivors() -> list[psutil.Process]:
    """Processes of sandboxed code, or left behind by student code, still running."""
    found = []
    for process in psutil.process_iter(["uids", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["uids"] and process.info["uids"].real >= UID_BASE or SLEEP_MARK in cmdline:
            found.append(process)
    return found


@pytest.fixture(scope="module")
def hostile(released_course, tmp_path_factory):
    """Honest students and one student per forbidden action, graded in the sandbox."""
    course = tmp_path_factory.mktemp("sandbox") / "course"
    subprocess.run(["cp", "-a", str(released_course), str(course)], check=True)
    (course / practice.MARKER).write_text("")  # a throw-away copy: synthetic students allowed
    items = assignment_items(course, ASSIGNMENT)
    source = next((course / "solutions" / ASSIGNMENT).glob("*.ipynb"))
    server, accepted, stop_listening = _listener()
    startup = Path.home() / ".ipython" / "profile_default" / "startup"
    paths = {"solution": str(source), "gradebook": str(course / "gradebook.db"),
             "data_file": str(next((course / "solutions" / ASSIGNMENT / "data").glob("*.csv"))),
             "config": str(course / "nbgrader_config.py"), "startup": str(startup),
             "port": server.getsockname()[1]}
    first = items[0].answer
    right = {item.answer: item.solution for item in items}
    students = {"honest_a": "", "honest_b": ""}
    students |= {name: _attempt(name, code.format(**paths)) for name, code in ATTACKS.items()}
    students |= {name: code + "\n" for name, code in EFFECTS.items()}
    students |= {name: code + "\n" for name, (code, _) in ENDINGS.items()}
    for student, attack in students.items():
        submit(course, ASSIGNMENT, student, {**right, first: attack + right[first]})
    before = _course_files(course)
    startup_before = sorted(startup.glob("*")) if startup.exists() else []
    table = grade(course, ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    stop_listening()
    return SimpleNamespace(course=course, items=items, table=table.set_index("student"), before=before,
                           accepted=accepted, startup=startup, startup_before=startup_before,
                           source=source)


def _printed(course: Path, student: str) -> str:
    [notebook] = (course / "autograded" / student / ASSIGNMENT).glob("*.ipynb")
    return "\n".join(out.get("text", "") for cell in nbformat.read(notebook, as_version=4).cells
                     for out in cell.get("outputs", []))


def test_every_forbidden_action_fails(hostile):
    for name in ATTACKS:
        printed = _printed(hostile.course, name)
        assert f"ATTACK {name} blocked" in printed and "SUCCEEDED" not in printed, printed[:500]
    assert "fork stopped: BlockingIOError" in _printed(hostile.course, "fork_bomb")
    assert hostile.accepted == [], "student code reached the grader over TCP"
    after = sorted(hostile.startup.glob("*")) if hostile.startup.exists() else []
    assert after == hostile.startup_before, "student code wrote into the grader's IPython startup"


def test_every_student_is_graded_and_the_honest_get_full_marks(hostile):
    expected = {name: "graded" for name in ["honest_a", "honest_b", *ATTACKS, *EFFECTS]}
    got = hostile.table.outcome.to_dict()
    for name, (_, outcomes) in ENDINGS.items():
        assert got.pop(name) in outcomes, hostile.table.detail[name]
    assert got == expected, hostile.table.detail.to_dict()
    api = open_api(hostile.course)
    questions = [item.test.removesuffix("_test") for item in hostile.items]
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        table = scores(gradebook, ASSIGNMENT, questions)
    full = pd.Series({item.test.removesuffix("_test"): item.points for item in hostile.items})
    for student in expected:
        assert table.loc[student, questions].to_dict() == full.to_dict(), student
    assert not (table == 999).any().any(), "a score was rewritten"


def test_course_files_are_byte_identical_and_no_process_survives(hostile):
    assert _course_files(hostile.course) == hostile.before
    assert _survivors() == []


def _leaks(course: Path, students: list[str]) -> dict[str, list[str]]:
    """Per student, the secret lines and server paths on their feedback pages (beyond their own code)."""
    secret = course_secrets(course)
    markers = [str(course), "/tmp/trcourse-kernel", "site-packages", "kernel.py", "LimitedKernel",
               sys.prefix]
    found = {}
    for student in students:
        for page in (course / "feedback" / student / ASSIGNMENT).glob("*.html"):
            text = visible_text(page)
            own = {line.strip() for line in visible_text(next(
                (course / "submitted" / student / ASSIGNMENT).glob("*.ipynb"))).splitlines()}
            shown = "\n".join(line for line in text.splitlines() if line.strip() not in own)
            found[student] = find_leaks(text, secret - own) + [m for m in markers if m in shown]
    return found


def test_feedback_of_hostile_submissions_leaks_nothing_from_nbgrader_itself(hostile):
    """Plain ``nbgrader generate_feedback`` (the formgrader's button runs the same API call)."""
    students = list(hostile.table.index)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"],
                          cwd=hostile.course, env=nbgrader_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    leaks = _leaks(hostile.course, students)
    assert set(leaks) >= {"stubborn_loop", "honest_a", *ATTACKS}
    assert all(found == [] for found in leaks.values()), leaks


def test_trcourse_feedback_of_hostile_submissions_leaks_nothing(hostile):
    assert feedback.generate(hostile.course, ASSIGNMENT) == {}
    assert all(found == [] for found in _leaks(hostile.course, list(hostile.table.index)).values())


def test_no_sandbox_without_bwrap_stops_with_the_fix(hostile, tmp_path):
    """With bwrap not on PATH, grading refuses to start and names the fix; it never runs unsandboxed."""
    env = {**nbgrader_env(), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([sys.executable, "-m", "trcourse.cli", "--root", str(hostile.course), "grade",
                           ASSIGNMENT, "--student", "honest_a"], env=env, capture_output=True, text=True)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "apt-get install bubblewrap" in done.stdout and "--no-sandbox" in done.stdout


@pytest.fixture
def formgrader(hostile, tmp_path):
    """A real Jupyter server with nbgrader's formgrader on the course (a free port, a token)."""
    token, log = secrets.token_hex(16), tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root", "--ServerApp.port=0",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={hostile.course}"],
            cwd=hostile.course, env=nbgrader_env(), stdout=output, stderr=subprocess.STDOUT)
    while server.poll() is None and not (url := re.search(r"http://127\.0\.0\.1:\d+/", log.read_text())):
        time.sleep(0.5)
    assert server.poll() is None, log.read_text()[-3000:]
    yield url.group(0), token, log
    server.terminate()
    server.wait(timeout=30)


def test_the_formgrader_generate_feedback_button_leaks_nothing(hostile, formgrader):
    """The button's own API call (POST .../generate_feedback), served by nbgrader's handler."""
    url, token, log = formgrader
    for page in (hostile.course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"):
        page.unlink()
    for student in ("stubborn_loop", "read_solutions", "honest_a"):
        request = urllib.request.Request(
            f"{url}formgrader/api/assignment/{ASSIGNMENT}/{student}/generate_feedback", data=b"",
            headers={"Authorization": f"token {token}"}, method="POST")
        with urllib.request.urlopen(request, timeout=300) as response:
            assert json.loads(response.read())["success"], (student, log.read_text()[-3000:])
    leaks = _leaks(hostile.course, ["stubborn_loop", "read_solutions", "honest_a"])
    assert set(leaks) == {"stubborn_loop", "read_solutions", "honest_a"}
    assert all(found == [] for found in leaks.values()), leaks
