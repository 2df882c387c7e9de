"""Reading third-party pickles of numpy arrays without running their code.

``pickle.load`` calls whatever the file names: a crafted weights file can run any function on
the loading machine. :func:`load_arrays` admits the three globals a pickled numpy array needs
(the array reconstructor, ``ndarray`` and ``dtype``), refuses any other before it is looked up,
and then checks that every leaf of the result is a numeric array in nested string-keyed dicts.
"""

import io
import pickle

import numpy as np

from srgan_tf.errors import SRGANError

try:  # numpy >= 2 moved the reconstructor; pickles written by numpy 1 name the old module
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1
    from numpy.core.multiarray import _reconstruct

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"it names {module}.{name}, which a file of arrays never needs") from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("it refers to persistent objects")


MAX_DEPTH = 16  # weights files nest a few levels (network/layer/variable); a deeper tree is crafted


def _shown(key):
    """A key as a message may quote it: one line, not too long (a crafted key may be neither)."""
    return key if key.isprintable() and len(key) <= 64 else repr(key[:64])


def _check_tree(tree, source):
    """Walks the tree without recursion: a crafted pickle may nest dicts thousands deep, or put a
    dict inside itself, which a recursive walk would answer with RecursionError."""
    seen = set()
    stack = [(tree, source, 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                raise SRGANError(f"{where}: a dict that appears twice (a cycle or a shared node), not a tree of arrays")
            if depth >= MAX_DEPTH:
                raise SRGANError(f"{where}: nested deeper than {MAX_DEPTH} levels, not a file of weights")
            seen.add(id(node))
            for key, value in node.items():
                if not isinstance(key, str):
                    raise SRGANError(f"{where}: a key is {type(key).__name__}, not a name")
                stack.append((value, f"{where}/{_shown(key)}", depth + 1))
        elif not isinstance(node, np.ndarray) or node.dtype.kind not in "fiu":
            raise SRGANError(f"{where}: holds {type(node).__name__}, not a numeric array")


def load_arrays(data, source="the file"):
    """Nested ``{name: {...: ndarray}}`` from the bytes of a pickle, or SRGANError.

    ``source`` names the file in messages. Nothing the pickle names outside numpy's array
    reconstruction is looked up, so nothing in it can run.
    """
    try:
        tree = _ArraysOnly(io.BytesIO(data)).load()
    except pickle.UnpicklingError as error:
        raise SRGANError(f"refused to read {source}: {error}") from None
    except (
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        RecursionError,
        MemoryError,
        OverflowError,
    ) as error:
        raise SRGANError(f"{source} is not a readable pickle of arrays: {error}") from None
    if not isinstance(tree, dict):
        raise SRGANError(f"{source} holds {type(tree).__name__}, not a dict of arrays")
    _check_tree(tree, source)
    return tree
