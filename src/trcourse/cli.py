"""The `trcourse` command: course tooling for authors and instructors."""

import argparse
import os
import sys
from pathlib import Path

from .grading.commands import add_commands as add_grading_commands
from .grading.roots import CourseError, check
from .paths import ROOT, assignment_ids


def _data(args: argparse.Namespace) -> int:
    from .datasets import files

    rendered = files.render(args.root)
    if args.check:
        drifted = files.stale(rendered)
        for path in drifted:
            print(f"out of date: {path.relative_to(args.root)}")
        print(f"{len(drifted)} of {len(rendered)} generated files out of date"
              + (": run `make data`" if drifted else ": all up to date"))
        return 1 if drifted else 0
    files.write(rendered)
    print(f"wrote {len(rendered)} files (data/, solutions/*/data/, data/README.md)")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import generate_assignment

    assignments = args.assignments or assignment_ids(args.root)
    for assignment in assignments:
        generate_assignment(args.root, assignment)
        print(f"released exercises/{assignment}")
    print(f"released {len(assignments)} assignments from solutions/ into exercises/")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .validate import report

    failed = 0
    for notebook in args.notebooks:
        passed, text = report(notebook)
        failed += not passed
        print(text)
    print(f"validated {len(args.notebooks)} notebooks: {failed} failed")
    return 1 if failed else 0


def _bundle(args: argparse.Namespace) -> int:
    from .bundle import build

    archive = build(args.root, args.output)
    print(f"student bundle: {archive}")
    return 0


def _practice_class(args: argparse.Namespace) -> int:
    from .grading import practice, synthetic_class

    path = args.path or args.root / practice.DEFAULT
    practice.create(args.root, path)
    made = synthetic_class.generate(path, args.assignment, args.students, args.seed)
    print(f"grade it:  .venv/bin/trcourse --root {path} grade {args.assignment}  (then feedback, export)")
    print(f"remove it: make practice-remove  (or: trcourse practice-remove {path})")
    print(f"made the practice course {path} with {len(made)} synthetic submissions of "
          f"{args.assignment} (nothing written to the real course)")
    return 0


def _practice_remove(args: argparse.Namespace) -> int:
    from .grading import practice

    path = args.path or args.root / practice.DEFAULT
    if not path.exists():
        print(f"no practice course at {path}: nothing to remove")
        return 0
    practice.remove(path)
    print(f"removed the practice course {path}")
    return 0


# What each command needs of --root before it touches anything (see grading.roots.check).
NEEDS_RELEASE = {"grade", "feedback", "export", "synthetic-class", "practice-class"}
NEEDS_SOURCE = NEEDS_RELEASE | {"release", "data"}


def check_root(args: argparse.Namespace) -> None:
    """Refuse a --root that is not a complete course for this command (one line, nothing touched)."""
    if args.command in NEEDS_SOURCE:
        check(args.root, getattr(args, "assignment", None), release=args.command in NEEDS_RELEASE)


def _student_requirements(args: argparse.Namespace) -> int:
    from .student_env import STUDENT_LOCK, render

    (args.root / STUDENT_LOCK).write_text(render(args.root))
    print(f"wrote {STUDENT_LOCK}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trcourse", description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the course folder (nbgrader course root) to work on (default: this repo)")
    parser.add_argument("--gradebook", metavar="URL",
                        help="gradebook database URL, e.g. postgresql+psycopg://user:pw@127.0.0.1/gradebook "
                             "(default: the course's SQLite; sets TRCOURSE_GRADEBOOK)")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="regenerate the synthetic datasets and the data card")
    data.add_argument("--check", action="store_true", help="only report files that drifted")
    data.set_defaults(func=_data)

    release = sub.add_parser("release", help="generate exercises/ from solutions/ (nbgrader)")
    release.add_argument("assignments", nargs="*", help="default: every assignment")
    release.set_defaults(func=_release)

    validate = sub.add_parser("validate", help="run a notebook's tests; exit 1 if any fails")
    validate.add_argument("notebooks", nargs="+", type=Path)
    validate.set_defaults(func=_validate)

    bundle = sub.add_parser("bundle", help="zip what students need (no solutions) into dist/")
    bundle.add_argument("--output", type=Path, help="archive path (default: dist/<name>-student.zip)")
    bundle.set_defaults(func=_bundle)

    student = sub.add_parser("student-requirements",
                             help="write requirements-student.txt from requirements.txt")
    student.set_defaults(func=_student_requirements)

    add_grading_commands(sub)

    practice = sub.add_parser("practice-class", help="a fresh practice course with a synthetic class "
                              "(never the real gradebook)")
    practice.add_argument("assignment")
    practice.add_argument("--students", type=int, default=60)
    practice.add_argument("--seed", type=int, default=0)
    practice.add_argument("--path", type=Path, help="where (default: <root>/practice-course)")
    practice.set_defaults(func=_practice_class)

    remove = sub.add_parser("practice-remove", help="delete a practice course (refuses anything else)")
    remove.add_argument("path", type=Path, nargs="?", help="default: <root>/practice-course")
    remove.set_defaults(func=_practice_remove)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    before = os.environ.get("TRCOURSE_GRADEBOOK")
    if args.gradebook:  # read by the course's nbgrader_config.py, here and in the grading workers
        os.environ["TRCOURSE_GRADEBOOK"] = args.gradebook
    try:
        check_root(args)
        return args.func(args)
    except CourseError as error:
        print(f"trcourse: {error}", file=sys.stderr)
        return 2
    finally:  # this command's choice only, also when main() is called in-process
        if before is None:
            os.environ.pop("TRCOURSE_GRADEBOOK", None)
        else:
            os.environ["TRCOURSE_GRADEBOOK"] = before


if __name__ == "__main__":
    sys.exit(main())
