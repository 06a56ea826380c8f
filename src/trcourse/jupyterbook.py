"""Jupyter Book's command line without a slow import it never uses.

jsonschema, which Jupyter Book imports to check _config.yml, loads the optional package
rfc3987_syntax when it is installed (jupyter-events asks for it), and that compiles 38 grammars
on import: about 1.5-2 s of every build, a third of a no-change rebuild. Jupyter Book checks no
"iri" format, so the package is hidden from this process and jsonschema skips that check.

Usage: ``python -m trcourse.jupyterbook build .`` (the arguments of ``jupyter-book``).
"""

import sys


def main() -> None:
    """Run ``jupyter-book`` with sys.argv, rfc3987_syntax hidden."""
    sys.modules.setdefault("rfc3987_syntax", None)  # `import` now raises ImportError
    from jupyter_book.cli.main import main as jupyter_book

    jupyter_book()


if __name__ == "__main__":
    main()
