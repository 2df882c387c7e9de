"""The one exception type for mistakes a user can make.

Anything a user can cause (a bad path, a corrupt image, an unknown layer name,
a scale the generator cannot build) raises :class:`SRGANError` with a message
that fits on one line. The CLI prints that line and exits with status 2; every
other exception is a bug and keeps its traceback.
"""


class SRGANError(ValueError):
    """A user-facing error: bad configuration, input file or argument."""


class ConversionFailed(SRGANError):
    """A model could not be converted for one runtime, or the result missed its parity check:
    ``srgan upscale`` goes on with the next runtime instead of stopping."""
