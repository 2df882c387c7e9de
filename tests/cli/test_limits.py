"""Limits on the command line are whole numbers of at least 1: 0 is refused, not read as unset."""

import pytest

from srgan_tf.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--queue", "0"],
        ["serve", "--max-pixels", "0"],
        ["serve", "--max-bytes", "-5"],
        ["serve", "--queue", "two"],
        ["upscale", "a.png", "--max-pixels", "0"],
        ["export", "srgan-x4", "--max-pixels", "0"],
        ["export", "srgan-x4", "--max-pixels", "-5"],
    ],
)
def test_a_limit_below_one_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and f"argument {argv[-2]}:" in errors[0]


def test_limits_of_one_and_more_are_kept():
    args = build_parser().parse_args(["serve", "--queue", "1", "--max-pixels", "16", "--max-bytes", "1024"])
    assert (args.queue, args.max_pixels, args.max_bytes) == (1, 16, 1024)
    assert build_parser().parse_args(["serve"]).queue is None  # unset: the server's default
