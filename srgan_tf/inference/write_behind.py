"""Writing results on a second thread while the next ones are computed.

Upscaling is convolution (TensorFlow's threads) then PNG encoding (numpy filtering and zlib,
which release the GIL): done in turn, the encoder's time adds to the compute's; done here,
it overlaps it.
"""

import queue
import threading

_DONE = object()


def write_behind(write, items, depth=1):
    """Calls ``write(item)`` for each of ``items`` on a writer thread, in order, while the next
    items are produced on this one; at most ``depth`` items wait between the two.

    Returns once every item is written. If ``write`` fails, producing stops and its exception is
    raised here; if producing fails, the items already produced are written first (so a caller's
    clean-up sees a consistent file) and that exception propagates.
    """
    pending = queue.Queue(maxsize=depth)
    failures = []

    def drain():
        while (item := pending.get()) is not _DONE:
            if failures:
                continue  # keep taking items so the producer never blocks on a full queue
            try:
                write(item)
            except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
                failures.append(error)

    writer = threading.Thread(target=drain, name="srgan-write-behind", daemon=True)
    writer.start()
    try:
        for item in items:
            if failures:
                break
            pending.put(item)
    finally:
        pending.put(_DONE)
        writer.join()
    if failures:
        raise failures[0]
