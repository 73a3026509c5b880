#!/usr/bin/python3
"""Scores tserve's translations of the committed test set over gRPC.

Sends the English sentences of tests/data/en-es/test.en through
`tserve-client translate` (greedy by default), scores the output against the
Apertium references with chrF and BLEU, and with `--reference` also decodes
them with the PyTorch reference (float32, greedy) and reports how many
outputs are identical.

    # start a server on the demo model (a free port), score, stop it:
    /usr/bin/python3 tools/demo/evaluate.py --compute-type float32 --reference
    # or score a server that is already running:
    /usr/bin/python3 tools/demo/evaluate.py --address 127.0.0.1:50051
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import paths  # noqa: E402
import scoring  # noqa: E402

SERVER = os.path.join(paths.REPO, "build", "release", "server", "tserve-server")
CLIENT = os.path.join(paths.REPO, "build", "release", "client", "tserve-client")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", default=paths.MODEL)
    ap.add_argument("--address", help="a running server; when absent, one is started on --model-dir")
    ap.add_argument("--server", default=SERVER)
    ap.add_argument("--client", default=CLIENT)
    ap.add_argument("--compute-type", default="float32", help="of the started server")
    ap.add_argument("--threads", type=int, default=0, help="engine threads of the started server")
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--sample", type=int, default=0, help="score a random sample of this many sentences")
    ap.add_argument("--sample-seed", type=int, default=1)
    ap.add_argument("--reference", action="store_true",
                    help="compare with the PyTorch reference's greedy output (float32)")
    ap.add_argument("--output", help="write the translations to this file")
    ap.add_argument("--json", help="write the scores to this JSON file")
    return ap.parse_args()


def test_set(sample, seed):
    sources = paths.read_lines(paths.corpus_file("test", "en"))
    references = paths.read_lines(paths.corpus_file("test", "es"))
    if sample:
        keep = sorted(random.Random(seed).sample(range(len(sources)), sample))
        sources = [sources[i] for i in keep]
        references = [references[i] for i in keep]
    return sources, references


class Server:
    """A tserve-server on free ports, stopped with SIGTERM on exit."""

    def __init__(self, binary, client, model_dir, compute_type, threads):
        self.tmp = tempfile.TemporaryDirectory()
        port_file = os.path.join(self.tmp.name, "ports")
        cmd = [binary, f"--model=demo={model_dir}", "--grpc_port=0", "--metrics_port=0",
               f"--port_file={port_file}", f"--compute_type={compute_type}", f"--threads={threads}"]
        self.log = open(os.path.join(self.tmp.name, "server.log"), "w+", encoding="utf-8")
        self.process = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.address = f"127.0.0.1:{self._wait_for_port(port_file)}"
        self._wait_until_serving(client)

    def _wait_for_port(self, port_file, timeout_s=120):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"tserve-server exited with {self.process.returncode}:\n{self.log.read()}")
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as f:
                    ports = dict(line.strip().split("=", 1) for line in f if "=" in line)
                return int(ports["grpc_port"])
            time.sleep(0.1)
        raise RuntimeError("tserve-server did not bind its ports in time")

    def _wait_until_serving(self, client, timeout_s=300):
        """The ports are bound before the models are loaded: wait for the
        health service to report SERVING."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tserve-server exited with {self.process.returncode}")
            res = subprocess.run([client, "health", f"--address={self.address}", "--timeout_s=5"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if res.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("tserve-server did not become SERVING in time")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.tmp.cleanup()


def tserve_translate(client, address, sources, beam_size, max_length):
    """One output line per source line, from `tserve-client translate` on stdin."""
    cmd = [client, "translate", f"--address={address}", f"--beam_size={beam_size}",
           f"--max_length={max_length}", "--timeout_s=600"]
    res = subprocess.run(cmd, input="".join(s + "\n" for s in sources).encode("utf-8"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"tserve-client failed ({res.returncode}): {res.stderr.decode('utf-8', 'replace')}")
    out = res.stdout.decode("utf-8").split("\n")[:-1]
    if len(out) != len(sources):
        raise RuntimeError(f"{len(out)} translations for {len(sources)} sentences")
    return out


def reference_translate(model_dir, sources, max_length):
    """Greedy translations by the PyTorch reference in float32."""
    import torch
    from tserve_ref import decoding
    from tserve_ref.marian import MarianMTModel
    from tserve_ref.tokenizer import MarianTokenizer

    tok = MarianTokenizer(model_dir)
    model = MarianMTModel.from_pretrained(model_dir, dtype=torch.float32).eval()
    ids = [tok.encode(s) for s in sources]
    with torch.inference_mode():
        results = decoding.translate(model, ids, batch_size=32, max_length=max_length)
    return [tok.decode(r[0].ids) for r in results]


def main():
    args = parse_args()
    sources, references = test_set(args.sample, args.sample_seed)
    t0 = time.monotonic()
    if args.address:
        hyps = tserve_translate(args.client, args.address, sources, args.beam_size, args.max_length)
    else:
        with Server(args.server, args.client, args.model_dir, args.compute_type, args.threads) as server:
            hyps = tserve_translate(args.client, server.address, sources, args.beam_size, args.max_length)
    report = {"sentences": len(sources), "beam_size": args.beam_size,
              "compute_type": None if args.address else args.compute_type,
              "chrf": scoring.chrf(hyps, references), "bleu": scoring.bleu(hyps, references),
              "seconds": time.monotonic() - t0}
    if args.reference:
        ref_hyps = reference_translate(args.model_dir, sources, args.max_length)
        same = sum(a == b for a, b in zip(hyps, ref_hyps))
        report["identical_to_reference"] = same / len(sources)
        report["reference_chrf"] = scoring.chrf(ref_hyps, references)
        report["reference_bleu"] = scoring.bleu(ref_hyps, references)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("".join(h + "\n" for h in hyps))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
