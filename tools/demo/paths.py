"""Where the demo model's files live. The corpus, vocabulary training files and
checkpoints are rebuilt by the scripts and stay out of git (tools/work/); the
test set and the exported model are committed."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(REPO, "tools", "work", "demo")
CORPUS = os.path.join(WORK, "corpus")          # train.{en,es}, valid.{en,es}, stats.json
TOKENIZER = os.path.join(WORK, "tokenizer")    # source.spm, target.spm, vocab.json
CHECKPOINTS = os.path.join(WORK, "checkpoints")
TEST_SET = os.path.join(REPO, "tests", "data", "en-es")  # test.{en,es}
MODEL = os.path.join(REPO, "models", "en-es-demo")


def corpus_file(split, lang):
    """The file of a split ('train', 'valid', 'test') and language ('en', 'es')."""
    folder = TEST_SET if split == "test" else CORPUS
    return os.path.join(folder, f"{split}.{lang}")


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()
