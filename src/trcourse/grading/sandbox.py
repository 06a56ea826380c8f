"""Every grading kernel in a bubblewrap sandbox, reached over ZMQ's IPC transport.

The kernel sees the system and the Python environment read-only, a private /tmp and HOME, a
folder of its own for its sockets and connection file, and the autograded folder of its one
student (its working directory) writable; nothing else of the course. It has no network, its own
PID namespace (its processes end with it) and limits on CPU time, processes and file size (memory:
``kernel.LimitedKernel``). Run by root, bwrap switches the kernel to an unprivileged uid with
``setpriv``; run by another user, a user namespace maps it to ``nobody``. Interrupts are messages
(a signal sent to bwrap does not reach the kernel). Without the sandbox (``sandbox=False``) the
kernel still uses IPC, which removes the TCP port races between parallel workers.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import Bool, Integer
from traitlets.config import LoggingConfigurable

import trcourse

SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
NOBODY = 65534
UID_BASE = 200_000  # root grades each worker's kernels as its own uid, so limits are per worker
HOME = "/tmp/home"
TMP_MB = 256  # size of the private /tmp (HOME is in it)
NAMESPACES = ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try")
ENV_KEPT = ("LANG", "LC_ALL", "TZ", "NBGRADER_EXECUTION", "PYDEVD_DISABLE_FILE_VALIDATION", "MPLCONFIGDIR")
FIX = ("install bubblewrap (Debian: apt-get install bubblewrap) and allow user namespaces "
       "(sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also "
       "kernel.apparmor_restrict_unprivileged_userns=0), or grade with --no-sandbox "
       "(student code then runs with your rights)")


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create its namespaces here."""


def sandbox_uid() -> int:
    """The uid of this worker's sandboxed kernels (under root: an unused uid per worker process)."""
    return UID_BASE + os.getpid() % 100_000 if os.geteuid() == 0 else NOBODY


def read_only_paths() -> list[Path]:
    """What a kernel must read: the system, the Python installation and environment, the course package."""
    system = [Path(p) for p in SYSTEM if Path(p).exists()]
    python = {Path(sys.prefix), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent,
              Path(sysconfig.get_paths()["purelib"]), Path(trcourse.__file__).parent}
    return system + sorted(p for p in python if not any(p != q and p.is_relative_to(q)
                                                        for q in [*system, *python]))


def _parents(path: Path, made: set[Path]) -> list[str]:
    """bwrap arguments creating the missing parents of a mount point, readable by the kernel's uid."""
    args = []
    for parent in reversed(path.parents[:-1]):
        if parent not in made and str(parent) != "/tmp":
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_command(command: list[str], workdir: Path, private: Path, limits: dict[str, int],
                  env: dict[str, str]) -> list[str]:
    """The kernel command wrapped in bwrap: ``workdir`` and ``private`` writable, limits applied."""
    args = ["bwrap", *NAMESPACES, "--die-with-parent", "--new-session", "--clearenv",
            "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(TMP_MB * 2**20),
            "--tmpfs", "/tmp", "--perms", "1777", "--dir", HOME]
    made: set[Path] = set()
    for path in read_only_paths():
        if path.is_symlink() and path.parent == Path("/"):
            args += ["--symlink", os.readlink(path), str(path)]
        else:
            args += _parents(path, made) + ["--ro-bind", str(path), str(path)]
    for path in (workdir, private):  # both below /tmp is fine: the tmpfs came first
        args += _parents(path, made) + ["--bind", str(path), str(path)]
    for name in ENV_KEPT:
        if name in env:
            args += ["--setenv", name, env[name]]
    args += ["--setenv", "HOME", HOME, "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
             "--chdir", str(workdir)]
    if os.geteuid() == 0:
        uid = str(sandbox_uid())
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs"]
    else:
        args += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        drop = []
    rlimits = [f"--cpu={limits['cpu_s']}", f"--nproc={limits['processes']}",
               f"--fsize={limits['file_mb'] * 2**20}"]
    return args + ["--", *drop, "prlimit", *rlimits, "--", *command]


def check() -> None:
    """Raise ``SandboxUnavailable`` naming the fix unless a sandboxed command runs here."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(f"the grading sandbox needs bwrap, which is not installed: {FIX}")
    with tempfile.TemporaryDirectory(prefix="trcourse-check-") as tmp:
        command = bwrap_command(["true"], Path(tmp), Path(tmp), _Grading.limits_default(), {})
        _own(Path(tmp))
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SandboxUnavailable(f"the grading sandbox cannot start ({done.stderr.strip()}): {FIX}")


def matplotlib_dir(private: Path) -> Path:
    """A kernel's matplotlib folder, seeded with the grader's font list (else each kernel rebuilds it)."""
    folder = private / "matplotlib"
    folder.mkdir()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "matplotlib"
    for font_list in cache.glob("fontlist-*.json"):
        shutil.copy(font_list, folder)
    return folder


def _own(path: Path) -> None:
    """Under root: give a folder (and what it holds) to the kernel's uid, so the kernel can write there."""
    if os.geteuid() != 0:
        return
    uid = sandbox_uid()
    os.chown(path, uid, uid)
    path.chmod(0o755)  # bwrap, without root's powers, enters it before switching to that uid
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


class _Grading(LoggingConfigurable):
    """What the grading kernel managers add: IPC sockets in a private folder, message interrupts, bwrap."""

    sandbox = Bool(True, help="Run the kernel in the bubblewrap sandbox.").tag(config=True)
    cpu_s = Integer(600, help="CPU seconds of the kernel process.").tag(config=True)
    processes = Integer(256, help="Processes and threads of the sandbox's uid.").tag(config=True)
    file_mb = Integer(100, help="Largest file the kernel may write (MB).").tag(config=True)

    @staticmethod
    def limits_default() -> dict[str, int]:
        traits = _Grading.class_traits()
        return {name: traits[name].default_value for name in ("cpu_s", "processes", "file_mb")}

    async def _async_pre_start_kernel(self, **kw):
        private = Path(tempfile.mkdtemp(prefix="trcourse-kernel-"))
        self._private = private
        self.transport = "ipc"
        self.ip = str(private / "kernel")
        self.connection_file = str(private / "kernel.json")
        self.kernel_spec.interrupt_mode = "message"
        kw.setdefault("stdout", 2)  # ipykernel's notes go to the log (a worker's stderr), not the console
        command, kw = await super()._async_pre_start_kernel(**kw)
        if not self.sandbox:
            return command, kw
        if "cwd" not in kw:
            raise SandboxUnavailable("a sandboxed kernel needs a working directory (the autograded folder)")
        workdir = Path(kw["cwd"]).resolve()
        env = {**kw.get("env", os.environ), "MPLCONFIGDIR": str(matplotlib_dir(private))}
        _own(private)
        _own(workdir)
        limits = {"cpu_s": self.cpu_s, "processes": self.processes, "file_mb": self.file_mb}
        return bwrap_command(command, workdir, private, limits, env), kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart and getattr(self, "_private", None):
            shutil.rmtree(self._private, ignore_errors=True)


class GradingKernelManager(_Grading, AsyncKernelManager):
    """The grading kernel manager nbgrader's (asynchronous) notebook client uses."""


class BlockingGradingKernelManager(_Grading, KernelManager):
    """The same with a blocking API (``start_kernel`` etc. return when done)."""
