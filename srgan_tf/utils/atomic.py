"""Atomic file writes: a crash or an error never leaves half a file under the final name."""

import contextlib
import json
import os
import shutil
import uuid


def temporary_name(path):
    """A name beside ``path``, with its extension, that no other writer (thread or process) uses.

    One fixed name per target would let two writers of the same file share it: one renames the
    other's half-written file into place, and the other's rename then finds nothing. Hidden (a
    leading dot), so what a killed writer leaves is never taken for an input by a folder scan.
    """
    folder, name = os.path.split(os.fspath(path))
    root, ext = os.path.splitext(name)
    return os.path.join(folder, f".{root}.{uuid.uuid4().hex[:12]}.partial{ext}")


def remove_temporary(tmp):
    if os.path.isdir(tmp) and not os.path.islink(tmp):
        shutil.rmtree(tmp, ignore_errors=True)
    elif os.path.lexists(tmp):
        os.remove(tmp)


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside ``path`` with the same extension; renames it onto ``path``
    when the block succeeds and removes it when the block (or the rename) raises.

    The extension is kept because writers infer the format from it (``.keras``, ``.png``, and
    ``np.savez`` appends ``.npz`` to any other name). The temporary file sits in the same folder,
    so the rename is atomic on POSIX and Windows; its name is unique to this writer, so
    concurrent writers of one target each rename a whole file and the last one wins.
    """
    path = os.fspath(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        remove_temporary(tmp)
        raise


def write_json(path, data):
    """Writes ``data`` as indented UTF-8 JSON with a final newline, atomically; returns ``path``.

    Standard JSON only: a NaN or infinity raises ``ValueError`` (Python's default would write a
    bare ``NaN`` that other parsers refuse) and the file is left as it was.
    """
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    return path
