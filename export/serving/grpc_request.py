"""Upscale one image through TF Serving's gRPC API (needs `pip install tensorflow-serving-api grpcio`).

python export/serving/grpc_request.py photo.jpg --out photo_x4.png [--target localhost:8500]
"""

import argparse

import grpc
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image")
    parser.add_argument("--out", required=True)
    parser.add_argument("--target", default="localhost:8500")
    parser.add_argument("--model", default="srgan")
    args = parser.parse_args()
    with open(args.image, "rb") as f:
        encoded = f.read()
    request = predict_pb2.PredictRequest()
    request.model_spec.name = args.model
    request.model_spec.signature_name = "upscale_image"
    request.inputs["images"].CopyFrom(tf.make_tensor_proto([encoded], dtype=tf.string))
    channel = grpc.insecure_channel(args.target, options=[("grpc.max_receive_message_length", 256 << 20)])
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    response = stub.Predict(request, timeout=300.0)
    png = tf.make_ndarray(response.outputs["png_bytes"])[0]
    with open(args.out, "wb") as f:
        f.write(png)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
