"""atomic_path: the final name holds either the old file or the whole new one, never a part."""

import json
import os
import subprocess
import sys

import pytest

from srgan_tf.utils.atomic import atomic_path


def test_success_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with atomic_path(target) as tmp:
        assert tmp.endswith(".partial.keras") and tmp.startswith(str(tmp_path))
        assert os.path.basename(tmp).startswith(".")  # hidden from folder scans if left behind
        with open(tmp, "w") as f:
            f.write("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


@pytest.mark.parametrize("make_dir", [False, True])
def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path, make_dir):
    target = tmp_path / "weights.npz"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        if make_dir:
            os.mkdir(tmp)
            with open(os.path.join(tmp, "x"), "w") as f:
                f.write("half")
        else:
            with open(tmp, "w") as f:
                f.write("ha")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.npz"]


_WRITER = """
import sys
from srgan_tf.utils.atomic import atomic_path

target, letter, rounds = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
for _ in range(rounds):
    with atomic_path(target) as tmp, open(tmp, "wb") as f:
        for _ in range(16):  # written in pieces, so the two writers' files are open at the same time
            f.write(letter * 4096)
            f.flush()
"""


def test_two_processes_writing_one_target_never_collide(tmp_path):
    """Two real processes replace one file 300 times each: neither crashes, every read of the
    target (during and after) is one writer's whole content, and no temporary is left."""
    target = tmp_path / "model.npz"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(target), letter, "300"], stderr=subprocess.PIPE)
        for letter in "AB"
    ]
    whole = {letter * 65536 for letter in (b"A", b"B")}
    reads = 0
    while any(w.poll() is None for w in writers):
        if target.exists():
            assert target.read_bytes() in whole
            reads += 1
    errors = [w.stderr.read().decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert reads > 0 and target.read_bytes() in whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_a_failed_rename_removes_the_temporary(tmp_path):
    (tmp_path / "out.png").mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError), atomic_path(tmp_path / "out.png") as tmp, open(tmp, "w") as f:
        f.write("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_write_json_writes_whole_standard_json_or_nothing(tmp_path):
    from srgan_tf.utils.atomic import write_json

    target = tmp_path / "card.json"
    assert write_json(target, {"name": "x4 — été", "psnr": 30.5, "rows": [1, None]}) == target
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "été" in text and '\n  "psnr": 30.5' in text  # indented, UTF-8
    assert json.loads(text) == {"name": "x4 — été", "psnr": 30.5, "rows": [1, None]}
    with pytest.raises(ValueError):  # JSON has no NaN: refused, not written as a bare NaN
        write_json(target, {"psnr": float("nan")})
    assert json.loads(target.read_text(encoding="utf-8"))["psnr"] == 30.5  # the old file stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]
