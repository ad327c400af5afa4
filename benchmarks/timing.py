"""Wall-clock sampling shared by the benchmark scripts."""
import time


def timed(function, repeats: int) -> list[float]:
    """Seconds taken by each of ``repeats`` calls of ``function``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times
