"""Upscale one image through TF Serving's REST API (the `upscale_image` signature).

    python export/serving/rest_request.py photo.jpg --out photo_x4.png [--url http://localhost:8501]

PNG/JPEG bytes go in as {"b64": ...} (TF Serving's convention for binary
strings); PNG bytes come back the same way. Standard library only.
"""

import argparse
import base64
import json
import urllib.request


def request_body(image_bytes):
    """The JSON body TF Serving expects for the `upscale_image` signature."""
    return {"signature_name": "upscale_image", "instances": [{"b64": base64.b64encode(image_bytes).decode("ascii")}]}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image")
    parser.add_argument("--out", required=True)
    parser.add_argument("--url", default="http://localhost:8501")
    parser.add_argument("--model", default="srgan")
    args = parser.parse_args()
    with open(args.image, "rb") as f:
        body = json.dumps(request_body(f.read())).encode()
    request = urllib.request.Request(
        f"{args.url}/v1/models/{args.model}:predict", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        prediction = json.load(response)["predictions"][0]
    with open(args.out, "wb") as f:
        f.write(base64.b64decode(prediction["b64"] if isinstance(prediction, dict) else prediction))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
