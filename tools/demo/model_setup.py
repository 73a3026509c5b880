"""The demo model's shape, its initial weights, and its export as a Hugging
Face MarianMT directory (the layout of the published OPUS-MT models)."""

import math
import os
import shutil
import sys

import torch.nn as nn

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

from make_test_models import generation_config, hf_config, write_json  # noqa: E402
from tserve_ref.marian import MarianConfig, MarianMTModel  # noqa: E402

# A deep encoder and a shallow decoder: decoding cost grows with the decoder's
# depth, while most of the quality comes from the encoder. Swish, scaled and
# tied embeddings and computed sinusoidal positions as in OPUS-MT models.
SHAPE = {
    "d_model": 256,
    "encoder_layers": 6, "decoder_layers": 3,
    "encoder_attention_heads": 4, "decoder_attention_heads": 4,
    "encoder_ffn_dim": 1024, "decoder_ffn_dim": 1024,
    "activation_function": "swish",
    "max_position_embeddings": 512,
    "scale_embedding": True,
}
MAX_LENGTH = 512  # generation default, as in OPUS-MT configs
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")


def config_dict(vocab_size, name="en-es-demo", storage="F16"):
    """config.json of the model: the fields OPUS-MT configs carry."""
    spec = dict(SHAPE, name=name, separate_vocabs=False, tie=True, dtype=storage, config_omit=())
    cfg = hf_config(spec, vocab_size, vocab_size, pad=vocab_size - 1)
    cfg["max_length"] = MAX_LENGTH
    return cfg


def build_model(vocab_size, dropout=0.1):
    """A freshly initialised model: Xavier-uniform projections with zero
    biases, embeddings N(0, 1/d) so that scaled by sqrt(d) they have unit
    variance and the tied output layer starts with logits of unit scale."""
    cfg = MarianConfig.from_dict(dict(config_dict(vocab_size), dropout=dropout))
    model = MarianMTModel(cfg)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    nn.init.normal_(model.embed_tokens.weight, std=1.0 / math.sqrt(cfg.d_model))
    return model


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def export(model, tokenizer_dir, out_dir, storage="F16"):
    """Writes config.json, model.safetensors (in `storage`: F16, BF16 or F32),
    the tokenizer files and generation_config.json to `out_dir`."""
    if os.path.isdir(out_dir):
        for name in os.listdir(out_dir):
            if name != "README.md":
                os.remove(os.path.join(out_dir, name))
    vocab_size = model.config.vocab_size
    cfg = config_dict(vocab_size, storage=storage)
    model.save_pretrained(out_dir, dtype=storage, extra_config=cfg)
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(out_dir, name))
    gen = generation_config(vocab_size - 1)
    gen["max_length"] = MAX_LENGTH
    write_json(os.path.join(out_dir, "generation_config.json"), gen)
    return sum(os.path.getsize(os.path.join(out_dir, n)) for n in os.listdir(out_dir))


def load_checkpoint_model(checkpoint):
    """The model stored in a training checkpoint (see checkpoint.py), in eval mode."""
    cfg = MarianConfig.from_dict(checkpoint["config"])
    model = MarianMTModel(cfg)
    model.load_state_dict(checkpoint["model"])
    return model.eval()

