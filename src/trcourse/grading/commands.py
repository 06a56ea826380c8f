"""The grading subcommands of ``trcourse``: grade, feedback, export, synthetic-class."""

import argparse
import os
import sys

from .limits import DEFAULT_MEMORY_MB

NO_SANDBOX_RISK = ("it can read the solutions and the gradebook, change course files and scores, "
                   "use the network and leave processes running")


def _grade(args: argparse.Namespace) -> int:
    from .autograde import Limits, grade
    from .sandbox import SandboxUnavailable

    if not args.sandbox:
        print(f"WARNING: --no-sandbox: student code runs with your rights: {NO_SANDBOX_RISK}",
              file=sys.stderr)
    try:
        table = grade(args.root, args.assignment, args.student, args.workers,
                      Limits(args.cell_timeout, args.memory_mb, args.sandbox), remaining=args.remaining)
    except (ValueError, SandboxUnavailable) as error:  # a --student without a submission; no sandbox
        print(error)
        return 2
    print(table.to_string(index=False, max_colwidth=80))
    print("\n" + table.outcome.value_counts().to_string())
    print(f"\noutcomes saved in grading-reports/{args.assignment}/outcomes.csv (logs: logs/)")
    return 1 if table.outcome.isin(["grading_failed", "infrastructure_error"]).any() else 0


def _feedback(args: argparse.Namespace) -> int:
    from .export import pending_items
    from .feedback import autograded, generate, without_page

    if not autograded(args.root, args.assignment):
        print(f"not made: no autograded submission of {args.assignment} (run trcourse grade first)")
        return 1
    waiting = {s: items for s, items in pending_items(args.root, args.assignment).items()
               if not args.student or s in args.student}
    if waiting and not args.provisional:
        print(f"not made: {len(waiting)} students have answers not marked yet "
              f"({', '.join(sorted(waiting)[:5])}{' ...' if len(waiting) > 5 else ''}); mark them in the "
              "formgrader, or pass --provisional for pages that show them as pending")
        return 1
    leaks = generate(args.root, args.assignment, args.student)
    for page, found in leaks.items():
        print(f"LEAK, page deleted: {page}: {found[:3]}")
    for student, why in without_page(args.root, args.assignment, args.student).items():
        print(f"no page for {student}: {why}")
    print(f"feedback in feedback/*/{args.assignment}/ ({len(leaks)} pages leaked and were deleted; "
          f"{len(waiting)} provisional)")
    return 1 if leaks else 0


def _export(args: argparse.Namespace) -> int:
    from .export import write_grades
    from .items import write_report

    print(f"grades: {write_grades(args.root, args.assignment)}")
    print(f"item analysis: {write_report(args.root, args.assignment)}")
    return 0


def _synthetic_class(args: argparse.Namespace) -> int:
    from .synthetic_class import generate

    made = generate(args.root, args.assignment, args.students, args.seed)
    print(f"wrote {len(made)} synthetic submissions of {args.assignment} to submitted/ "
          f"(manifest: grading-reports/{args.assignment}/synthetic-class.csv)")
    return 0


def add_commands(sub) -> None:
    """Register the grading subcommands on the ``trcourse`` parser."""
    grade = sub.add_parser("grade", help="autograde every submission in parallel (nbgrader)")
    grade.add_argument("assignment")
    grade.add_argument("--workers", type=int, default=os.cpu_count(),
                       help="worker processes (default: the number of CPUs)")
    grade.add_argument("--student", nargs="+", action="extend", help="(re)grade only these students")
    grade.add_argument("--cell-timeout", type=int, default=60, metavar="SEC", help="per cell (default 60)")
    grade.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help=f"memory cap of student code (default {DEFAULT_MEMORY_MB})")
    grade.add_argument("--remaining", action="store_true",
                       help="only students without a saved outcome or with infrastructure_error")
    grade.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                       help="run student code without the bubblewrap sandbox (warns; not recommended)")
    grade.set_defaults(func=_grade)

    feedback = sub.add_parser("feedback", help="feedback HTML without hidden tests (nbgrader)")
    feedback.add_argument("assignment")
    feedback.add_argument("--student", nargs="+", action="extend", help="only these students")
    feedback.add_argument("--provisional", action="store_true",
                          help="make pages even where answers are not marked yet (shown as pending)")
    feedback.set_defaults(func=_feedback)

    export = sub.add_parser("export", help="grades CSV (one row per student) and item-analysis report")
    export.add_argument("assignment")
    export.set_defaults(func=_export)

    synthetic = sub.add_parser("synthetic-class", help="write N synthetic submissions into a practice "
                               "course (--root); see practice-class")
    synthetic.add_argument("assignment")
    synthetic.add_argument("--students", type=int, default=60)
    synthetic.add_argument("--seed", type=int, default=0)
    synthetic.set_defaults(func=_synthetic_class)
