"""Greedy, beam search and sampling exactly as docs/semantics.md states them.

Every function takes a batch of source id lists (each ending with eos, of any
lengths), runs the encoder once over the right-padded batch and then decodes
all sentences together, step by step, with the model's KV cache. Finished
sentences leave the batch at once, so a sentence's result does not depend on
the rest of its batch (token decisions are made per sentence; floats may differ
in the last bits because padded shapes change the reduction order).

Numerics: the model may run in any dtype (float64 for golden data, float32,
or bfloat16 autocast); its logits are rounded to float32, and
`logp = log_softmax(processed logits)` is evaluated in float64 and rounded to
float32 (the correctly rounded float32 value). Scores are accumulated in
float32, sampling probabilities in float64.
"""

from dataclasses import dataclass, field

import numpy as np
import torch

from .generation import GenerationRules

NEG_INIT = -1e9
MASK64 = (1 << 64) - 1


@dataclass
class Hypothesis:
    ids: list
    score: float
    token_scores: list = field(default_factory=list)


class SplitMix64:
    """The random stream of docs/semantics.md."""

    def __init__(self, seed):
        self.state = int(seed) & MASK64

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_u64() >> 11) * (2.0 ** -53)


def f32(x):
    return np.float32(x)


def sum_f32(values):
    """Sequential float32 sum (the order in which scores are accumulated)."""
    total = np.float32(0.0)
    for v in values:
        total = np.float32(total + np.float32(v))
    return total


def length_penalty_divisor(length, lp):
    """`length^lp`, evaluated in float64 and rounded to float32."""
    return np.float32(float(length) ** float(lp))


def pad_batch(sources, pad_id, device="cpu"):
    """Right-pads id lists; returns ids [B,S] long and mask [B,S] bool (True = real)."""
    n = max(len(s) for s in sources)
    ids = torch.full((len(sources), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sources), n), dtype=torch.bool)
    for i, s in enumerate(sources):
        if len(s) == 0:
            raise ValueError("empty source")
        ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, :len(s)] = True
    return ids.to(device), mask.to(device)


def _grad_context():
    # Inside torch.inference_mode() keep it; otherwise plain no_grad.
    if torch.is_inference_mode_enabled():
        return torch.inference_mode()
    return torch.no_grad()


def _check_common(model, sources, max_length, prefixes, forced_first=None):
    """The target prefixes, each after the forced first token (`forced_first`, else the
    model's forced_bos_token_id) when there is one."""
    cfg = model.config
    if max_length < 1:
        raise ValueError("max_length must be >= 1")
    if prefixes is None:
        prefixes = [[] for _ in sources]
    if len(prefixes) != len(sources):
        raise ValueError("one target prefix per source sentence")
    prefixes = [list(p or []) for p in prefixes]
    for p in prefixes:
        if len(p) > max_length:
            raise ValueError("target prefix longer than max_length")
        for tok in p:
            if tok in (cfg.eos_token_id, cfg.pad_token_id) or not 0 <= tok < cfg.decoder_vocab_size:
                raise ValueError(f"invalid target prefix token {tok}")
    first = first_token(model, forced_first)
    if first is not None:
        prefixes = [[first] + p for p in prefixes]
    return prefixes


def first_token(model, forced_first):
    return forced_first if forced_first is not None else model.generation.forced_bos


def process_logits(logits, t, cfg, min_length=0, ignore_eos=False, rules=None, fed=None,
                   max_length=None, forced_first=None):
    """Step 1 and 2 of the contract: returns logp [R,V] float32.

    `rules`: the model's GenerationRules (none when None); `fed`: per row, the
    tokens fed so far (start token first), for banned sequences; `max_length`:
    for the forced eos of the last step; `forced_first`: the token forced at step 0
    with log-probability 0 (transformers' ForcedBOSTokenLogitsProcessor, applied after
    the masks and the normalisation; forced eos, after it, wins)."""
    rules = rules or GenerationRules()

    def mask(x):
        x[:, cfg.pad_token_id] = float("-inf")
        if t < min_length or ignore_eos:
            x[:, cfg.eos_token_id] = float("-inf")
        for tok in rules.banned:
            x[:, tok] = float("-inf")
        for seq in rules.banned_sequences:
            n = len(seq) - 1
            for r, tokens in enumerate(fed or []):
                if len(tokens) >= n and list(tokens[len(tokens) - n:]) == list(seq[:-1]):
                    x[r, seq[-1]] = float("-inf")
        return x

    x = logits.float().clone()
    if rules.renormalize:
        logp = torch.log_softmax(mask(x).double(), dim=-1).float()
    else:
        logp = mask(torch.log_softmax(x.double(), dim=-1).float())
    if forced_first is not None and t == 0:
        logp.fill_(float("-inf"))
        logp[:, forced_first] = 0.0
    if rules.forced_eos and not ignore_eos and max_length is not None and t == max_length - 1:
        logp.fill_(float("-inf"))
        logp[:, cfg.eos_token_id] = 0.0
    return logp


