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

# Instructor-only files in solutions/<assignment>/ that must never be released.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "answer_variants.yml"]
