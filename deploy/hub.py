"""The whole class on one server: `make hub` / `make hub-stop` (root: it makes Unix accounts).

    python deploy/hub.py start [--port 8000] [--state DIR] [--instructor NAME] [--students A B ...]
    python deploy/hub.py stop [--state DIR] [--remove-accounts]

start: one Unix account per user (home 0700, a fresh password each start), the course copied into
the instructor's home (solutions and gradebook unreadable to students), an exchange all users share,
PostgreSQL for the gradebook, then JupyterHub (with its proxy) on 127.0.0.1. It prints the URL and
the passwords. stop: stops JupyterHub (which stops the proxy and every user's server) and PostgreSQL.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import postgres

ROOT = Path(__file__).resolve().parent.parent
COURSE_ID = "treatment-resistance"
COURSE_FILES = ("nbgrader_config.py", "autotests.yml", "solutions")
DEFAULT_STATE = Path("/var/lib/trcourse-hub")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_account(name: str) -> str:
    """A Unix account with a private home (0700) and a new random password, which it returns."""
    import secrets

    if subprocess.run(["id", "-u", name], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
    home = Path(os.path.expanduser(f"~{name}"))
    home.chmod(0o700)
    password = secrets.token_urlsafe(9)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return password


def open_path_to(path: Path) -> None:
    """Let every account reach PATH (the venv and the repository): search (x) bit on each parent."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)
            print(f"note: made {parent} searchable by other users (o+x) so the accounts reach {path}")


def copy_course(instructor: str) -> Path:
    """The course (config, solutions) in the instructor's home, owned by the instructor, and the
    instructor's ~/.jupyter/nbgrader_config.py pointing nbgrader there (nbgrader's JupyterHub docs)."""
    home = Path(os.path.expanduser(f"~{instructor}"))
    course = home / COURSE_ID
    course.mkdir(exist_ok=True)
    (home / ".jupyter").mkdir(exist_ok=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f'c = get_config()  # noqa: F821\nc.CourseDirectory.root = "{course}"\n'
        f'load_subconfig("{course / "nbgrader_config.py"}")  # noqa: F821\n')
    for name in COURSE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, course / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, course / name)
    for path in (course, home / ".jupyter"):
        subprocess.run(["chown", "-R", f"{instructor}:{instructor}", str(path)], check=True)
    course.chmod(0o700)
    return course


def wait_for(url: str, seconds: float) -> None:
    """Poll URL until it answers 200 (or fail after SECONDS)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def start(args: argparse.Namespace) -> None:
    state = args.state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o711)  # accounts may pass through to the exchange, not list the state
    venv_bin = Path(sys.executable).parent
    proxy = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        sys.exit(f"{proxy} is missing: run `npm ci` (make hub does)")
    open_path_to(ROOT)
    open_path_to(Path(sys.executable).resolve())
    passwords = {name: make_account(name) for name in [args.instructor, *args.students]}
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)  # nbgrader: every user writes here; inbound/ keeps students apart
    pg_folder = state / "postgres"
    pg_folder.mkdir(exist_ok=True)
    pg_folder.chmod(0o755)
    gradebook = postgres.start(pg_folder, free_port())
    settings = {"port": args.port, "hub_port": free_port(), "proxy_api_port": free_port(),
                "proxy": str(proxy), "venv_bin": str(venv_bin), "course_id": COURSE_ID,
                "instructor": args.instructor, "students": args.students,
                "course": str(copy_course(args.instructor)), "exchange": str(exchange),
                "gradebook": gradebook, "passwords": passwords}
    class_file = state / "class.json"
    class_file.write_text(json.dumps(settings, indent=1))
    class_file.chmod(0o600)
    log = open(state / "jupyterhub.log", "ab")  # noqa: SIM115 (the hub keeps writing to it)
    began = time.monotonic()
    config = ROOT / "deploy" / "jupyterhub_config.py"
    hub = subprocess.Popen([str(venv_bin / "jupyterhub"), "-f", str(config)], cwd=state,
                           stdout=log, stderr=log, start_new_session=True,
                           env={**os.environ, "TRCOURSE_HUB_STATE": str(state)})
    (state / "jupyterhub.pid").write_text(str(hub.pid))
    try:
        wait_for(f"http://127.0.0.1:{args.port}/hub/health", 120)
    except OSError:
        sys.exit(f"JupyterHub did not start: see {state / 'jupyterhub.log'}")
    print(f"JupyterHub is up in {time.monotonic() - began:.1f} s: http://127.0.0.1:{args.port}/")
    print(f"Formgrader (instructor, own tab): http://127.0.0.1:{args.port}/user/{args.instructor}/formgrader")
    print(f"Accounts (passwords are new at every start; also in {class_file}):")
    for name, password in passwords.items():
        role = "instructor" if name == args.instructor else "student"
        print(f"  {name:<16} {password}   ({role})")
    print("Stop everything with `make hub-stop`.")


def stop(args: argparse.Namespace) -> None:
    state = args.state.resolve()
    pid_file = state / "jupyterhub.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            for _ in range(300):  # the hub stops the users' servers and its proxy first
                os.kill(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink()
        print("JupyterHub stopped (with its proxy and the users' servers)")
    postgres.stop(state / "postgres")
    print("PostgreSQL stopped")
    if args.remove_accounts and (state / "class.json").exists():
        settings = json.loads((state / "class.json").read_text())
        for name in [settings["instructor"], *settings["students"]]:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        print("accounts removed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    begin = sub.add_parser("start")
    begin.add_argument("--port", type=int, default=8000)
    begin.add_argument("--instructor", default="instructor")
    begin.add_argument("--students", nargs="+", default=["student1", "student2", "student3"])
    end = sub.add_parser("stop")
    end.add_argument("--remove-accounts", action="store_true")
    for command in (begin, end):
        command.add_argument("--state", type=Path, default=DEFAULT_STATE, help=f"default {DEFAULT_STATE}")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("The class hub needs root: it makes a Unix account for every user. "
                 "Run `sudo make hub` (or as root).")
    start(args) if args.command == "start" else stop(args)


if __name__ == "__main__":
    main()
