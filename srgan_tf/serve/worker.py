"""One inference at a time, behind a bounded queue.

A model already uses every core for one image; two at once would only share them and double the
memory. Requests past the queue's length are refused at once (HTTP 503) instead of waiting
without bound.
"""

import concurrent.futures
import queue
import threading
import time

_STOP = object()


class QueueFull(RuntimeError):
    pass


class Worker:
    """Runs submitted functions one by one on its own thread."""

    def __init__(self, queue_size=8):
        if queue_size < 1:  # queue.Queue reads 0 as "unbounded"
            raise ValueError(f"queue_size must be at least 1, not {queue_size}")
        self.queue_size = queue_size
        self._queue = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._submitted = 0  # tickets handed out
        self._started = 0  # tickets started
        self.busy_seconds = 0.0
        self._thread = threading.Thread(target=self._loop, name="srgan-serve-worker", daemon=True)
        self._thread.start()

    def submit(self, function):
        """``(future, ticket)``: ``function()``'s result to come; raises :class:`QueueFull`."""
        future = concurrent.futures.Future()
        with self._lock:
            try:
                self._queue.put_nowait((future, function))
            except queue.Full:
                raise self._busy() from None
            self._submitted += 1
            return future, self._submitted

    def check_room(self):
        """Raises :class:`QueueFull` when a submit now would be refused, so that a caller refuses a
        request before decoding it (``submit`` still decides: another may take the place first)."""
        if self._queue.full():
            raise self._busy()

    def _busy(self):
        return QueueFull(f"the server is busy ({self.queue_size} images are waiting); try again in a moment")

    def ahead(self, ticket):
        """How many submitted jobs start before ``ticket`` (0: it runs now or has run)."""
        return max(ticket - self._started - 1, 0)

    def _loop(self):
        while (item := self._queue.get()) is not _STOP:
            future, function = item
            with self._lock:
                self._started += 1
            if not future.set_running_or_notify_cancel():
                continue
            start = time.perf_counter()
            try:
                future.set_result(function())
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(error)
            finally:
                self.busy_seconds += time.perf_counter() - start

    def close(self):
        """Cancels what waits, lets the running job finish, and stops the thread."""
        while True:
            try:
                future, _ = self._queue.get_nowait()
            except queue.Empty:
                break
            future.cancel()
        self._queue.put(_STOP)
        self._thread.join(timeout=60)
