"""Validation during training: the loss on the validation set, and the chrF
of greedy translations of its first sentences (what the demo is judged on)."""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import data  # noqa: E402
import objective  # noqa: E402
import scoring  # noqa: E402
from tserve_ref import decoding  # noqa: E402


def validation_loss(model, pairs, pad_id, max_tokens, smoothing):
    """(label-smoothed loss, NLL) per target token, dropout off."""
    was_training = model.training
    model.eval()
    loss_sum = nll_sum = tokens = 0.0
    with torch.no_grad():
        for indices in data.epoch_batches(pairs, max_tokens, seed=0, epoch=0):
            input_ids, mask, labels = data.collate(pairs, indices, pad_id)
            dec_in = model.shift_right(labels, model.config.decoder_start_token_id, pad_id)
            logits = model(input_ids, mask, dec_in)
            loss, nll, n = objective.label_smoothed_loss(logits, labels, smoothing)
            loss_sum += float(loss)
            nll_sum += float(nll)
            tokens += n
    model.train(was_training)
    return loss_sum / tokens, nll_sum / tokens


def greedy_translations(model, encoder, sources, max_length=128, batch_size=32):
    """Greedy translations of English lines, decoded with the target vocabulary."""
    was_training = model.training
    model.eval()
    ids = encoder.encode_sources(sources)
    pieces = {i: p for p, i in encoder.vocab.items()}
    drop = {encoder.eos, encoder.pad, encoder.unk}
    with torch.inference_mode():
        results = decoding.translate(model, ids, batch_size=batch_size, max_length=max_length)
    model.train(was_training)
    return [encoder.target.decode_pieces([pieces[i] for i in r[0].ids if i not in drop])
            for r in results]


def greedy_chrf(model, encoder, sources, references):
    hyps = greedy_translations(model, encoder, sources)
    return scoring.chrf(hyps, references), hyps
