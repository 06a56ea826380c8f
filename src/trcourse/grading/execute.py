"""nbgrader's Execute step as grading runs it: sandboxed kernel, capped output, machinery failures named.

``GradingExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors`` (set in
the course's nbgrader configuration), so plain ``nbgrader autograde`` and the formgrader grade in
the sandbox too; ``nbgrader validate`` (students' own runs) keeps nbgrader's ``Execute``.
"""

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer

from .sandbox import GradingKernelManager

INFRASTRUCTURE = "InfrastructureError"


class InfrastructureError(RuntimeError):
    """Grading failed before any student code ran (for example the kernel did not start)."""


class GradingExecute(Execute):
    """nbgrader's Execute with the grading kernel manager and a cap on the output of each cell."""

    max_output_kb = Integer(1024, help="Output kept per cell (KB); the rest is dropped.").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        """Run the notebook; a failure before its first cell ran is an ``InfrastructureError``."""
        self._cell_started, self._output_bytes = False, 0
        try:
            return super().preprocess(nb, resources, km)
        except Exception as error:
            if self._cell_started:
                raise
            raise InfrastructureError(f"before any cell ran: {type(error).__name__}: {error}") from error

    def preprocess_cell(self, cell, resources, index):
        self._cell_started = True
        self._output_bytes = 0
        return super().preprocess_cell(cell, resources, index)

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's output up to the cap; past it, one note says the rest was dropped."""
        if self._output_bytes > self.max_output_kb * 1024:
            return None
        self._output_bytes += len(str(msg["content"]))
        if self._output_bytes > self.max_output_kb * 1024:
            note = new_output("stream", name="stderr",
                              text=f"\n[output beyond {self.max_output_kb} KB dropped by the grader]\n")
            outs.append(note)
            return note
        return super().output(outs, msg, display_id, cell_index)
