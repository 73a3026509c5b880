"""What every reference encoder-decoder (marian.py, t5.py) shares: the teacher-forced
training pass built on its own encode/decode_full, the decoder inputs shifted from
labels, and the shape-checked copy of a checkpoint tensor into a parameter."""

import torch


def copy_parameter(param, value, name):
    """Copies `value` into `param`; ValueError naming the tensor when the shapes differ."""
    if tuple(param.shape) != tuple(value.shape):
        raise ValueError(f"{name}: shape {tuple(value.shape)}, expected {tuple(param.shape)}")
    with torch.no_grad():
        param.copy_(value)


class TeacherForcedMixin:
    """For a module with encode(input_ids, attention_mask) and
    decode_full(decoder_input_ids, encoder_out, attention_mask)."""

    def forward(self, input_ids, attention_mask, decoder_input_ids):
        """Teacher-forced pass for training: logits [B,T,V]."""
        enc = self.encode(input_ids, attention_mask)
        return self.decode_full(decoder_input_ids, enc, attention_mask)

    @staticmethod
    def shift_right(labels, start_id, pad_id):
        """labels [B,T] (pad or -100 after the end) -> decoder inputs starting with `start_id`."""
        dec = labels.new_full(labels.shape, pad_id)
        dec[:, 1:] = labels[:, :-1]
        dec[:, 0] = start_id
        return dec.masked_fill(dec == -100, pad_id)
