"""Finding training images and weeding out bad ones before training starts.

A scan opens every file's header only (no pixel decode), so a folder of
thousands of photos is checked in seconds. Unreadable files, files that are
not images, images smaller than the HR patch and (paired data) pairs whose LR
is not HR/scale are left out and reported in one warning; files that turn out
corrupt only when decoded (a truncated PNG) are skipped later by the pipeline
and counted there.
"""

import os
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from srgan_tf.errors import SRGANError
from srgan_tf.utils.imageio import MAX_DECODE_PIXELS, open_image
from srgan_tf.utils.messages import warn

# How many skipped names a warning lists before "and N more".
_NAMES_SHOWN = 5


@dataclass
class ScanResult:
    """Usable files (sorted) and ``(path, reason)`` for each file left out."""

    files: list = field(default_factory=list)
    sizes: list = field(default_factory=list)  # (width, height) per usable file
    skipped: list = field(default_factory=list)
    lr_files: list | None = None  # the LR partner of each usable file (paired data)

    def summary(self):
        """One line naming what was skipped, or "" when nothing was."""
        if not self.skipped:
            return ""
        shown = ", ".join(f"{os.path.basename(p)} ({why})" for p, why in self.skipped[:_NAMES_SHOWN])
        more = len(self.skipped) - _NAMES_SHOWN
        tail = f", and {more} more" if more > 0 else ""
        total = len(self.files) + len(self.skipped)
        return f"skipped {len(self.skipped)} of {total} files: {shown}{tail}"


def find_images(root):
    """Every file under ``root`` (recursive, sorted; hidden files excluded).

    Not only image extensions: :func:`scan_images` opens each header, so a file that is
    not an image is listed as skipped with its reason instead of being ignored silently.

    Symbolic links to folders are followed, but no real folder (device, inode) is walked
    twice, so a link back up the tree (``again -> .``) cannot loop. A file reached by more
    than one path (a link to a file already listed, a hard link) is listed once, under the
    first path the walk meets, so training does not draw it twice as often. A broken link
    is listed, and the scan reports it as unreadable.
    """
    root = os.fspath(root)
    if os.path.isfile(root):
        return [root]
    if not os.path.isdir(root):
        raise SRGANError(f"image folder not found: {root}")
    found, seen_files, seen_dirs = [], set(), {_identity(root)}
    for folder, dirs, names in os.walk(root, followlinks=True):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            identity = _identity(os.path.join(folder, name))
            if identity is None or identity not in seen_dirs:
                seen_dirs.add(identity)
                kept.append(name)
        dirs[:] = kept
        for name in sorted(n for n in names if not n.startswith(".")):
            path = os.path.join(folder, name)
            identity = _identity(path)
            if identity is None or identity not in seen_files:
                seen_files.add(identity)
                found.append(path)
    return found


def _identity(path):
    """``(device, inode)`` of what ``path`` points to; None for a broken link."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def scan_images(paths, min_size=0, max_pixels=MAX_DECODE_PIXELS, what="images", lr_dir=None, scale=1):
    """Checks each file's header; returns a :class:`ScanResult` and warns once about skips.

    Args:
        paths: image file paths.
        min_size: smallest accepted width and height (the HR patch size).
        max_pixels: larger images are refused (decompression bombs).
        what: how the warning/error names this set ("training images", ...).
        lr_dir: the folder of LR partners (paired data; see :func:`pair_low_resolution`). A
            pair whose LR is not exactly HR // ``scale`` on both sides is skipped with the rest:
            training would drop it and draw its neighbour twice as often, or crop misaligned pairs.

    Raises:
        SRGANError: when no usable image is left.
    """
    result = ScanResult()
    for path in tqdm(paths, desc=f"scanning {what}", unit="file", disable=len(paths) < 500, leave=False):
        try:
            image = open_image(path, max_pixels)
        except SRGANError as error:
            reason = str(error).split(": ", 1)[-1]
            result.skipped.append((path, reason))
            continue
        with image:
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
        if width < min_size or height < min_size:
            result.skipped.append((path, f"{width}x{height} is smaller than the {min_size}px patch"))
        elif frames > 1:
            result.skipped.append((path, f"animated ({frames} frames)"))
        else:
            result.files.append(path)
            result.sizes.append((width, height))
    if lr_dir is not None:
        _check_pairs(result, pair_low_resolution(result.files, lr_dir, scale), scale, max_pixels)
    if result.skipped:
        warn(result.summary())
    if not result.files:
        detail = f" ({result.summary()})" if result.skipped else ""
        raise SRGANError(f"no usable {what} found among {len(paths)} file(s){detail}")
    return result


def _check_pairs(result, lr_files, scale, max_pixels):
    """Keeps the pairs whose LR header is HR // scale; the others join ``result.skipped``."""
    files, sizes, partners = [], [], []
    for path, (width, height), lr_path in zip(result.files, result.sizes, lr_files):
        name = os.path.basename(lr_path)
        try:
            with open_image(lr_path, max_pixels) as image:
                lr_size = image.size
        except SRGANError as error:
            result.skipped.append((path, f"LR {name}: {str(error).split(': ', 1)[-1]}"))
            continue
        expected = (width // scale, height // scale)
        if lr_size != expected:
            result.skipped.append(
                (
                    path,
                    f"LR {name} is {lr_size[0]}x{lr_size[1]}, expected {expected[0]}x{expected[1]} "
                    f"(HR {width}x{height} / {scale})",
                )
            )
            continue
        files.append(path)
        sizes.append((width, height))
        partners.append(lr_path)
    result.files, result.sizes, result.lr_files = files, sizes, partners


def pair_low_resolution(hr_files, lr_dir, scale):
    """Matches DIV2K-style LR files to HR files: ``0001.png`` <-> ``0001x4.png`` or the same name.

    Returns the LR path for each HR file; raises SRGANError listing the first unmatched ones.
    """
    by_stem = {}
    for path in find_images(lr_dir):
        by_stem[os.path.splitext(os.path.basename(path))[0].lower()] = path
    pairs, missing = [], []
    for path in hr_files:
        stem = os.path.splitext(os.path.basename(path))[0].lower()
        match = by_stem.get(f"{stem}x{scale}") or by_stem.get(stem)
        if match is None:
            missing.append(os.path.basename(path))
        pairs.append(match)
    if missing:
        raise SRGANError(
            f"{len(missing)} HR image(s) have no LR partner in {lr_dir} (expected NAMEx{scale}.ext or NAME.ext): "
            + ", ".join(missing[:_NAMES_SHOWN])
        )
    return pairs
