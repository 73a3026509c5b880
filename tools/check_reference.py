#!/usr/bin/python3
"""Sanity checks of the PyTorch reference (tools/tserve_ref) itself.

On every test model under tests/data/models/:
- the KV-cache incremental decoder gives the logits of a full causal pass,
  for single sentences and a padded batch (float64: |diff| <= 1e-5; float32:
  <= 2e-4, rounding noise only);
- batched decoding (greedy, beam, sampling; all sentences padded together)
  gives the same tokens as each sentence alone, scores within 1e-5 (float64);
- beam search with beam_size 1 equals greedy (length_penalty 0: same scores);
- the float32 reference reproduces the golden (float64) tokens exactly, its
  logits / encoder states within 2e-4 and its scores within 5e-4;
- bfloat16 autocast + inference_mode and a training step under autocast run.
Plus: safetensors round trips (F32/F16/BF16), and the SplitMix64 stream
against its published first outputs.

Usage: /usr/bin/python3 tools/check_reference.py
"""

import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tserve_ref import decoding, pooling, safetensors_io  # noqa: E402
from tserve_ref.marian import MarianMTModel  # noqa: E402
from tserve_ref.tokenizer import MarianTokenizer  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "tests", "data", "models")
GOLDEN = os.path.join(REPO, "tests", "data", "golden")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def max_diff(a, b):
    return float((torch.as_tensor(a, dtype=torch.float64) - torch.as_tensor(b, dtype=torch.float64)).abs().max())


def same_hyps(a, b, tol=1e-5):
    return a.ids == b.ids and abs(a.score - b.score) <= tol and len(a.token_scores) == len(b.token_scores) and all(
        abs(x - y) <= tol for x, y in zip(a.token_scores, b.token_scores))


def check_safetensors():
    rng = np.random.RandomState(0)
    x = rng.standard_normal((3, 5)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        for dt, tol in (("F32", 0), ("F16", 1e-3), ("BF16", 1e-2)):
            p = os.path.join(tmp, f"t_{dt}.safetensors")
            safetensors_io.save_file({"b": x, "a": x[:1]}, p, dtype=dt)
            t, dts, _ = safetensors_io.load_file(p)
            check(dts == {"a": dt, "b": dt}, f"safetensors {dt} dtype")
            check(np.allclose(t["b"], x, rtol=tol, atol=0), f"safetensors {dt} round trip")
            header, start = safetensors_io.read_header(p)
            check(start % 8 == 0, f"safetensors {dt} data offset aligned")
            check(header["a"]["data_offsets"][0] == 0, f"safetensors {dt} sorted layout")
    # bf16 rounding: ties to even, and exact values stay exact
    v = np.array([1.0, 1.00390625, 1.01171875, -2.5], dtype=np.float32)  # 1+2^-8 is a tie
    r = safetensors_io.bf16_bits_to_float32(safetensors_io.float32_to_bf16_bits(v))
    check(list(r) == [1.0, 1.0, 1.015625, -2.5], f"bf16 rounding {list(r)}")


def check_splitmix():
    rng = decoding.SplitMix64(0)
    first = [rng.next_u64() for _ in range(3)]
    check(first == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F],
          f"SplitMix64 seed 0 stream {[hex(v) for v in first]}")
    rng = decoding.SplitMix64(2 ** 64 - 1 + 1)  # wraps to 0
    check(rng.next_u64() == 0xE220A8397B1DCDAF, "SplitMix64 seed wraps modulo 2^64")


