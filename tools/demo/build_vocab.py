#!/usr/bin/python3
"""Trains the demo model's shared SentencePiece vocabulary and writes the
tokenizer files the way OPUS-MT models ship them.

One unigram model (Debian's `spm_train`) is trained on the English and the
Spanish training text together; it is written twice, as `source.spm` and
`target.spm`, and `vocab.json` maps its pieces to ids in the OPUS-MT layout
(`</s>` = 0, `<unk>` = 1, the pieces, `<pad>` last, which is also the
decoder start token).

    /usr/bin/python3 tools/demo/build_vocab.py [--vocab-size 8000]
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import paths  # noqa: E402
from make_test_models import build_vocab, spm_normal_pieces, write_json  # noqa: E402


def train_spm(text_files, vocab_size, workdir, threads):
    """Unigram model over the given files; returns its bytes. Runs in `workdir`
    with relative paths, as the model file records its trainer options."""
    name = "shared"
    with open(os.path.join(workdir, name + ".txt"), "w", encoding="utf-8") as out:
        for path in text_files:
            with open(path, encoding="utf-8") as f:
                out.write(f.read())
    cmd = ["spm_train", f"--input={name}.txt", f"--model_prefix={name}", "--model_type=unigram",
           f"--vocab_size={vocab_size}", "--character_coverage=1.0", f"--num_threads={threads}",
           "--random_seed=1", "--input_sentence_size=0", "--shuffle_input_sentence=false",
           # The normaliser of published OPUS-MT models (NFKC plus whitespace clean-up).
           "--normalization_rule_name=nmt_nfkc"]
    res = subprocess.run(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError("spm_train failed:\n" + res.stderr.decode("utf-8", "replace")[-3000:])
    with open(os.path.join(workdir, name + ".model"), "rb") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab-size", type=int, default=8000, help="pieces given to spm_train")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    os.makedirs(paths.TOKENIZER, exist_ok=True)
    spm_dir = os.path.join(paths.WORK, "spm")
    os.makedirs(spm_dir, exist_ok=True)
    model = train_spm([paths.corpus_file("train", "en"), paths.corpus_file("train", "es")],
                      args.vocab_size, spm_dir, args.threads)
    for name in ("source.spm", "target.spm"):
        with open(os.path.join(paths.TOKENIZER, name), "wb") as f:
            f.write(model)
    vocab = build_vocab([spm_normal_pieces(model)])
    write_json(os.path.join(paths.TOKENIZER, "vocab.json"), vocab, sort_keys=False)
    print(f"vocabulary: {len(vocab)} ids (pad = decoder start = {vocab['<pad>']}) in {paths.TOKENIZER}")


if __name__ == "__main__":
    main()
