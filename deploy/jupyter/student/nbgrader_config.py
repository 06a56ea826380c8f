"""A student's nbgrader on the class hub: the course and the exchange the hub shares."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "treatment-resistance"
c.Exchange.root = os.environ["TRCOURSE_EXCHANGE"]
