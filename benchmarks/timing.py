"""Time sampling shared by the benchmark scripts."""
import statistics
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


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile (0.95: p95) of ``values``; the one value, or 0, when there are fewer than two."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1] if len(values) > 1 else (values or [0])[0]
