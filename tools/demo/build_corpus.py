#!/usr/bin/python3
"""Builds the English-Spanish corpus of the demo model from Debian packages.

English: WordNet's glosses, example sentences and verb frame sentences
(`wordnet-base`). Spanish: their translation by Apertium (`apertium-eng-spa`).
Steps: normalise and filter the English lines, drop duplicates (ignoring
case), translate, drop pairs that Apertium could not translate fully, then
split with a fixed seed into test (committed, tests/data/en-es/), validation
and training (tools/work/demo/corpus/).

    /usr/bin/python3 tools/demo/build_corpus.py
"""

import argparse
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import apertium  # noqa: E402
import paths  # noqa: E402
import wordnet_text  # noqa: E402

MIN_WORDS, MAX_WORDS, MAX_CHARS = 2, 40, 250
# Characters Apertium's text format treats as markup or that WordNet uses for
# cross-references; lines with them are dropped rather than repaired.
_MARKUP = re.compile(r"[\[\]{}<>^$\\/@*#|_~`]")
_ALLOWED = re.compile(r"^[A-Za-z0-9 .,;:!?'\"()%&+=-]+$")


def normalise(line):
    return " ".join(line.replace("`", "'").split())


def keep_source(line):
    """Length bounds and a plain character set (no markup, no non-ASCII)."""
    words = line.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or len(line) > MAX_CHARS:
        return False
    if _MARKUP.search(line) or not _ALLOWED.match(line):
        return False
    return line.count("(") == line.count(")") and line.count('"') % 2 == 0


def keep_pair(en, es):
    """A full translation whose length is plausible for the source."""
    if not apertium.is_clean(es):
        return False
    return 0.5 <= len(es) / len(en) <= 2.5


def unique_sources(lines):
    """First occurrence of every line, ignoring case."""
    seen, out = set(), []
    for line in lines:
        key = line.lower()
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out


def split(pairs, test_size, valid_size, seed):
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    test = [pairs[i] for i in sorted(order[:test_size])]
    valid = [pairs[i] for i in sorted(order[test_size:test_size + valid_size])]
    train = [pairs[i] for i in order[test_size + valid_size:]]  # shuffled order
    return train, valid, test


def write_split(name, pairs):
    for side, lang in ((0, "en"), (1, "es")):
        path = paths.corpus_file(name, lang)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(p[side] + "\n" for p in pairs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20240817)
    ap.add_argument("--test-size", type=int, default=1500)
    ap.add_argument("--valid-size", type=int, default=2000)
    args = ap.parse_args()

    t0 = time.time()
    raw = list(wordnet_text.wordnet_lines())
    normalised = [normalise(x) for x in raw]
    filtered = [x for x in normalised if keep_source(x)]
    sources = unique_sources(filtered)
    print(f"wordnet lines {len(raw)}, after filters {len(filtered)}, unique {len(sources)}", flush=True)

    def progress(done, total):
        print(f"  apertium {done}/{total} ({time.time() - t0:.0f} s)", flush=True)

    translations = apertium.translate(sources, progress=progress)
    broken = sum(t is None for t in translations)
    pairs = [(en, normalise(es)) for en, es in zip(sources, translations)
             if es is not None and keep_pair(en, normalise(es))]
    print(f"translated {len(sources)}: line structure broken {broken}, kept {len(pairs)}", flush=True)

    train, valid, test = split(pairs, args.test_size, args.valid_size, args.seed)
    for name, part in (("train", train), ("valid", valid), ("test", test)):
        write_split(name, part)
    stats = {
        "wordnet_lines": len(raw), "after_filters": len(filtered), "unique_sources": len(sources),
        "apertium_broken_lines": broken, "pairs": len(pairs),
        "train": len(train), "valid": len(valid), "test": len(test),
        "train_words_en": sum(len(p[0].split()) for p in train),
        "train_words_es": sum(len(p[1].split()) for p in train),
        "seed": args.seed,
    }
    with open(os.path.join(paths.CORPUS, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
        f.write("\n")
    print(json.dumps(stats, indent=2))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
