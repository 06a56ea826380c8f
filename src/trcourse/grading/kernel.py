"""The grading kernel: an IPython kernel with a memory cap and an interrupt student code cannot swallow.

nbgrader interrupts a cell after ``Execute.timeout`` seconds (SIGINT). A loop that catches
KeyboardInterrupt keeps running, and every later cell then waits for its own timeout. Once
interrupted, ``LimitedKernel`` raises KeyboardInterrupt again at the next line of cell code (the
cell's own functions included, the libraries it calls and the kernel's machinery not), every
``REPEAT_S`` seconds; code that has still not stopped after ``GRACE_S`` seconds ends the kernel,
which nbgrader reports as a dead kernel. Started through ``limits.kernel_arguments``.
"""

import os
import signal
import sys
import threading

from ipykernel.ipkernel import IPythonKernel
from traitlets import Integer

from .limits import cap_memory

REPEAT_S = 0.1  # seconds between repeated interrupts of a cell that swallowed one
GRACE_S = 3.0  # seconds an interrupted cell gets to stop before the kernel ends itself


class LimitedKernel(IPythonKernel):
    """IPython kernel with a memory cap and an interrupt that student code cannot swallow."""

    memory_mb = Integer(0, help="Cap (MB) on the kernel's data memory; 0 means no cap.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.memory_mb:
            cap_memory(self.memory_mb)
        self._cell_dir = os.path.dirname(self.shell.compile.get_code_name("", "", 0))
        self._deadline = None

    def pre_handler_hook(self):
        """During a request, interrupts go to ``_interrupt`` (ipykernel would install the default)."""
        self.saved_sigint_handler = signal.signal(signal.SIGINT, self._interrupt)
        self._saved_alarm_handler = signal.signal(signal.SIGALRM, self._interrupt)

    def post_handler_hook(self):
        """The request is over: stop interrupting (if it was), restore ipykernel's handlers."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(None)
        signal.signal(signal.SIGALRM, self._saved_alarm_handler)
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def _in_cell(self, frame) -> bool:
        return frame.f_code.co_filename.startswith(self._cell_dir)

    def _cell_frames(self, frame) -> list:
        """The frames of cell code (the cell and the functions it defined) on the stack."""
        frames = []
        while frame is not None:
            if self._in_cell(frame):
                frames.append(frame)
            frame = frame.f_back
        return frames

    def _interrupt(self, signum, frame):
        """Raise KeyboardInterrupt now, at the next line of cell code, and again until the cell stops."""
        cell_frames = self._cell_frames(frame)
        if not cell_frames:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        if self._deadline is None:
            self._deadline = threading.Timer(GRACE_S, os._exit, (1,))
            self._deadline.daemon = True
            self._deadline.start()

        def raise_in_cell(frame, event, arg):
            if not self._in_cell(frame):
                return None
            if event == "line":
                raise KeyboardInterrupt
            return raise_in_cell

        for cell_frame in cell_frames:
            cell_frame.f_trace = raise_in_cell
        sys.settrace(raise_in_cell)
        signal.setitimer(signal.ITIMER_REAL, REPEAT_S)
        raise KeyboardInterrupt
