"""Limits on student code during grading: a per-cell time limit, a memory cap, the sandbox.

All are nbgrader configuration: the time limit is nbgrader's own (``Execute``); the kernel that runs
student code is the course's ``kernel.LimitedKernel``, which caps its data memory with ``setrlimit``
and makes sure an interrupted cell stops; autograde's ``Execute`` step is ``execute.GradingExecute``,
which starts that kernel in the sandbox (``sandbox``: CPU, process and file-size limits too).
"""

import resource

from traitlets.config import Config

DEFAULT_MEMORY_MB = 2048  # generous for the course's small tables; a runaway allocation stops here
KERNEL_CLASS = "trcourse.grading.kernel.LimitedKernel"


def cap_memory(megabytes: int) -> None:
    """Cap this process's data memory (heap and private mappings); allocations beyond raise MemoryError."""
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def kernel_arguments(memory_mb: int) -> list[str]:
    """Kernel command-line arguments that start ``LimitedKernel`` with a memory cap."""
    return [f"--IPKernelApp.kernel_class={KERNEL_CLASS}",
            f"--LimitedKernel.memory_mb={memory_mb}"]


def autograde_preprocessors() -> list:
    """nbgrader's autograde steps, its ``Execute`` replaced by the course's sandboxed ``GradingExecute``."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from .execute import GradingExecute

    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    return [GradingExecute if step is Execute else step for step in steps]


def execute_config(cell_timeout: int, memory_mb: int, sandbox: bool = True) -> Config:
    """nbgrader configuration: a per-cell time limit, a memory cap, the sandbox (or not) for student code."""
    config = Config()
    config.Autograde.autograde_preprocessors = autograde_preprocessors()
    config.GradingKernelManager.sandbox = sandbox
    config.Execute.timeout = cell_timeout
    config.Execute.interrupt_on_timeout = True
    config.Execute.raise_on_iopub_timeout = False
    config.Execute.extra_arguments = kernel_arguments(memory_mb)
    return config
