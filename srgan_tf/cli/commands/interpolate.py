"""``srgan interpolate``: ESRGAN's network interpolation of two generators of one architecture."""

HELP = "blend two generators of one architecture (ESRGAN network interpolation)"
WORKLOAD = "inference"


def add_arguments(parser):
    parser.add_argument("model_a", help="the generator at alpha 0 (e.g. srresnet-x4; named model, run dir or .keras)")
    parser.add_argument("model_b", help="the generator at alpha 1 (e.g. srgan-x4)")
    parser.add_argument("--alpha", type=float, required=True, help="weights = (1 - alpha) * A + alpha * B")
    parser.add_argument("--out", required=True, help="the blended generator (.keras)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")


def run(args):
    from srgan_tf.training.interpolation import write_interpolation

    path = write_interpolation(args.model_a, args.model_b, args.alpha, args.out, args.overwrite)
    print(f"{path}: (1 - {args.alpha:g}) x {args.model_a} + {args.alpha:g} x {args.model_b}")
    return 0
