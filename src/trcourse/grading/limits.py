"""Limits on student code during grading: a per-cell time limit and a memory cap.

Both are nbgrader configuration (``Execute`` traits): the time limit is nbgrader's own, and the
kernel that runs student code is the course's ``kernel.LimitedKernel``, which caps its data memory
with ``setrlimit`` and makes sure an interrupted cell stops.
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


def execute_config(cell_timeout: int, memory_mb: int) -> Config:
    """nbgrader configuration: a per-cell time limit and a memory cap for student code."""
    config = Config()
    config.Execute.timeout = cell_timeout
    config.Execute.interrupt_on_timeout = True
    config.Execute.raise_on_iopub_timeout = False
    config.Execute.extra_arguments = kernel_arguments(memory_mb)
    return config
