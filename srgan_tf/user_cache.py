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
