"""Atomic file writes: a crash or an error never leaves half a file under the final name."""

import contextlib
import os
import shutil


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside ``path`` with the same extension; renames it onto ``path``
    when the block succeeds and removes it when the block raises.

    The extension is kept because writers infer the format from it (``.keras``, ``.png``, and
    ``np.savez`` appends ``.npz`` to any other name). The temporary file sits in the same folder,
    so the rename is atomic on POSIX and Windows.
    """
    path = os.fspath(path)
    root, ext = os.path.splitext(path)
    tmp = f"{root}.partial{ext}"
    try:
        yield tmp
    except BaseException:
        if os.path.isdir(tmp) and not os.path.islink(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.lexists(tmp):
            os.remove(tmp)
        raise
    os.replace(tmp, path)
