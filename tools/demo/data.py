"""Training data of the demo model: tokenized pairs and token-budget batches.

Sentences are encoded exactly as the server encodes them (source.spm pieces
mapped through vocab.json, unknown pieces to <unk>, </s> appended; the target
side with target.spm). Batches hold sentences of similar length: every epoch
shuffles the pairs with a seed derived from (seed, epoch), sorts them by
length inside large pools, cuts each pool into batches of at most
`max_tokens` padded tokens, and shuffles the batch order. An epoch's batches
are thus a pure function of (seed, epoch), and a position in training is just
(epoch, batch index) — which is what makes resuming exact.
"""

import json
import os
import random

import sentencepiece as spm
import torch


class PairEncoder:
    def __init__(self, tokenizer_dir):
        self.source = spm.SentencePieceProcessor(model_file=os.path.join(tokenizer_dir, "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=os.path.join(tokenizer_dir, "target.spm"))
        with open(os.path.join(tokenizer_dir, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)
        self.eos, self.unk, self.pad = self.vocab["</s>"], self.vocab["<unk>"], self.vocab["<pad>"]

    def _ids(self, processor, lines):
        pieces = processor.encode(lines, out_type=str)
        return [[self.vocab.get(p, self.unk) for p in ps] + [self.eos] for ps in pieces]

    def encode_sources(self, lines):
        return self._ids(self.source, lines)

    def encode_targets(self, lines):
        return self._ids(self.target, lines)


def load_pairs(encoder, en_lines, es_lines, max_len):
    """(source ids, target ids) pairs, dropping those longer than `max_len` tokens."""
    src, tgt = encoder.encode_sources(en_lines), encoder.encode_targets(es_lines)
    return [(s, t) for s, t in zip(src, tgt) if len(s) <= max_len and len(t) <= max_len]


def epoch_batches(pairs, max_tokens, seed, epoch, pool_size=20000):
    """Lists of pair indices; each batch's padded size, sentences times the
    longest side, stays within `max_tokens`."""
    rng = random.Random(seed * 1000003 + epoch)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), pool_size):
        pool = sorted(order[start:start + pool_size],
                      key=lambda i: (len(pairs[i][0]), len(pairs[i][1])))
        batch, longest = [], 0
        for i in pool:
            n = max(len(pairs[i][0]), len(pairs[i][1]))
            if batch and max(longest, n) * (len(batch) + 1) > max_tokens:
                batches.append(batch)
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, n)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def collate(pairs, indices, pad_id):
    """Right-padded tensors: input_ids, attention_mask, labels (-100 on padding)."""
    src = [pairs[i][0] for i in indices]
    tgt = [pairs[i][1] for i in indices]
    s_len, t_len = max(map(len, src)), max(map(len, tgt))
    input_ids = torch.full((len(src), s_len), pad_id, dtype=torch.long)
    labels = torch.full((len(tgt), t_len), -100, dtype=torch.long)
    for row, (s, t) in enumerate(zip(src, tgt)):
        input_ids[row, :len(s)] = torch.tensor(s)
        labels[row, :len(t)] = torch.tensor(t)
    return input_ids, input_ids != pad_id, labels
