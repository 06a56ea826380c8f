"""Self-check quizzes: ``book/quizzes/chNN_<topic>.yml`` appended to the page ``notebooks/chNN_<topic>``.

Each quiz is validated strictly (a malformed file stops the build with an error naming it) and
rendered as radio buttons, in a fixed shuffled order, whose choice shows right/wrong and that
option's own feedback (``static/trcourse-quiz.js``), with no kernel and no network.
"""

import html
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError

CHAPTER_PAGE = re.compile(r"notebooks/(ch\d\d_[a-z0-9_]+)")
QUIZ_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
STATIC = Path(__file__).parent / "static"
SECTION_TITLE = "Self-check quiz"
INTRO = ("Check your understanding: choose an answer to see whether it is right and why. "
         "Nothing is recorded or sent anywhere.")


class QuizError(SphinxError):
    """A quiz file that does not follow the format in CONTRIBUTING.md."""

    category = "Quiz error"


@dataclass(frozen=True)
class Option:
    """One answer of a question, with the feedback shown when it is chosen."""

    answer: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    """One multiple-choice question with exactly one correct option."""

    id: str
    question: str
    options: tuple[Option, ...]


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value.strip()


def _keys(item, expected: set[str], where: str) -> None:
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be a mapping with keys {sorted(expected)}")
    if set(item) != expected:
        raise ValueError(f"{where} has keys {sorted(item)}; expected exactly {sorted(expected)}")


def _option(item, where: str) -> Option:
    _keys(item, {"answer", "correct", "feedback"}, where)
    if not isinstance(item["correct"], bool):
        raise ValueError(f"{where}: 'correct' must be true or false")
    return Option(_text(item["answer"], f"{where}: 'answer'"), item["correct"],
                  _text(item["feedback"], f"{where}: 'feedback'"))


def _question(item, where: str) -> Question:
    _keys(item, {"id", "question", "options"}, where)
    qid = item["id"]
    if not isinstance(qid, str) or not QUIZ_ID.fullmatch(qid):
        raise ValueError(f"{where}: 'id' must be lower-case letters, digits and hyphens")
    where = f"{where} ({qid})"
    raw = item["options"]
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{where}: 'options' must be a list of at least two options")
    options = tuple(_option(o, f"{where}, option {i}") for i, o in enumerate(raw, 1))
    correct = sum(o.correct for o in options)
    if correct != 1:
        raise ValueError(f"{where}: exactly one option must be correct (found {correct})")
    return Question(qid, _text(item["question"], f"{where}: 'question'"), options)


def load_quiz(path: Path) -> list[Question]:
    """The questions of a quiz file; QuizError naming the file when it breaks the format."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _keys(data, {"questions"}, "the file")
        raw = data["questions"]
        if not isinstance(raw, list) or not raw:
            raise ValueError("'questions' must be a non-empty list")
        questions = [_question(q, f"question {i}") for i, q in enumerate(raw, 1)]
        ids = [q.id for q in questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"question ids must be unique; repeated: {duplicates}")
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise QuizError(f"{path}: {error}") from error
    return questions


def _option_html(question: Question, number: int, option: Option) -> str:
    attrs = (f'type="radio" name="quiz-{question.id}" value="{number}" '
             f'data-correct="{str(option.correct).lower()}" '
             f'data-feedback="{html.escape(option.feedback)}"')
    return (f'<label class="trq-option"><input {attrs}> '
            f"<span>{html.escape(option.answer)}</span></label>")


def display_order(question: Question) -> list[int]:
    """The options' order on the page: shuffled, the same in every build (seeded by the id),
    so the right answer's place in the YAML file gives nothing away."""
    order = list(range(len(question.options)))
    random.Random(question.id).shuffle(order)
    return order


def _question_html(number: int, question: Question) -> str:
    options = "\n".join(_option_html(question, i, question.options[i]) for i in display_order(question))
    return (f'<fieldset class="trq-question" id="quiz-{question.id}">\n'
            f'<legend><span class="trq-number">Question {number}.</span> '
            f"{html.escape(question.question)}</legend>\n"
            f'<div class="trq-options">\n{options}\n</div>\n'
            '<p class="trq-feedback" role="status" aria-live="polite" aria-atomic="true"></p>\n'
            "</fieldset>")


def render_html(questions: list[Question]) -> str:
    """The quiz as HTML form controls (trcourse-quiz.js shows the feedback)."""
    body = "\n".join(_question_html(i, q) for i, q in enumerate(questions, 1))
    return (f'<div class="trq-quiz">\n{body}\n<noscript><p>The quiz needs JavaScript to show '
            "its feedback.</p></noscript>\n</div>")


def quiz_path(app: Sphinx, docname: str) -> Path | None:
    """The quiz file of a chapter page, whether or not it exists; None for other pages."""
    match = CHAPTER_PAGE.fullmatch(docname)
    if not match:
        return None
    return Path(app.srcdir) / app.config.trcourse_quiz_dir / f"{match.group(1)}.yml"


def _section(questions: list[Question]) -> nodes.section:
    section = nodes.section(ids=["self-check-quiz"], names=[SECTION_TITLE.lower()])
    section += nodes.title(SECTION_TITLE, SECTION_TITLE)
    section += nodes.paragraph(INTRO, INTRO)
    section += nodes.raw("", render_html(questions), format="html")
    return section


def append_quiz(app: Sphinx, doctree: nodes.document) -> None:
    """Append the chapter's quiz, if it has one, as the last section of its page."""
    path = quiz_path(app, app.env.docname)
    if path is None or not path.is_file():
        return
    app.env.note_dependency(str(path))
    section = _section(load_quiz(path))
    top = next(iter(doctree.findall(nodes.section)), None)
    (top or doctree).append(section)
    doctree.note_implicit_target(section, section)


def new_quizzes(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Pages read before their quiz file existed: read them again."""
    return [doc for doc in env.found_docs - added - changed
            if (path := quiz_path(app, doc)) and path.is_file()
            and str(path) not in env.dependencies.get(doc, ())]


def _add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    """Register the quiz directory setting, the doctree hook and the static assets."""
    app.add_config_value("trcourse_quiz_dir", "book/quizzes", "env")
    # Before Sphinx's table-of-contents collector (priority 500), so the section is listed.
    app.connect("doctree-read", append_quiz, priority=400)
    app.connect("env-get-outdated", new_quizzes)
    app.connect("config-inited", _add_static)
    app.add_css_file("trcourse-quiz.css")
    app.add_js_file("trcourse-quiz.js", defer="defer")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
