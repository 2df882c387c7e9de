"""The package's imports point one way, down the README's code map: a row imports only from
its own row and the rows below, so each folder can be read knowing only what lies under it."""

import pathlib
import re

import srgan_tf

ROWS = [  # top to bottom, as in the README's code map
    ("cli",),
    ("training", "serve"),
    ("inference",),
    ("export",),
    ("runtimes",),
    ("evaluation",),
    ("pretrained",),
    ("data",),
    ("models", "config"),
    ("utils", "errors", "assets"),
]
RANK = {name: len(ROWS) - i for i, row in enumerate(ROWS) for name in row}
# models/lpips.py loads its ImageNet weights through the converter when it is called, not imported.
ALLOWED = {("models/lpips.py", "srgan_tf.pretrained.imagenet_weights")}
IMPORT = re.compile(r"^\s*(?:from|import) (srgan_tf\.\w+(?:\.\w+)*)")


def _upward_imports(root):
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        here = relative.split("/")[0].removesuffix(".py")
        if here == "__init__":  # the top-level lazy exports
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = IMPORT.match(line)
            if not match:
                continue
            there = match.group(1).split(".")[1]
            if RANK[there] > RANK[here] and (relative, match.group(1)) not in ALLOWED:
                yield f"{relative} ({here}) imports {match.group(1)} ({there})"


def test_every_package_area_has_a_row():
    root = pathlib.Path(srgan_tf.__file__).parent
    modules = {p.stem for p in root.glob("*.py") if p.name != "__init__.py"}
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    assert modules | packages == set(RANK)


def test_imports_point_down_the_code_map():
    assert list(_upward_imports(pathlib.Path(srgan_tf.__file__).parent)) == []