def topk_lowest_index(x, k):
    """The k largest values of every row of x, by descending value, ties broken
    by lower column index. Returns (values, indices)."""
    vals, idx = torch.topk(x, k, dim=1, largest=True, sorted=True)
    thr = vals[:, -1:]
    cnt = (x >= thr).sum(dim=1)
    order = torch.argsort(idx, dim=1)
    idx = idx.gather(1, order)
    vals = vals.gather(1, order)
    order = torch.sort(vals, dim=1, descending=True, stable=True).indices
    idx = idx.gather(1, order)
    vals = vals.gather(1, order)
    for r in torch.nonzero(cnt != k).flatten().tolist():
        # Equal values straddle the k-th place: rank all of them explicitly.
        cols = torch.nonzero(x[r] >= thr[r]).flatten()
        cv = x[r, cols]
        o = torch.sort(cv, descending=True, stable=True).indices[:k]
        idx[r] = cols[o]
        vals[r] = cv[o]
    return vals, idx


# ---------------------------------------------------------------------- greedy

def greedy(model, sources, max_length=256, min_length=0, prefixes=None, ignore_eos=False, trace=None,
           forced_first=None):
    """Greedy decoding. Returns one Hypothesis per source. `trace`, when a list,
    receives (sentence, step, top-2 logp values) for every free (unforced) step."""
    cfg = model.config
    prefixes = _check_common(model, sources, max_length, prefixes, forced_first)
    forced_first = first_token(model, forced_first)
    eos = cfg.eos_token_id
    results = [None] * len(sources)
    with _grad_context():
        ids, mask = pad_batch(sources, cfg.pad_token_id, model.device)
        enc = model.encode(ids, mask)
        state = model.init_state(enc, mask, capacity=max_length)
        active = list(range(len(sources)))
        out_ids = [[] for _ in sources]
        out_scores = [[] for _ in sources]
        tokens = torch.full((len(sources), 1), cfg.decoder_start_token_id, dtype=torch.long,
                            device=model.device)
        for t in range(max_length):
            logits = model.decode_step(tokens, state)[:, -1]
            fed = [[cfg.decoder_start_token_id] + out_ids[s] for s in active]
            logp = process_logits(logits, t, cfg, min_length, ignore_eos, model.generation, fed, max_length,
                                  forced_first)
            best = torch.argmax(logp, dim=-1)  # first (lowest id) maximum
            if trace is not None:
                top2 = torch.topk(logp, 2, dim=-1).values.tolist()
            for r, s in enumerate(active):
                if t < len(prefixes[s]):
                    best[r] = prefixes[s][t]
                elif trace is not None:
                    trace.append((s, t, top2[r]))
            sc = logp.gather(1, best[:, None])[:, 0].tolist()
            best_l = best.tolist()
            keep = []
            for r, s in enumerate(active):
                tok = best_l[r]
                out_scores[s].append(sc[r])
                if tok == eos:
                    results[s] = Hypothesis(out_ids[s], float(sum_f32(out_scores[s])), out_scores[s])
                    continue
                out_ids[s].append(tok)
                if t + 1 == max_length:
                    results[s] = Hypothesis(out_ids[s], float(sum_f32(out_scores[s])), out_scores[s])
                    continue
                keep.append(r)
            if not keep:
                break
            if len(keep) < len(active):
                state.select(keep)
                active = [active[r] for r in keep]
                best = best[torch.tensor(keep, device=best.device)]
            tokens = best[:, None]
    return results


# ----------------------------------------------------------------- beam search

