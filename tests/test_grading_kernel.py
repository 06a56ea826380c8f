"""The grading kernel (a real ipykernel, started as grading starts it): memory cap, firm interrupt.

Each test runs in the bubblewrap sandbox (interrupts sent as messages) and without it.
"""

import threading
import time

import pytest

from trcourse.grading.kernel import GRACE_S
from trcourse.grading.limits import kernel_arguments
from trcourse.grading.sandbox import BlockingGradingKernelManager

pytestmark = pytest.mark.slow
SWALLOW = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except:\n        continue\n"
NESTED = """import time
def stubborn():
    while True:
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            pass
while True:
    try:
        stubborn()
    except BaseException:
        try:
            stubborn()
        except:
            pass
"""


@pytest.fixture(params=[True, False], ids=["sandbox", "no-sandbox"])
def kernel(request, tmp_path):
    manager = BlockingGradingKernelManager(kernel_name="python3", sandbox=request.param)
    manager.start_kernel(extra_arguments=kernel_arguments(memory_mb=400), cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code: str, interrupt_after: float | None = None, manager=None) -> tuple[dict, str]:
    """Execute code (interrupting it after some seconds); the reply content and the text printed."""
    printed = []
    if interrupt_after is not None:
        threading.Timer(interrupt_after, manager.interrupt_kernel).start()

    def collect(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = client.execute_interactive(code, timeout=30, output_hook=collect)
    return reply["content"], "".join(printed)


def test_a_loop_that_swallows_keyboardinterrupt_stops_and_the_kernel_keeps_its_state(kernel):
    manager, client = kernel
    run(client, "answer = 41")
    start = time.monotonic()
    reply, _ = run(client, SWALLOW, interrupt_after=1.0, manager=manager)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - start < 1.0 + GRACE_S
    _, printed = run(client, "print(answer + 1)")
    assert printed.strip() == "42", "the cells after the interrupted one run in the same kernel"


def test_a_loop_that_keeps_catching_ends_the_kernel_after_the_grace_period(kernel):
    manager, client = kernel
    threading.Timer(1.0, manager.interrupt_kernel).start()
    client.execute(NESTED)
    deadline = time.monotonic() + 1.0 + GRACE_S + 10
    while manager.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not manager.is_alive(), "nbgrader then reports a dead kernel instead of waiting on every cell"


def test_memory_beyond_the_cap_raises_memoryerror_and_the_kernel_survives(kernel):
    _, client = kernel
    reply, _ = run(client, "block = bytearray(600 * 2**20)")
    assert reply["status"] == "error" and reply["ename"] == "MemoryError"
    _, printed = run(client, "print(len(bytearray(10 * 2**20)))")
    assert printed.strip() == str(10 * 2**20)
