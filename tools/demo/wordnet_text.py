"""English text from Debian's `wordnet-base`: glosses, example sentences and
the verb frame sentences.

A synset line of `data.{noun,verb,adj,adv}` ends with `| gloss`, where the
gloss is a definition followed by `;`-separated parts, quoted ones being
example sentences ("The patient must be sedated before the operation"),
sometimes with an attribution after the closing quote. `sents.vrb` holds
frame sentences with a `%s` for the verb ("The children %s to the
playground") and `sentidx.vrb` which verbs each frame is used with.
"""

import os
import re

WORDNET_DIR = "/usr/share/wordnet"
PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")

_QUOTED = re.compile(r'"([^"]+)"')


def synset_glosses(path):
    """Yields the gloss text of every synset line of a data.* file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("  "):  # the licence header
                continue
            bar = line.find(" | ")
            if bar >= 0:
                yield line[bar + 3:].strip()


def split_gloss(gloss):
    """A gloss -> (definitions, examples). Definitions are the unquoted
    `;`-separated parts; examples the quoted strings."""
    examples = [m.strip() for m in _QUOTED.findall(gloss)]
    rest = _QUOTED.sub(";", gloss)
    definitions = []
    for part in rest.split(";"):
        part = part.strip()
        # Leftovers of attributions ("- Shakespeare") and stray punctuation.
        if part and not part.startswith("-") and re.search(r"[A-Za-z]{2}", part):
            definitions.append(part)
    return definitions, examples


def verb_frame_sentences(wordnet_dir=WORDNET_DIR):
    """Frame sentences filled with the lemma of every verb they are used with
    ("The children play to the playground")."""
    frames = {}
    with open(os.path.join(wordnet_dir, "sents.vrb"), encoding="utf-8") as f:
        for line in f:
            number, _, text = line.strip().partition(" ")
            frames[number] = text
    with open(os.path.join(wordnet_dir, "sentidx.vrb"), encoding="utf-8") as f:
        for line in f:
            key, _, numbers = line.strip().partition(" ")
            lemma = key.split("%")[0].replace("_", " ")
            for n in numbers.split(","):
                if n in frames:
                    yield frames[n].replace("%s", lemma)


def wordnet_lines(wordnet_dir=WORDNET_DIR):
    """Every English line WordNet offers, in file order (duplicates kept)."""
    for pos in PARTS_OF_SPEECH:
        for gloss in synset_glosses(os.path.join(wordnet_dir, "data." + pos)):
            definitions, examples = split_gloss(gloss)
            yield from definitions
            yield from examples
    yield from verb_frame_sentences(wordnet_dir)
