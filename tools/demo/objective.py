"""What training optimises: the label-smoothed cross-entropy and the learning
rate schedule (linear warm-up, then decay with the inverse square root of the
step, as in "Attention Is All You Need")."""

import math

import torch


def label_smoothed_loss(logits, labels, smoothing):
    """logits [B,T,V], labels [B,T] with -100 on padding. Returns (loss summed
    over real tokens, NLL summed over real tokens, number of real tokens).

    The smoothed target puts 1 - smoothing on the label and spreads
    `smoothing` evenly over the vocabulary."""
    lprobs = torch.log_softmax(logits.float(), dim=-1)
    real = labels != -100
    target = labels.clamp(min=0).unsqueeze(-1)
    nll = -lprobs.gather(-1, target).squeeze(-1)
    uniform = -lprobs.mean(dim=-1)
    loss = (1.0 - smoothing) * nll + smoothing * uniform
    return loss[real].sum(), nll[real].sum(), int(real.sum())


def inverse_sqrt_lr(step, peak_lr, warmup_steps):
    """Learning rate at optimizer step `step` (1-based): rises linearly to
    `peak_lr` at `warmup_steps`, then falls as 1/sqrt(step)."""
    step = max(step, 1)
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    return peak_lr * math.sqrt(warmup_steps / step)
