"""Where srgan_tf keeps files it makes on a user's machine (converted third-party weights)."""

import os

CACHE_ENV = "SRGAN_TF_CACHE"


def cache_dir():
    """``$SRGAN_TF_CACHE``, else ``$XDG_CACHE_HOME/srgan_tf``, else ``~/.cache/srgan_tf``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "srgan_tf")


def _digest_path(path):
    return f"{path}.sha256"


def read_verified(path):
    """The SHA-256 recorded beside ``path`` when the file still has it, else None (missing,
    damaged, or written by a process that died before recording its hash)."""
    from srgan_tf.pretrained.weights_file import file_sha256

    try:
        with open(_digest_path(path), encoding="utf-8") as f:
            recorded = f.read().strip()
        return recorded if file_sha256(path) == recorded else None
    except OSError:
        return None


def write_verified(path, write):
    """``write(tmp)`` fills a temporary file that atomically becomes ``path``; its SHA-256 is
    then recorded beside it, so :func:`read_verified` can tell an intact cache entry."""
    from srgan_tf.pretrained.weights_file import file_sha256
    from srgan_tf.utils.atomic import atomic_path

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as tmp:
        write(tmp)
    with atomic_path(_digest_path(path)) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(file_sha256(path) + "\n")
    return path
