"""A progress line for long imports on the command line: rows done, rows per second, time left."""

import sys
import time


class Progress:
    def __init__(self, total: int, *, stream=None, label: str = "", min_interval: float = 0.5):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.min_interval = min_interval
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.done = 0

    def phase(self, label: str) -> None:
        """Start counting again, e.g. from checking the rows to saving them."""
        self.finish()
        self.label, self.done = label, 0
        self.started, self.last_shown = time.monotonic(), 0.0

    def __call__(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.last_shown >= self.min_interval or done >= self.total:
            self.last_shown = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        left_text = "?" if left == float("inf") else f"{left:,.0f} s"
        return (
            f"{self.label}: {self.done:,} / {self.total:,} rows · {rate:,.0f} rows/s · "
            f"{left_text} left"
        )

    def finish(self) -> None:
        if self.done:
            self.done = self.total
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
