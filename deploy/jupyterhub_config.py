"""JupyterHub for one class on one server (started by deploy/hub.py, which writes class.json).

Every hub user is a Unix account (PAM logins, one single-user server per user, run as that user).
The instructor's server opens on the course folder with the formgrader; students' servers open on
their home with the Assignment List and Validate only (deploy/jupyter/student). The formgrader
opens in its own browser tab (/user/<instructor>/formgrader): JupyterHub forbids framing
single-user pages (frame-ancestors 'none'), the fix nbgrader documents for JupyterHub >= 4.1.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub)

STATE = Path(os.environ["TRCOURSE_HUB_STATE"])
CLASS = json.loads((STATE / "class.json").read_text())
DEPLOY = Path(__file__).resolve().parent
VENV_BIN = Path(CLASS["venv_bin"])
COURSE_ID = CLASS["course_id"]
INSTRUCTOR = CLASS["instructor"]
STUDENTS = CLASS["students"]

c.JupyterHub.bind_url = f"http://127.0.0.1:{CLASS['port']}"
c.JupyterHub.hub_port = CLASS["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{CLASS['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [CLASS["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every single-user server

c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}
c.Authenticator.admin_users = {INSTRUCTOR}
# The groups nbgrader's JupyterHub documentation names: graders and students of the course.
c.JupyterHub.load_groups = {f"formgrade-{COURSE_ID}": {"users": [INSTRUCTOR]},
                            f"nbgrader-{COURSE_ID}": {"users": STUDENTS}}

c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
                         "TRCOURSE_EXCHANGE": CLASS["exchange"]}


def per_role(spawner) -> None:
    """The instructor works in the course (PostgreSQL gradebook); a student in their home."""
    if spawner.user.name == INSTRUCTOR:
        spawner.notebook_dir = CLASS["course"]
        spawner.environment["TRCOURSE_GRADEBOOK"] = CLASS["gradebook"]
    else:
        spawner.notebook_dir = "~"
        spawner.environment["JUPYTER_CONFIG_PATH"] = str(DEPLOY / "jupyter" / "student")


c.Spawner.pre_spawn_hook = per_role
