"""Item analysis: how hard each question was and how well it separated stronger from weaker students.

- difficulty: mean fraction of the item's points the students got (1 = everyone got it right);
- discrimination: corrected item-total correlation, the Pearson correlation between the item's
  score and the total of the *other* items (undefined when either does not vary).
Flags use classical test theory rules of thumb: too easy above 0.90, too hard below 0.30,
negatively discriminating below 0.
"""

from pathlib import Path

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from . import course
from .autograde import load_outcomes
from .export import grades_table, max_points
from .outcomes import SCORED_ZERO

TOO_EASY, TOO_HARD = 0.90, 0.30
COLOURS = {"item": "#0072B2", "flag": "#D55E00", "line": "#555555"}  # Okabe-Ito, colour-blind safe


def item_statistics(scores: pd.DataFrame, points: pd.Series) -> pd.DataFrame:
    """Per item: points, mean score, difficulty, discrimination and flags (students x items in)."""
    items = scores[points.index].astype(float)
    total = items.sum(axis=1)
    table = pd.DataFrame({
        "points": points,
        "mean_score": items.mean(),
        "difficulty": (items / points).mean(),
        "discrimination": pd.Series({q: items[q].corr(total - items[q]) for q in items}),
    })
    table["flags"] = pd.Series([", ".join(_flags(row)) for row in table.itertuples()], index=table.index,
                               dtype=object)  # object even when no item can be analysed
    return table


def _flags(row) -> list[str]:
    flags = []
    if row.difficulty > TOO_EASY:
        flags.append("too easy")
    if row.difficulty < TOO_HARD:
        flags.append("too hard")
    if row.discrimination < 0:
        flags.append("negatively discriminating")
    return flags


def analysed(grades: pd.DataFrame, points: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Scores to analyse: graded submissions, items most of them have a score for (manual items
    wait for their grading), then the submissions with a score on every such item."""
    graded = grades[~grades.outcome.isin(SCORED_ZERO + ("not graded",))]
    items = [q for q in points.index if graded[q].notna().mean() > 0.5]
    return graded[items].dropna(), points[items]


def write_report(root: Path, assignment: str) -> Path:
    """The item-analysis report: grading-reports/<assignment>/item-report.html with PNG figures."""
    api = course.open_api(Path(root))
    grades = grades_table(root, assignment)
    points = max_points(api, assignment)
    scores, used = analysed(grades, points)
    stats = item_statistics(scores, used)
    outcomes = load_outcomes(root, assignment).outcome.value_counts().rename("submissions")
    folder = course.reports_dir(root, assignment)
    figures = {
        "score-distribution.png": _histogram(scores.sum(axis=1), used.sum()),
        "item-difficulty.png": _bars(stats.difficulty, "Difficulty (mean fraction of points)",
                                     stats["flags"].str.contains("too"), (TOO_HARD, TOO_EASY)),
        "item-discrimination.png": _bars(stats.discrimination, "Discrimination (corrected item-total r)",
                                         stats.discrimination < 0, (0,)),
        "outcomes.png": _outcome_bars(outcomes),
    }
    for name, figure in figures.items():
        figure.savefig(folder / name, dpi=110, bbox_inches="tight")
    html = _TEMPLATE.render(
        assignment=assignment, students=len(scores), items=len(used), points=used.sum(),
        skipped=[q for q in points.index if q not in used.index],
        mean=scores.sum(axis=1).mean(), median=scores.sum(axis=1).median(),
        stats=stats.round(3).to_html(classes="items", na_rep="n/a"),
        outcomes=outcomes.to_frame().to_html(), too_easy=TOO_EASY, too_hard=TOO_HARD)
    path = folder / "item-report.html"
    path.write_text(html)
    return path


def _histogram(totals: pd.Series, maximum: float):
    figure = Figure(figsize=(6, 3.2))
    ax = figure.subplots()
    ax.hist(totals, bins=min(20, max(5, int(maximum))), range=(0, maximum), color=COLOURS["item"])
    ax.set(title="Score distribution", xlabel=f"Autograded score (points, of {maximum:g})",
           ylabel="Students")
    return figure


def _bars(values: pd.Series, label: str, flagged: pd.Series, lines: tuple[float, ...]):
    figure = Figure(figsize=(6, 0.35 * len(values) + 1))
    ax = figure.subplots()
    colours = [COLOURS["flag"] if f else COLOURS["item"] for f in flagged]
    ax.barh(values.index[::-1], values.fillna(0)[::-1], color=colours[::-1])
    for x in lines:
        ax.axvline(x, color=COLOURS["line"], linestyle="--", linewidth=1)
    ax.set(title=label.split(" (")[0] + " per item (flagged in orange)", xlabel=label)
    return figure


def _outcome_bars(counts: pd.Series):
    figure = Figure(figsize=(6, 0.35 * max(len(counts), 1) + 1))
    ax = figure.subplots()
    ax.barh(counts.index[::-1], counts.values[::-1], color=COLOURS["item"])
    ax.set(title="Submission outcomes", xlabel="Submissions")
    return figure


_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Item analysis: {{ assignment }}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:right}</style>
</head><body>
<h1>Item analysis: {{ assignment }}</h1>
<p>{{ students }} graded submissions, {{ items }} items worth {{ points }} points.
Mean score {{ "%.1f"|format(mean) }}, median {{ "%.1f"|format(median) }}.
Left out: submissions that could not be graded (unreadable, missing, kernel died, grading failed)
or lack a score on an analysed item (a deleted test cell);
{% if skipped %}items most students have no score for yet (manual grading pending):
{{ skipped|join(", ") }}.{% else %}no item.{% endif %}</p>
<h2>Score distribution</h2>
<img src="score-distribution.png" alt="Histogram of the students' autograded scores.">
<h2>Items</h2>
<p><b>Difficulty</b> is the mean fraction of an item's points the students got. <b>Discrimination</b> is
the corrected item-total correlation: the correlation between the item's score and the total of the
other items (n/a when either does not vary). Flags: too easy above {{ too_easy }}, too hard below
{{ too_hard }}, negatively discriminating below 0.</p>
{{ stats|safe }}
<img src="item-difficulty.png" alt="Bar chart of each item's difficulty, flagged items in orange.">
<img src="item-discrimination.png" alt="Bar chart of each item's discrimination, negative ones in orange.">
<h2>Submission outcomes</h2>
{{ outcomes|safe }}
<img src="outcomes.png" alt="Bar chart of how many submissions ended in each outcome.">
</body></html>
""")
