"""Python client of the tserve gRPC API (proto/tserve/v1/tserve.proto).

    from tserve_client import Client, TserveError

    with Client("127.0.0.1:50051") as client:
        response = client.translate(["Hello world."], beam_size=4)
        print(response.results[0].hypotheses[0].text)

Every method returns the API's response message (see the proto file for the
fields) and raises TserveError, carrying the gRPC status code and the
server's message, when the call fails. The stubs under _generated are made at
build time by protoc and grpc_python_plugin; the package runs on Debian's
python3-grpcio and python3-protobuf.
"""

import grpc

from tserve_client._generated.grpc.health.v1 import health_pb2, health_pb2_grpc
from tserve_client._generated.tserve.v1 import tserve_pb2, tserve_pb2_grpc

__all__ = ["Client", "TserveError", "tserve_pb2"]

_POOLINGS = {
    "mean": tserve_pb2.POOLING_MEAN,
    "first": tserve_pb2.POOLING_FIRST,
    "none": tserve_pb2.POOLING_NONE,
}


class TserveError(Exception):
    """A failed call: `code` is the grpc.StatusCode, `message` the server's
    explanation of what to change."""

    def __init__(self, code, message):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


def _error(rpc_error):
    return TserveError(rpc_error.code(), rpc_error.details() or "")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _texts(texts):
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    return [t.encode("utf-8") if isinstance(t, str) else t for t in texts]


class Client:
    """A client of one tserve server (or several: any gRPC target, e.g.
    "dns:///tserve:50051", balanced round-robin).

    address: "host:port", or any gRPC target.
    timeout: default deadline of every call, in seconds (None: no deadline).
    tls: use TLS; ca_file verifies the server (default: the system's roots).
    cert_file, key_file: the client's certificate and key (mutual TLS).
    server_name: the name in the server's certificate, when the address
        does not carry it (e.g. an IP address).
    max_message_bytes: the largest reply accepted (the server's own limit is
        --max_message_bytes).
    """

    def __init__(self, address="127.0.0.1:50051", *, timeout=30.0, tls=False, ca_file=None,
                 cert_file=None, key_file=None, server_name=None,
                 max_message_bytes=16 << 20):
        options = [
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            ("grpc.lb_policy_name", "round_robin"),
        ]
        if (cert_file is None) != (key_file is None):
            raise ValueError("cert_file and key_file go together (mutual TLS)")
        if tls or ca_file or cert_file:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_read(ca_file) if ca_file else None,
                private_key=_read(key_file) if key_file else None,
                certificate_chain=_read(cert_file) if cert_file else None)
            if server_name:
                options.append(("grpc.ssl_target_name_override", server_name))
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._timeout = timeout
        self._translator = tserve_pb2_grpc.TranslatorStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _deadline(self, timeout):
        return self._timeout if timeout is None else timeout

    @staticmethod
    def _options(beam_size=None, num_hypotheses=None, max_length=None, min_length=None,
                 length_penalty=None, sampling_temperature=None, sampling_topk=None,
                 sampling_topp=None, seed=None, target_prefix=None, return_scores=False,
                 return_token_scores=False, return_tokens=False):
        o = tserve_pb2.DecodingOptions()
        if beam_size is not None:
            o.beam_size = beam_size
        if num_hypotheses is not None:
            o.num_hypotheses = num_hypotheses
        if max_length is not None:
            o.max_length = max_length
        if min_length is not None:
            o.min_length = min_length
        if length_penalty is not None:
            o.length_penalty = length_penalty
        if sampling_temperature is not None:
            o.sampling_temperature = sampling_temperature
        if sampling_topk is not None:
            o.sampling_topk = sampling_topk
        if sampling_topp is not None:
            o.sampling_topp = sampling_topp
        if seed is not None:
            o.seed = seed
        if target_prefix is not None:
            o.target_prefix = target_prefix.encode("utf-8")
        o.return_scores = return_scores
        o.return_token_scores = return_token_scores
        o.return_tokens = return_tokens
        return o

    def translate(self, texts, *, model="", target_language="", source_language="",
                  truncate=False, timeout=None, **options):
        """Translates `texts` (a list, or one string); returns a
        TranslateResponse with one result per text, in order.

        Decoding options as keywords: beam_size, num_hypotheses, max_length,
        min_length, length_penalty, sampling_temperature, sampling_topk,
        sampling_topp, seed, target_prefix, return_scores,
        return_token_scores, return_tokens. target_language: a code of the
        model's target languages (see model_info()), for models with several.
        source_language: a code of the model's source languages, for the models
        that list some (NLLB-200, M2M100, mBART-50; "eng_Latn", "en").
        truncate: cut over-long texts instead of refusing them.
        """
        request = tserve_pb2.TranslateRequest(
            model=model, texts=_texts(texts), options=self._options(**options),
            target_language=target_language, source_language=source_language,
            truncation=tserve_pb2.TRUNCATION_END if truncate else tserve_pb2.TRUNCATION_NONE)
        try:
            return self._translator.Translate(request, timeout=self._deadline(timeout))
        except grpc.RpcError as e:
            raise _error(e) from None

    def translate_stream(self, text, *, model="", target_language="", source_language="",
                         truncate=False, timeout=None, **options):
        """Translates one text; yields TranslateStreamResponse messages: one
        per generated token (`token`), then the complete `result`. Options as
        for translate()."""
        request = tserve_pb2.TranslateStreamRequest(
            model=model, text=_texts(text)[0], options=self._options(**options),
            target_language=target_language, source_language=source_language,
            truncation=tserve_pb2.TRUNCATION_END if truncate else tserve_pb2.TRUNCATION_NONE)
        call = self._translator.TranslateStream(request, timeout=self._deadline(timeout))
        try:
            for message in call:
                yield message
        except grpc.RpcError as e:
            raise _error(e) from None
        finally:
            call.cancel()  # no-op once finished; ends the call if the caller stops early

    def encode(self, texts, *, model="", pooling="mean", normalize=False, truncate=False,
               source_language="", timeout=None):
        """Encoder states of `texts`: pooling "mean", "first" or "none" (every
        token's state); normalize divides each vector by its L2 norm;
        source_language as for translate(). Returns an EncodeResponse."""
        if pooling not in _POOLINGS:
            raise ValueError(f"pooling={pooling!r}: use one of {sorted(_POOLINGS)}")
        request = tserve_pb2.EncodeRequest(
            model=model, texts=_texts(texts), pooling=_POOLINGS[pooling], normalize=normalize,
            source_language=source_language,
            truncation=tserve_pb2.TRUNCATION_END if truncate else tserve_pb2.TRUNCATION_NONE)
        try:
            return self._translator.Encode(request, timeout=self._deadline(timeout))
        except grpc.RpcError as e:
            raise _error(e) from None

    def model_info(self, model="", *, timeout=None):
        """The loaded models (or the one named): GetModelInfoResponse."""
        try:
            return self._translator.GetModelInfo(tserve_pb2.GetModelInfoRequest(model=model),
                                                 timeout=self._deadline(timeout))
        except grpc.RpcError as e:
            raise _error(e) from None

    def health(self, service="", *, timeout=None):
        """The standard health check: "SERVING" or "NOT_SERVING" for
        service "" (the server) or "tserve.v1.Translator"."""
        try:
            response = self._health.Check(health_pb2.HealthCheckRequest(service=service),
                                          timeout=self._deadline(timeout))
        except grpc.RpcError as e:
            raise _error(e) from None
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
