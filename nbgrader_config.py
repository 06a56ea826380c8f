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
# fail the whole submission (see course-design.md, known nbgrader behaviour).
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
