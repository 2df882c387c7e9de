"""Messages for people: one ``srgan: warning: …`` line per event on stderr.

Reports such as skipped files or an unhealthy GAN go through the ``srgan_tf`` logger,
not Python's ``warnings``: they print without a source line, and they do not vanish
under ``PYTHONWARNINGS=ignore`` (which ML users often set to quiet TensorFlow). The CLI
installs :func:`install_handler`; a library user sees the bare message through
logging's last-resort handler, or configures ``logging.getLogger("srgan_tf")``.
"""

import logging
import sys

LOGGER = logging.getLogger("srgan_tf")


def warn(message):
    """Reports one event that a person should know about (the run goes on)."""
    LOGGER.warning(message)


class _PrefixFormatter(logging.Formatter):
    def format(self, record):
        return f"srgan: {record.levelname.lower()}: {record.getMessage()}"


def install_handler(stream=None):
    """Prints the package's warnings as ``srgan: warning: …`` lines on ``stream`` (stderr)."""
    for handler in LOGGER.handlers:
        if getattr(handler, "_srgan_cli", False):
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_PrefixFormatter())
    handler._srgan_cli = True
    LOGGER.addHandler(handler)
    LOGGER.propagate = False
    return handler
