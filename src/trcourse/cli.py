"""The `trcourse` command: course tooling for authors and instructors."""

import argparse
import os
import sys
from pathlib import Path

from .grading.commands import add_commands as add_grading_commands
from .paths import ROOT, assignment_ids


def _data(args: argparse.Namespace) -> int:
    from .datasets import files

    rendered = files.render(args.root)
    if args.check:
        drifted = files.stale(rendered)
        for path in drifted:
            print(f"out of date: {path.relative_to(args.root)}")
        return 1 if drifted else 0
    files.write(rendered)
    print(f"wrote {len(rendered)} files (data/, solutions/*/data/, data/README.md)")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import generate_assignment

    for assignment in args.assignments or assignment_ids(args.root):
        generate_assignment(args.root, assignment)
        print(f"released exercises/{assignment}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .validate import problems

    failed = 0
    for notebook in args.notebooks:
        found = problems(notebook)
        failed += bool(found)
        print(f"{'FAILED' if found else 'passed'}: {notebook}")
        for problem in found:
            print(f"  - {problem}")
    return 1 if failed else 0


def _bundle(args: argparse.Namespace) -> int:
    from .bundle import build

    archive = build(args.root, args.output)
    print(f"student bundle: {archive}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trcourse", description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT, help="course root (default: this repo)")
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

    add_grading_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.gradebook:
        os.environ["TRCOURSE_GRADEBOOK"] = args.gradebook
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
