"""``srgan serve``: a local web page (drop a photo, compare, download) and TF Serving's REST API."""

import signal
import socket
import sys

from srgan_tf.cli.commands.options import positive_int

HELP = "a local web page and a TF-Serving-compatible REST API over any model"
WORKLOAD = "inference"


def add_arguments(parser):
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME_OR_PATH",
        help="a model to offer besides the named ones (run dir, .keras, SavedModel, .tflite, .onnx); "
        "named by its file or folder name, or NAME=PATH; repeat for several",
    )
    parser.add_argument("--no-named", action="store_true", help="offer only the --model ones, not the named models")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=8501, help="TF Serving's REST port by default; 0: any free one")
    parser.add_argument("--tile", type=int, help="tile size in input pixels, as srgan upscale (default 256)")
    parser.add_argument("--tile-overlap", type=int, help="context pixels per tile side, as srgan upscale")
    parser.add_argument("--max-pixels", type=positive_int, help="refuse larger images, W*H (default 2048*2048)")
    parser.add_argument("--max-bytes", type=positive_int, help="refuse larger requests (default 64 MiB)")
    parser.add_argument(
        "--queue", type=positive_int, help="images waiting beyond the one running; more get 503 (default 8)"
    )


def run(args):
    from srgan_tf.errors import SRGANError
    from srgan_tf.utils.messages import warn

    try:
        import uvicorn

        from srgan_tf.serve import app as serve_app
    except ImportError as error:
        raise SRGANError(
            f'srgan serve needs the serve extra ({error.name} is missing): pip install "srgan_tf[serve]"'
        ) from None
    from srgan_tf.serve.models import ModelList

    models = ModelList(args.model, named=not args.no_named, tile=args.tile, overlap=args.tile_overlap)
    app = serve_app.create_app(
        models,
        max_pixels=serve_app.MAX_PIXELS if args.max_pixels is None else args.max_pixels,
        max_bytes=serve_app.MAX_BYTES if args.max_bytes is None else args.max_bytes,
        queue_size=serve_app.QUEUE_SIZE if args.queue is None else args.queue,
    )
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        sock.listen(2048)  # connections wait in the backlog from the moment the URL is printed
    except OSError as error:
        sock.close()
        raise SRGANError(f"cannot listen on {args.host}:{args.port} ({error.strerror})") from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"srgan serve: http://{shown}:{port}/ (models: {', '.join(models.models)})", flush=True)
    for name, why in models.unavailable.items():
        warn(f"{name} is not offered: {why}")
    # uvicorn shuts down gracefully on SIGTERM and then raises it again: the default action would
    # end the process without its exit handlers (TensorFlow's removal of its autograph files).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
