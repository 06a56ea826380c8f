"""The class gradebook's PostgreSQL: a cluster in one folder, Debian's server binaries, on 127.0.0.1.

    python deploy/postgres.py start DIR PORT   # prints the gradebook's database URL
    python deploy/postgres.py stop DIR

The cluster (DIR/data) accepts only password logins (scram-sha-256) from 127.0.0.1; the password
is made at ``initdb`` and kept in DIR/password (mode 0600). As root the server runs as ``postgres``.
"""

import glob
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

DATABASE = "gradebook"
SUPERUSER = "grader"


def bin_dir() -> Path:
    """The newest installed PostgreSQL's bin/ (Debian's ``postgresql`` package)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a server tool, as ``postgres`` when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kwargs)


def url(folder: Path, port: int) -> str:
    """SQLAlchemy URL of the gradebook database (psycopg 3)."""
    password = (Path(folder) / "password").read_text().strip()
    return f"postgresql+psycopg://{SUPERUSER}:{password}@127.0.0.1:{port}/{DATABASE}"


def start(folder: Path, port: int) -> str:
    """Create the cluster if needed, start it on 127.0.0.1:PORT, make the gradebook database."""
    folder = Path(folder).resolve()
    data, password_file = folder / "data", folder / "password"
    fresh = not (data / "PG_VERSION").exists()
    if fresh:
        data.mkdir(parents=True, exist_ok=True)
        data.chmod(0o700)
        password_file.write_text(secrets.token_urlsafe(16) + "\n")
        password_file.chmod(0o600)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (data, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        _run([bin_dir() / "initdb", "-D", data, "-U", SUPERUSER, "--auth=scram-sha-256",
              f"--pwfile={password_file}", "--encoding=UTF8", "--locale=C"])
    _run([bin_dir() / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "start",
          "-o", f"-h 127.0.0.1 -p {port} -k {data}"])
    if fresh:
        _run([bin_dir() / "createdb", "-h", "127.0.0.1", "-p", port, "-U", SUPERUSER, DATABASE],
             env={**os.environ, "PGPASSWORD": password_file.read_text().strip()})
    return url(folder, port)


def stop(folder: Path) -> None:
    """Stop the cluster (fast shutdown); nothing to do if it is not running."""
    data = Path(folder).resolve() / "data"
    if (data / "postmaster.pid").exists():
        _run([bin_dir() / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])


if __name__ == "__main__":
    command, folder, *rest = sys.argv[1:]
    if command == "start":
        print(start(Path(folder), int(rest[0])))
    elif command == "stop":
        stop(Path(folder))
    else:
        sys.exit(__doc__)
