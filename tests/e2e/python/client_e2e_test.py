#!/usr/bin/python3
"""End-to-end test of the Python client (client/python) against the real
tserve-server: every RPC, target languages, errors as TserveError with the
server's message, deadlines, mutual TLS. Run by ctest with Debian's
python3-grpcio; the environment names the server binary (TSERVE_SERVER), the
built package's directory (TSERVE_PYTHON_PACKAGE) and the source tree
(TSERVE_SOURCE_DIR)."""

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.environ["TSERVE_SOURCE_DIR"]
SERVER = os.environ["TSERVE_SERVER"]
sys.path.insert(0, os.environ["TSERVE_PYTHON_PACKAGE"])

import grpc  # noqa: E402

from tserve_client import Client, TserveError  # noqa: E402


def model_dir(name):
    return os.path.join(SOURCE_DIR, "tests", "data", "models", name)


class Server:
    """tserve-server on free loopback ports, until stop()."""

    def __init__(self, flags):
        self.dir = tempfile.mkdtemp(prefix="tserve-python-test-")
        port_file = os.path.join(self.dir, "ports")
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TSERVE_")}
        self.process = subprocess.Popen(
            [SERVER, "--listen_address=127.0.0.1", "--grpc_port=0", "--metrics_port=0",
             f"--port_file={port_file}", "--threads=1"] + flags,
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.output()}")
            if os.path.exists(port_file):
                ports = dict(line.split("=") for line in open(port_file).read().split())
                if "grpc_port" in ports:
                    self.address = f"127.0.0.1:{ports['grpc_port'].strip()}"
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start: {self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_serving(self, client):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if client.health() == "SERVING":
                    return
            except TserveError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server is not serving: {self.output()}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server([f"--model=swish={model_dir('swish-untied-f16')}",
                             f"--model=multi={model_dir('multi-target-f32')}",
                             f"--model=nllb={model_dir('nllb-layout-f32')}",
                             "--compute_type=float32", "--max_input_tokens=64"])
        cls.client = Client(cls.server.address, timeout=60)
        cls.server.wait_serving(cls.client)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.stop()

    def test_health(self):
        self.assertEqual(self.client.health(), "SERVING")
        self.assertEqual(self.client.health("tserve.v1.Translator"), "SERVING")
        with self.assertRaises(TserveError) as caught:
            self.client.health("no.such.Service")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_model_info(self):
        info = self.client.model_info()
        self.assertEqual([m.name for m in info.models], ["swish", "multi", "nllb"])
        self.assertEqual(info.models[0].config.d_model, 80)
        self.assertEqual(info.models[0].compute_type, "float32")
        self.assertGreater(len(info.models[1].target_languages), 1)
        self.assertEqual(info.models[1].family, "marian")
        self.assertEqual(list(info.models[2].source_languages),
                         ["deu_Latn", "eng_Latn", "fra_Latn"])
        self.assertEqual(info.models[2].family, "m2m_100")
        self.assertTrue(info.server_version)
        one = self.client.model_info("multi")
        self.assertEqual([m.name for m in one.models], ["multi"])

    def test_translate_and_stream_agree(self):
        texts = ["The old dog sleeps.", "the"]
        response = self.client.translate(texts, model="swish", beam_size=1, max_length=40,
                                         return_scores=True, return_tokens=True)
        self.assertEqual(response.model, "swish")
        self.assertEqual(len(response.results), 2)
        for result in response.results:
            best = result.hypotheses[0]
            self.assertTrue(best.text)
            self.assertLess(best.score, 0)
            self.assertEqual(len(best.tokens), len(best.token_ids))
        self.assertEqual(response.results[0].input_tokens, 7)

        messages = list(self.client.translate_stream(texts[0], model="swish", beam_size=1,
                                                     max_length=40))
        self.assertTrue(messages[-1].HasField("result"))
        tokens = [m.token for m in messages[:-1]]
        self.assertTrue(tokens)
        self.assertEqual([t.index for t in tokens], list(range(len(tokens))))
        streamed = "".join(t.text for t in tokens)
        expected = response.results[0].hypotheses[0].text
        self.assertEqual(streamed, expected)
        self.assertEqual(messages[-1].result.hypotheses[0].text, expected)

    def test_nbest_and_sampling_options(self):
        response = self.client.translate("The old dog sleeps.", model="swish", beam_size=4,
                                         num_hypotheses=3, max_length=20, length_penalty=0.5)
        self.assertEqual(len(response.results[0].hypotheses), 3)
        a = self.client.translate("the", model="swish", sampling_temperature=0.9,
                                  sampling_topk=5, seed=7, max_length=10)
        b = self.client.translate("the", model="swish", sampling_temperature=0.9,
                                  sampling_topk=5, seed=7, max_length=10)
        self.assertEqual(a.results[0].hypotheses[0].text, b.results[0].hypotheses[0].text)

    def test_target_language_is_passed_through(self):
        languages = list(self.client.model_info("multi").models[0].target_languages)
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["Hello world."], model="multi")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("target_language", caught.exception.message)
        for language in languages[:2]:
            response = self.client.translate(["Hello world."], model="multi",
                                             target_language=language, max_length=10)
            # The language token is the first source token.
            plain = self.client.translate([f">>{language}<< Hello world."], model="multi",
                                          max_length=10)
            self.assertEqual(response.results[0].input_tokens,
                             plain.results[0].input_tokens)
            self.assertEqual(response.results[0].hypotheses[0].text,
                             plain.results[0].hypotheses[0].text)
        messages = list(self.client.translate_stream("Hello world.", model="multi",
                                                     target_language=languages[0],
                                                     max_length=10))
        self.assertTrue(messages[-1].HasField("result"))
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["Hello."], model="multi", target_language="xx-none")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_source_language_is_passed_through(self):
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["Hello world."], model="nllb", target_language="deu_Latn")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("source_language", caught.exception.message)
        self.assertIn("deu_Latn, eng_Latn, fra_Latn", caught.exception.message)
        languages = dict(model="nllb", source_language="eng_Latn", target_language="deu_Latn")
        response = self.client.translate(["Hello world."], max_length=10, beam_size=1,
                                         return_tokens=True, **languages)
        best = response.results[0].hypotheses[0]
        self.assertNotIn("deu_Latn", best.text)
        messages = list(self.client.translate_stream("Hello world.", max_length=10, beam_size=1,
                                                     **languages))
        self.assertEqual([m.token.token_id for m in messages[:-1]], list(best.token_ids))
        self.assertEqual(messages[-1].result.hypotheses[0].text, best.text)
        english = self.client.encode("Hello world.", model="nllb", source_language="eng_Latn",
                                     pooling="none")
        self.assertEqual(english.embeddings[0].input_tokens, response.results[0].input_tokens)
        with self.assertRaises(TserveError) as caught:
            self.client.encode("Hello world.", model="swish", source_language="eng_Latn")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_encode(self):
        response = self.client.encode(["Dog", "The old dog sleeps."], model="swish",
                                      normalize=True)
        self.assertEqual(response.dimension, 80)
        for embedding in response.embeddings:
            self.assertEqual(len(embedding.vectors), 1)
            norm = math.sqrt(sum(v * v for v in embedding.vectors[0].values))
            self.assertAlmostEqual(norm, 1.0, places=4)
        states = self.client.encode("The old dog sleeps.", model="swish", pooling="none")
        self.assertEqual(len(states.embeddings[0].vectors), states.embeddings[0].input_tokens)
        first = self.client.encode("The old dog sleeps.", model="swish", pooling="first")
        self.assertEqual(list(first.embeddings[0].vectors[0].values),
                         list(states.embeddings[0].vectors[0].values))
        with self.assertRaises(ValueError):
            self.client.encode("x", model="swish", pooling="max")

    def test_truncation(self):
        long_text = " ".join(["the old dog sleeps"] * 40)
        with self.assertRaises(TserveError) as caught:
            self.client.translate(long_text, model="swish")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("TRUNCATION_END", caught.exception.message)
        response = self.client.translate(long_text, model="swish", truncate=True, max_length=5)
        self.assertTrue(response.results[0].truncated)
        self.assertEqual(response.results[0].input_tokens, 64)

    def test_errors_carry_the_server_message(self):
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["Hello."], model="nope")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertIn("loaded models: swish, multi, nllb", caught.exception.message)
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["a", " "], model="swish")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("texts[1]", caught.exception.message)
        with self.assertRaises(TserveError) as caught:
            list(self.client.translate_stream("", model="swish"))
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["a"], model="swish", beam_size=100)
        self.assertIn("--max_beam_size", caught.exception.message)

    def test_deadline(self):
        with self.assertRaises(TserveError) as caught:
            self.client.translate(["The old dog sleeps."] * 8, model="swish", beam_size=8,
                                  max_length=200, min_length=200, timeout=0.001)
        self.assertEqual(caught.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)