def check_model(name):
    d = os.path.join(MODELS, name)
    tok = MarianTokenizer(d)
    model32 = MarianMTModel.from_pretrained(d).eval()
    # The logic checks run in float64, where rounding noise is far below the
    # tolerances; the float32 model is compared with the golden data below.
    model = MarianMTModel.from_pretrained(d).double().eval()
    cfg = model.config
    gpath = os.path.join(GOLDEN, name, "golden.json")
    golden = json.load(open(gpath, encoding="utf-8")) if os.path.exists(gpath) else None
    texts = [s["text"] for s in golden["sentences"]] if golden else ["The old dog sleeps.", "the"]
    sources = [tok.encode(t) for t in texts]
    if golden:
        check(sources == [s["source_ids"] for s in golden["sentences"]], f"{name}: tokenizer vs golden ids")

    with torch.no_grad():
        # KV cache vs full pass.
        rng = np.random.RandomState(7)
        prefix_len = 20
        dec_ids = [[cfg.decoder_start_token_id] + [int(x) for x in rng.randint(2, cfg.decoder_vocab_size - 1,
                                                                               size=prefix_len)]
                   for _ in sources]
        worst = 0.0
        ids, mask = decoding.pad_batch(sources, cfg.pad_token_id)
        enc = model.encode(ids, mask)
        dec = torch.tensor(dec_ids)
        full = model.decode_full(dec, enc, mask)
        state = model.init_state(enc, mask, capacity=prefix_len + 1)
        steps = []
        for t in range(prefix_len + 1):
            steps.append(model.decode_step(dec[:, t:t + 1], state)[:, 0])
        inc = torch.stack(steps, dim=1)
        worst = max(worst, max_diff(full, inc))
        # two tokens at once after a first step (multi-token cache writes)
        state = model.init_state(enc, mask, capacity=prefix_len + 1)
        a = model.decode_step(dec[:, :1], state)
        b = model.decode_step(dec[:, 1:4], state)
        worst = max(worst, max_diff(full[:, :4], torch.cat([a, b], dim=1)))
        # each sentence alone vs the padded batch
        for i, src in enumerate(sources):
            s_ids = torch.tensor([src])
            s_mask = torch.ones_like(s_ids, dtype=torch.bool)
            s_full = model.decode_full(dec[i:i + 1], model.encode(s_ids, s_mask), s_mask)
            worst = max(worst, max_diff(s_full[0], full[i]))
        check(worst <= 1e-5, f"{name}: cache/batch logits differ by {worst:.3g}")
        # the same in float32: only rounding noise
        enc32 = model32.encode(ids, mask)
        st = model32.init_state(enc32, mask, capacity=prefix_len + 1)
        inc32 = torch.stack([model32.decode_step(dec[:, t:t + 1], st)[:, 0] for t in range(prefix_len + 1)], 1)
        worst32 = max_diff(model32.decode_full(dec, enc32, mask), inc32)
        check(worst32 <= 2e-4, f"{name}: float32 cache logits differ by {worst32:.3g}")
        print(f"{name}: incremental vs full / batch vs single logits max |diff| {worst:.2g} "
              f"(float64), {worst32:.2g} (float32)")

        # Batched vs single decoding.
        maxlen = 24
        prefixes = [[] for _ in sources]
        prefixes[1] = tok.encode_target("Der alte")[:-1]
        gb = decoding.greedy(model, sources, max_length=maxlen, min_length=2, prefixes=prefixes)
        bb = decoding.beam_search(model, sources, beam_size=4, num_hypotheses=2, length_penalty=0.8,
                                  max_length=maxlen, prefixes=prefixes)
        sb = decoding.sample(model, sources, temperature=0.9, topk=20, topp=0.95, seed=5, num_hypotheses=2,
                             max_length=maxlen, prefixes=prefixes)
        for i, src in enumerate(sources):
            g1 = decoding.greedy(model, [src], max_length=maxlen, min_length=2, prefixes=[prefixes[i]])[0]
            check(same_hyps(g1, gb[i]), f"{name}: greedy batch vs single, sentence {i}")
            b1 = decoding.beam_search(model, [src], beam_size=4, num_hypotheses=2, length_penalty=0.8,
                                      max_length=maxlen, prefixes=[prefixes[i]])[0]
            check(all(same_hyps(x, y) for x, y in zip(b1, bb[i])), f"{name}: beam batch vs single, sentence {i}")
            s1 = decoding.sample(model, [src], temperature=0.9, topk=20, topp=0.95, seed=5, num_hypotheses=2,
                                 max_length=maxlen, prefixes=[prefixes[i]])[0]
            check(all(same_hyps(x, y) for x, y in zip(s1, sb[i])), f"{name}: sampling batch vs single, sentence {i}")
            # beam_size 1 == greedy
            for lp in (0.0, 1.0):
                b1 = decoding.beam_search(model, [src], beam_size=1, num_hypotheses=1, length_penalty=lp,
                                          max_length=maxlen, min_length=2, prefixes=[prefixes[i]])[0][0]
                ok = b1.ids == g1.ids and b1.token_scores == g1.token_scores
                if lp == 0.0:
                    ok = ok and b1.score == g1.score
                check(ok, f"{name}: beam_size 1 vs greedy (lp {lp}), sentence {i}")
        # translate() front end: sorted batches give the same results
        tr = decoding.translate(model, sources, batch_size=3, beam_size=4, num_hypotheses=2,
                                length_penalty=0.8, max_length=maxlen, prefixes=prefixes)
        check(all(all(same_hyps(x, y) for x, y in zip(tr[i], bb[i])) for i in range(len(sources))),
              f"{name}: translate() batches")
        # ignore_eos decodes exactly max_length tokens
        ge = decoding.greedy(model, sources, max_length=7, ignore_eos=True)
        check(all(len(h.ids) == 7 for h in ge), f"{name}: ignore_eos length")

        # Float32 reference vs the float64 golden data.
        if golden:
            gt, _, _ = safetensors_io.load_file(os.path.join(GOLDEN, name, "golden.safetensors"))
            worst_t = 0.0
            for e in golden["encoder"]:
                s = torch.tensor([sources[e["sentence"]]])
                worst_t = max(worst_t, max_diff(model32.encode(s)[0], gt[e["tensor"]]))
            for e in golden["logits"]:
                s = torch.tensor([sources[e["sentence"]]])
                m = torch.ones_like(s, dtype=torch.bool)
                dd = torch.tensor([[cfg.decoder_start_token_id] + e["prefix"]])
                worst_t = max(worst_t, max_diff(model32.decode_full(dd, model32.encode(s), m)[0], gt[e["tensor"]]))
            for e in golden["encode"]:
                v = pooling.encode_pooled(model32, [sources[e["sentence"]]], e["pooling"], e["normalize"])[0]
                worst_t = max(worst_t, max_diff(v, gt[e["tensor"]]))
            check(worst_t <= 2e-4, f"{name}: float32 tensors vs golden differ by {worst_t:.3g}")
            worst_s = 0.0
            for e in golden["greedy"]:
                h = decoding.greedy(model32, [sources[e["sentence"]]], max_length=e["max_length"],
                                    min_length=e["min_length"], prefixes=[e["prefix"]])[0]
                check(h.ids == e["ids"], f"{name}: float32 greedy vs golden, sentence {e['sentence']}")
                check(tok.decode(h.ids) == e["text"], f"{name}: detokenised text vs golden")
                worst_s = max(worst_s, abs(h.score - e["score"]))
            for e in golden["beam"]:
                hs = decoding.beam_search(model32, [sources[e["sentence"]]], beam_size=e["beam_size"],
                                          num_hypotheses=e["num_hypotheses"], length_penalty=e["length_penalty"],
                                          max_length=e["max_length"], min_length=e["min_length"],
                                          prefixes=[e["prefix"]])[0]
                check([h.ids for h in hs] == [x["ids"] for x in e["hypotheses"]],
                      f"{name}: float32 beam vs golden, sentence {e['sentence']}")
                worst_s = max([worst_s] + [abs(h.score - x["score"]) for h, x in zip(hs, e["hypotheses"])])
            for e in golden["sampling"]:
                hs = decoding.sample(model32, [sources[e["sentence"]]], temperature=e["temperature"], topk=e["topk"],
                                     topp=e["topp"], seed=e["seed"], num_hypotheses=e["num_hypotheses"],
                                     max_length=e["max_length"], min_length=e["min_length"],
                                     prefixes=[e["prefix"]])[0]
                check([h.ids for h in hs] == [x["ids"] for x in e["hypotheses"]],
                      f"{name}: float32 sampling vs golden, sentence {e['sentence']}")
                worst_s = max([worst_s] + [abs(h.score - x["score"]) for h, x in zip(hs, e["hypotheses"])])
            check(worst_s <= 5e-4, f"{name}: float32 scores vs golden differ by {worst_s:.3g}")
            print(f"{name}: float32 vs golden: tensors max |diff| {worst_t:.2g}, scores {worst_s:.2g}")

    model = model32
    # bfloat16 autocast + inference mode (the benchmark configuration)
    with torch.autocast("cpu", dtype=torch.bfloat16), torch.inference_mode():
        out = decoding.translate(model, sources, batch_size=4, beam_size=2, max_length=6, ignore_eos=True)
        check(all(len(r[0].ids) == 6 for r in out), f"{name}: bf16 autocast beam run")
        pooled = pooling.encode_pooled(model, sources, "mean", True)
        check(all(torch.isfinite(p).all() for p in pooled), f"{name}: bf16 autocast encode")

    # one training step under autocast
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    labels = torch.tensor([tok.encode_target("Der Hund schlaeft.")])
    src = torch.tensor([sources[0]])
    dec_in = MarianMTModel.shift_right(labels, cfg.decoder_start_token_id, cfg.pad_token_id)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(src, torch.ones_like(src, dtype=torch.bool), dec_in)
    loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.shape[-1]), labels.view(-1))
    loss.backward()
    opt.step()
    check(bool(torch.isfinite(loss)), f"{name}: training step")


def main():
    t0 = time.time()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    check_safetensors()
    check_splitmix()
    names = sorted(n for n in os.listdir(MODELS) if os.path.isfile(os.path.join(MODELS, n, "config.json")))
    for name in names:
        check_model(name)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print(f"all reference checks passed ({len(names)} models, {time.time() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
