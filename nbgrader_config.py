"""nbgrader configuration: the repository root is the course root.

solutions/ holds the instructor source notebooks (with solutions and hidden tests);
exercises/ holds the student release generated from it by `nbgrader generate_assignment`.
"""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "treatment-resistance"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# What a student sees in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Student code gets a per-cell time limit; a kernel that ignores interrupts must not
# fail the whole submission (CONTRIBUTING.md, nbgrader behaviour designed around).
c.Execute.timeout = 60
c.Execute.raise_on_iopub_timeout = False

# Student code runs in the course's grading kernel: a memory cap, and an interrupt that a loop
# catching KeyboardInterrupt cannot swallow (src/trcourse/grading/limits.py). `trcourse grade`
# sets both limits from its command line; without the course package, plain ipykernel runs.
try:
    from trcourse.grading.limits import DEFAULT_MEMORY_MB, autograde_preprocessors, kernel_arguments
except ImportError:
    pass
else:
    c.Execute.extra_arguments = kernel_arguments(DEFAULT_MEMORY_MB)
    # Autograde (CLI and formgrader) runs each kernel in the bubblewrap sandbox
    # (src/trcourse/grading/sandbox.py); students' own runs (validate, lab) do not.
    c.Autograde.autograde_preprocessors = autograde_preprocessors()

# Feedback (CLI and the formgrader's buttons) without hidden tests, server paths or grading frames.
try:
    from trcourse.grading.feedback import feedback_preprocessors
except ImportError:
    pass
else:
    c.GenerateFeedback.preprocessors = feedback_preprocessors()

# Instructor-only files in solutions/<assignment>/ that must never be released.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "answer_variants.yml"]

# Collecting from an LMS: `nbgrader zip_collect <assignment>` reads the zip (or files) downloaded
# from the LMS in downloaded/<assignment>/archive/ (git-ignored) and files each notebook under
# submitted/<login>/<assignment>/. File names as LMSs export them: <login>_<id>_<notebook>.ipynb,
# also with a second id, a "late_" after the login, or a "-1" resubmission suffix. nbgrader matches
# this against the file's full path. Logins must not contain "_".
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?:late_)?(?:\d+_)+(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$"
)

# Exchange and gradebook (book/running-a-class.md). The exchange is where release, fetch, submit
# and collect meet: the hub (deploy/) names a folder all its users share in TRCOURSE_EXCHANGE; on
# one machine it is the git-ignored exchange/ here, made when needed. Work fetched from the
# Assignment List goes to my-work/ (git-ignored), never to the tracked exercises/.
# The gradebook is SQLite in the course unless TRCOURSE_GRADEBOOK names another database
# (PostgreSQL for several graders; `trcourse --gradebook URL` sets it).
import os  # noqa: E402
from pathlib import Path  # noqa: E402

_course = Path(__file__).resolve().parent
c.Exchange.root = os.environ.get("TRCOURSE_EXCHANGE") or str(_course / "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)
c.Exchange.assignment_dir = str(_course / "my-work")
if os.environ.get("TRCOURSE_GRADEBOOK"):
    c.CourseDirectory.db_url = os.environ["TRCOURSE_GRADEBOOK"]
