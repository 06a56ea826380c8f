"""The student bundle: one zip with a complete offline course and nothing from solutions/.

Chapters converted to plain Markdown (student_chapters), exercises, data, the built HTML book,
the student environment (requirements-student.txt plus the student Jupyter settings) and a README.
"""

import zipfile
from pathlib import Path

import nbformat

from .paths import ROOT
from .student_chapters import HTML_BOOK, Book, convert
from .student_env import STUDENT_LOCK

NAME = "treatment-resistance"
ARCHIVE = Path("dist") / f"{NAME}-student.zip"
FOLDERS = ("exercises", "data")
README = Path("book") / "student-bundle-README.md"
BUILD = Path("_build")  # `make book`'s output: html/ and the Sphinx environment
STUDENT_CONFIG = Path("src") / "trcourse" / "student_config"
CONFIG_PACKAGE = "jupyter-config"  # installed by the bundle's requirements.txt
EXCLUDED = {"__pycache__", ".ipynb_checkpoints", "answer_variants.yml", ".buildinfo"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same sources give the same archive bytes


def student_environment(text: str) -> str:
    """environment.yml without the editable install of the course tooling (not in the bundle)."""
    return "".join(line for line in text.splitlines(keepends=True) if line.strip() != "- -e .")


def _wanted(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return (path.is_file() and path.suffix != ".pyc"
            and not any(part.startswith(".") or part in EXCLUDED for part in parts))


def tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """Every wanted file under ``folder``, as ``prefix/<relative path>``."""
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if _wanted(p, folder)}


def chapters(root: Path, book_dir: Path) -> dict[str, bytes]:
    """The reading chapters as plain Markdown notebooks (needs the built book), and their style."""
    book = Book.load(book_dir)
    files = {}
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = convert(nbformat.read(path, as_version=4), f"notebooks/{path.stem}", book)
        files[f"notebooks/{path.name}"] = (nbformat.writes(nb) + "\n").encode()
    files["notebooks/course.mplstyle"] = (root / "notebooks" / "course.mplstyle").read_bytes()
    return files


def contents(root: Path = ROOT, book_dir: Path | None = None) -> dict[str, bytes]:
    """Path inside the archive -> bytes, for every file of the bundle (``book_dir``: the built book)."""
    book_dir = book_dir or root / BUILD
    config = root / STUDENT_CONFIG
    requirements = (root / STUDENT_LOCK).read_text() + f"./{CONFIG_PACKAGE}\n"
    files = {
        "README.md": (root / README).read_bytes(),
        "requirements.txt": requirements.encode(),
        "environment.yml": student_environment((root / "environment.yml").read_text()).encode(),
        "nbgrader_config.py": (config / "nbgrader_config.py").read_bytes(),
        **tree(config / "etc", f"{CONFIG_PACKAGE}/etc"),
        f"{CONFIG_PACKAGE}/pyproject.toml": (config / "pyproject.toml").read_bytes(),
        **chapters(root, book_dir),
        **tree(book_dir / "html", HTML_BOOK),
    }
    for folder in FOLDERS:
        files.update(tree(root / folder, folder))
    return {f"{NAME}/{name}": data for name, data in files.items()}


def build(root: Path = ROOT, archive: Path | None = None, book_dir: Path | None = None) -> Path:
    """Write the bundle (default: dist/treatment-resistance-student.zip) and return its path.

    ``book_dir``: the built book's folder (default: ``_build``, made by `make book`).
    """
    return write_zip(archive or root / ARCHIVE, contents(root, book_dir))


def write_zip(archive: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (path inside the archive -> bytes) as a reproducible zip; return its path."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return archive
