"""atomic_path: the final name holds either the old file or the whole new one, never a part."""

import pytest

from srgan_tf.atomic import atomic_path


def test_success_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with atomic_path(target) as tmp:
        assert tmp.endswith(".partial.keras") and tmp.startswith(str(tmp_path))
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
            (tmp_path / "weights.partial.npz").mkdir()
            (tmp_path / "weights.partial.npz" / "x").write_text("half")
        else:
            with open(tmp, "w") as f:
                f.write("ha")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.npz"]