class _Finished:
    """The finished set of one sentence (at most B hypotheses)."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.items = []  # insertion order
        # (score gap, length, length) of each eviction: the dropped hypothesis
        # against the lowest one kept
        self.eviction_gaps = []

    def add(self, hyp):
        self.items.append(hyp)
        if len(self.items) > self.capacity:
            worst = min(h.score for h in self.items)
            for i, h in enumerate(self.items):
                if h.score == worst:  # the earliest added among equal worst
                    dropped = self.items.pop(i)
                    break
            kept = min(self.items, key=lambda h: h.score)
            self.eviction_gaps.append((kept.score - worst, len(dropped.token_scores), len(kept.token_scores)))

    def full(self):
        return len(self.items) == self.capacity

    def worst(self):
        return min(h.score for h in self.items)

    def best(self, n):
        return sorted(self.items, key=lambda h: -h.score)[:n]  # stable: ties in added order


def beam_search(model, sources, beam_size=4, num_hypotheses=1, length_penalty=1.0, max_length=256,
                min_length=0, prefixes=None, ignore_eos=False, trace=None, forced_first=None):
    """Beam search. Returns, per source, a list of `num_hypotheses` Hypothesis
    (scores divided by the length penalty). `trace`, when a list, receives for
    every sentence and step a dict with the 2B+1 best candidate values (and
    which are eos), the finished set's worst score and the penalised best
    running score, and at the end the final finished (score, length) pairs and
    the (gap, length, length) of every eviction (used to check that no decision
    is a near tie)."""
    cfg = model.config
    B = int(beam_size)
    if B < 1 or not 1 <= num_hypotheses <= B:
        raise ValueError("need beam_size >= 1 and 1 <= num_hypotheses <= beam_size")
    prefixes = _check_common(model, sources, max_length, prefixes, forced_first)
    forced_first = first_token(model, forced_first)
    eos = cfg.eos_token_id
    lp = float(length_penalty)
    S = len(sources)
    results = [None] * S
    finished = [_Finished(B) for _ in range(S)]
    with _grad_context():
        ids, mask = pad_batch(sources, cfg.pad_token_id, model.device)
        enc = model.encode(ids, mask)
        state = model.init_state(enc, mask, capacity=max_length)
        state.select(torch.arange(S).repeat_interleave(B))
        active = list(range(S))
        scores = torch.full((S, B), NEG_INIT, dtype=torch.float32)
        scores[:, 0] = 0.0
        hist_ids = torch.zeros((S, B, 0), dtype=torch.long)
        hist_lp = torch.zeros((S, B, 0), dtype=torch.float32)
        tokens = torch.full((S * B, 1), cfg.decoder_start_token_id, dtype=torch.long, device=model.device)
        for t in range(max_length):
            n = len(active)
            logits = model.decode_step(tokens, state)[:, -1]
            fed = [[cfg.decoder_start_token_id] + hist_ids[i, b].tolist()
                   for i in range(n) for b in range(B)]
            logp = process_logits(logits, t, cfg, min_length, ignore_eos, model.generation, fed,
                                  max_length, forced_first).cpu()
            V = logp.shape[-1]
            logp = logp.view(n, B, V)
            for i, s in enumerate(active):
                if t < len(prefixes[s]):
                    f = prefixes[s][t]
                    keep_col = logp[i, :, f].clone()
                    logp[i].fill_(float("-inf"))
                    logp[i, :, f] = keep_col
            cand = (scores[:, :, None] + logp).view(n, B * V)
            vals, idx = topk_lowest_index(cand, 2 * B)
            if trace is not None:
                wide_v, wide_i = torch.topk(cand, min(2 * B + 1, B * V), dim=1)
                wide = wide_v.tolist()
                wide_eos = (wide_i % V == eos).tolist()
            parent = idx // V
            tok = idx % V
            is_eos = tok == eos
            non_eos = ~is_eos
            chosen = non_eos & (torch.cumsum(non_eos.long(), dim=1) <= B)
            cols = torch.nonzero(chosen)[:, 1].view(n, B)
            new_parent = parent.gather(1, cols)
            new_tok = tok.gather(1, cols)
            new_scores = vals.gather(1, cols)
            rows = torch.arange(n)[:, None]
            new_tok_lp = logp[rows, new_parent, new_tok]

            # Finished hypotheses: eos candidates among the first B ranks.
            for i, r in torch.nonzero(is_eos[:, :B]).tolist():
                v = vals[i, r].item()
                if v == float("-inf"):
                    continue
                s = active[i]
                b = parent[i, r].item()
                ts = hist_lp[i, b].tolist() + [logp[i, b, eos].item()]
                score = f32(v) / length_penalty_divisor(t + 1, lp)
                finished[s].add(Hypothesis(hist_ids[i, b].tolist(), float(score), ts))

            hist_ids = torch.cat([hist_ids[rows, new_parent], new_tok[:, :, None]], dim=2)
            hist_lp = torch.cat([hist_lp[rows, new_parent], new_tok_lp[:, :, None]], dim=2)
            scores = new_scores

            div = length_penalty_divisor(t + 1, lp)
            keep = []
            for i, s in enumerate(active):
                fin = finished[s]
                done = fin.full() and fin.worst() >= f32(scores[i].max().item()) / div
                if trace is not None:
                    worst_h = min(fin.items, key=lambda h: h.score) if fin.full() else None
                    trace.append({"sentence": s, "step": t, "candidates": wide[i], "candidate_is_eos": wide_eos[i],
                                  "worst_finished": worst_h.score if worst_h else None,
                                  "worst_finished_length": len(worst_h.token_scores) if worst_h else None,
                                  "best_running": float(f32(scores[i].max().item()) / div),
                                  "running_length": t + 1})
                if not done and t + 1 == max_length:
                    for b in range(B):
                        fin.add(Hypothesis(hist_ids[i, b].tolist(), float(f32(scores[i, b].item()) / div),
                                           hist_lp[i, b].tolist()))
                    done = True
                if done:
                    results[s] = fin.best(num_hypotheses)
                    if trace is not None:
                        trace.append({"sentence": s, "final": [(h.score, len(h.token_scores)) for h in
                                                               sorted(fin.items, key=lambda h: -h.score)],
                                      "eviction_gaps": list(fin.eviction_gaps)})
                else:
                    keep.append(i)
            if not keep:
                break
            keep_t = torch.tensor(keep, dtype=torch.long)
            row_index = (keep_t[:, None] * B + new_parent[keep_t]).flatten()
            state.select(row_index)
            active = [active[i] for i in keep]
            scores = scores[keep_t]
            hist_ids = hist_ids[keep_t]
            hist_lp = hist_lp[keep_t]
            tokens = new_tok[keep_t].reshape(-1, 1).to(model.device)
    return results


# -------------------------------------------------------------------- sampling

def sample_from_logp(sorted_lp, order, rng, temperature, topk, topp):
    """One draw. sorted_lp: float64 numpy logp sorted descending (ties by lower
    id), order: the matching ids. Returns (token id, u, cumulative probabilities
    of the kept candidates, distance of the top-p cut from p or inf)."""
    n = int(np.isfinite(sorted_lp).sum())
    if topk > 0:
        n = min(n, int(topk))
    lp = sorted_lp[:n]
    q = np.exp((lp - lp[0]) / float(temperature))
    cut_gap = np.inf
    if topp < 1.0:
        c = np.cumsum(q / np.cumsum(q)[-1])
        reach = np.nonzero(c >= topp)[0]
        m = int(reach[0]) + 1 if len(reach) else n
        if len(reach):
            cut_gap = c[m - 1] - topp
            if m >= 2:
                cut_gap = min(cut_gap, topp - c[m - 2])
        q = q[:m]
    c = np.cumsum(q / np.cumsum(q)[-1])
    u = rng.next_double()
    above = np.nonzero(c > u)[0]
    j = int(above[0]) if len(above) else len(c) - 1
    return int(order[j]), u, c, cut_gap


def sample(model, sources, temperature=1.0, topk=0, topp=1.0, seed=0, num_hypotheses=1, max_length=256,
           min_length=0, prefixes=None, ignore_eos=False, trace=None, forced_first=None):
    """Random sampling. `seed`: one seed for every sentence or a list, one per
    sentence. Returns, per source, `num_hypotheses` Hypothesis in hypothesis
    order. `trace`, when a list, receives (sentence, hypothesis, step, u,
    cumulative probabilities, top-p cut gap) for each draw (used to check that
    draws are not near a boundary)."""
    cfg = model.config
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    if not 0.0 < topp <= 1.0:
        raise ValueError("topp must be in (0, 1]")
    if topk < 0:
        raise ValueError("topk must be >= 0")
    prefixes = _check_common(model, sources, max_length, prefixes, forced_first)
    forced_first = first_token(model, forced_first)
    seeds = list(seed) if isinstance(seed, (list, tuple)) else [seed] * len(sources)
    eos = cfg.eos_token_id
    N = int(num_hypotheses)
    S = len(sources)
    results = [[None] * N for _ in range(S)]
    with _grad_context():
        ids, mask = pad_batch(sources, cfg.pad_token_id, model.device)
        enc = model.encode(ids, mask)
        state = model.init_state(enc, mask, capacity=max_length)
        state.select(torch.arange(S).repeat_interleave(N))
        active = [(s, h) for s in range(S) for h in range(N)]
        rngs = {(s, h): SplitMix64(seeds[s] + h) for s, h in active}
        out_ids = {k: [] for k in active}
        out_lp = {k: [] for k in active}
        tokens = torch.full((S * N, 1), cfg.decoder_start_token_id, dtype=torch.long, device=model.device)
        for t in range(max_length):
            logits = model.decode_step(tokens, state)[:, -1]
            fed = [[cfg.decoder_start_token_id] + out_ids[k] for k in active]
            logp = process_logits(logits, t, cfg, min_length, ignore_eos, model.generation, fed,
                                  max_length, forced_first).cpu()
            forced_eos = model.generation.forced_eos and not ignore_eos and t == max_length - 1
            sorted_lp, order = torch.sort(logp, dim=1, descending=True, stable=True)
            sorted_lp = sorted_lp.double().numpy()
            order = order.numpy()
            logp_np = logp.numpy()
            keep, next_tok = [], []
            for r, (s, h) in enumerate(active):
                if t < len(prefixes[s]):
                    tok = prefixes[s][t]
                elif forced_eos:
                    tok = eos  # nothing is drawn
                else:
                    tok, u, c, cut_gap = sample_from_logp(sorted_lp[r], order[r], rngs[(s, h)], temperature,
                                                          topk, topp)
                    if trace is not None:
                        trace.append((s, h, t, u, c, cut_gap))
                out_lp[(s, h)].append(float(logp_np[r, tok]))
                if tok == eos or t + 1 == max_length:
                    if tok != eos:
                        out_ids[(s, h)].append(tok)
                    sc = out_lp[(s, h)]
                    results[s][h] = Hypothesis(out_ids[(s, h)], float(sum_f32(sc)), sc)
                    continue
                out_ids[(s, h)].append(tok)
                keep.append(r)
                next_tok.append(tok)
            if not keep:
                break
            if len(keep) < len(active):
                state.select(keep)
                active = [active[r] for r in keep]
            tokens = torch.tensor(next_tok, dtype=torch.long, device=model.device)[:, None]
    return results


# ------------------------------------------------------------ batched front end

def translate(model, sources, batch_size=32, sort_by_length=True, beam_size=1, sampling=False, **kw):
    """Decodes `sources` in batches of `batch_size` (sorted by length to reduce
    padding when `sort_by_length`); results in input order. beam_size 1 is greedy
    (one Hypothesis per source, wrapped in a list), beam_size > 1 beam search,
    `sampling=True` random sampling (kw: temperature, topk, topp, seed,
    num_hypotheses). Other kw: max_length, min_length, prefixes, ignore_eos,
    length_penalty, num_hypotheses."""
    order = list(range(len(sources)))
    if sort_by_length:
        order.sort(key=lambda i: len(sources[i]))
    prefixes = kw.pop("prefixes", None)
    results = [None] * len(sources)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        src = [sources[i] for i in chunk]
        pre = [prefixes[i] for i in chunk] if prefixes is not None else None
        if sampling:
            out = sample(model, src, prefixes=pre, **kw)
        elif beam_size > 1:
            out = beam_search(model, src, beam_size=beam_size, prefixes=pre, **kw)
        else:
            g = {k: v for k, v in kw.items() if k in ("max_length", "min_length", "ignore_eos")}
            out = [[h] for h in greedy(model, src, prefixes=pre, **g)]
        for i, r in zip(chunk, out):
            results[i] = r
    return results
