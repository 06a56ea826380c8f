"""The student bundle: one zip with what a student needs and nothing from solutions/."""

import zipfile
from pathlib import Path

from .paths import ROOT

NAME = "treatment-resistance"
ARCHIVE = Path("dist") / f"{NAME}-student.zip"
FOLDERS = ("exercises", "notebooks", "data")
README = Path("book") / "student-bundle-README.md"
EXCLUDED = {"__pycache__", ".ipynb_checkpoints", "answer_variants.yml"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same sources give the same archive bytes


def student_environment(text: str) -> str:
    """environment.yml without the editable install of the course tooling (not in the bundle)."""
    return "".join(line for line in text.splitlines(keepends=True) if line.strip() != "- -e .")


def _wanted(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return (path.is_file() and path.suffix != ".pyc"
            and not any(part.startswith(".") or part in EXCLUDED for part in parts))


def contents(root: Path = ROOT) -> dict[str, bytes]:
    """Path inside the archive -> bytes, for every file of the bundle."""
    files = {
        f"{NAME}/README.md": (root / README).read_bytes(),
        f"{NAME}/requirements.txt": (root / "requirements.txt").read_bytes(),
        f"{NAME}/environment.yml": student_environment((root / "environment.yml").read_text()).encode(),
    }
    for folder in FOLDERS:
        files.update({f"{NAME}/{name}": data for name, data in tree(root / folder, root).items()})
    return files


def tree(folder: Path, root: Path) -> dict[str, bytes]:
    """Path relative to ``root`` -> bytes, for every wanted file under ``folder``."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if _wanted(path, root)}


def build(root: Path = ROOT, archive: Path | None = None) -> Path:
    """Write the bundle (default: dist/treatment-resistance-student.zip) and return its path."""
    return write_zip(archive or root / ARCHIVE, contents(root))


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
