"""nbgrader configuration for students (the bundle's root): what Validate runs.

Short tracebacks: a failing visible test shows its message, not a page of stack frames.
"""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.Execute.timeout = 60
c.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]
