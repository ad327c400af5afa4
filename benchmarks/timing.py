"""Time sampling shared by the benchmark scripts."""
import time


def timed(function, repeats: int, clock=time.perf_counter) -> list[float]:
    """Seconds taken by each of ``repeats`` calls of ``function``: wall clock, or with
    ``clock=time.thread_time`` the processor time of this thread, which other jobs on a
    shared machine do not stretch."""
    times = []
    for _ in range(repeats):
        start = clock()
        function()
        times.append(clock() - start)
    return times