class TlsTest(unittest.TestCase):
    def test_mutual_tls(self):
        if shutil.which("openssl") is None:
            self.skipTest("openssl is missing: run scripts/install-deps.sh")
        d = tempfile.mkdtemp(prefix="tserve-python-tls-")
        try:
            def path(name):
                return os.path.join(d, name)
            with open(path("server.ext"), "w") as f:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                        "extendedKeyUsage=serverAuth\n")
            with open(path("client.ext"), "w") as f:
                f.write("extendedKeyUsage=clientAuth\n")
            ec = f"ec:{path('params.pem')}"
            for command in [
                ["ecparam", "-name", "prime256v1", "-out", path("params.pem")],
                ["req", "-x509", "-newkey", ec, "-nodes", "-days", "2", "-subj",
                 "/CN=tserve test CA", "-keyout", path("ca.key"), "-out", path("ca.pem")],
                ["req", "-newkey", ec, "-nodes", "-subj", "/CN=localhost", "-keyout",
                 path("server.key"), "-out", path("server.csr")],
                ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey",
                 path("ca.key"), "-CAcreateserial", "-days", "2", "-extfile",
                 path("server.ext"), "-out", path("server.pem")],
                ["req", "-newkey", ec, "-nodes", "-subj", "/CN=tserve test client", "-keyout",
                 path("client.key"), "-out", path("client.csr")],
                ["x509", "-req", "-in", path("client.csr"), "-CA", path("ca.pem"), "-CAkey",
                 path("ca.key"), "-CAcreateserial", "-days", "2", "-extfile",
                 path("client.ext"), "-out", path("client.pem")],
            ]:
                subprocess.run(["openssl"] + command, check=True, capture_output=True)
            server = Server([f"--model=swish={model_dir('swish-untied-f16')}",
                             f"--tls_cert={path('server.pem')}",
                             f"--tls_key={path('server.key')}",
                             f"--tls_client_ca={path('ca.pem')}"])
            try:
                with Client(server.address, ca_file=path("ca.pem"),
                            cert_file=path("client.pem"), key_file=path("client.key"),
                            server_name="localhost") as client:
                    server.wait_serving(client)
                    response = client.translate("the", max_length=5)
                    self.assertEqual(len(response.results), 1)
                # Without a client certificate the server refuses the connection.
                with Client(server.address, ca_file=path("ca.pem"), server_name="localhost",
                            timeout=5) as client:
                    with self.assertRaises(TserveError) as caught:
                        client.health()
                    self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)
            finally:
                server.stop()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
