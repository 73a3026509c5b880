"""Corpus-level chrF and BLEU, as sacreBLEU computes them by default.

chrF (Popović 2015; sacreBLEU `CHRF()`): character n-grams of orders 1..6,
no word n-grams, beta = 2, whitespace removed before the n-grams are taken.
n-gram counts and matches are summed over the corpus per order; precision and
recall are averaged over the orders that have n-grams on both sides, and their
F-beta, times 100, is the score.

BLEU (Papineni et al. 2002; sacreBLEU `BLEU()`): the `13a` tokenizer, n-gram
matches of orders 1..4 clipped by the reference counts and summed over the
corpus, the geometric mean of the precisions with sacreBLEU's default `exp`
smoothing (the k-th order with no match counts as 1 / (2^k * n-grams)),
brevity penalty exp(1 - r/c) when the hypotheses are shorter than the
references, times 100. A sentence may have several references: n-grams are
clipped by the largest count in any of them, and its reference length is the
one closest to the hypothesis length (the shorter on a tie).
"""

import math
import re
from collections import Counter

CHRF_ORDER = 6
CHRF_BETA = 2
BLEU_ORDER = 4

# ------------------------------------------------------------------- chrF

_WHITESPACE = re.compile(r"\s+")


def _char_ngrams(text, n):
    chars = _WHITESPACE.sub("", text)
    return Counter(chars[i:i + n] for i in range(len(chars) - n + 1))


def chrf_statistics(hypothesis, reference, order=CHRF_ORDER):
    """Per order n: [hypothesis n-grams, reference n-grams, matches]."""
    stats = []
    for n in range(1, order + 1):
        hyp, ref = _char_ngrams(hypothesis, n), _char_ngrams(reference, n)
        stats.append([sum(hyp.values()), sum(ref.values()), sum((hyp & ref).values())])
    return stats


def chrf(hypotheses, references, order=CHRF_ORDER, beta=CHRF_BETA):
    """Corpus chrF in [0, 100]."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    totals = [[0, 0, 0] for _ in range(order)]
    for hyp, ref in zip(hypotheses, references):
        for total, s in zip(totals, chrf_statistics(hyp, ref, order)):
            for k in range(3):
                total[k] += s[k]
    orders = [(h, r, m) for h, r, m in totals if h > 0 and r > 0]
    if not orders:
        return 0.0
    precision = sum(m / h for h, _, m in orders) / len(orders)
    recall = sum(m / r for _, r, m in orders) / len(orders)
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return 100.0 * (1 + b2) * precision * recall / (b2 * precision + recall)


# ------------------------------------------------------------------- BLEU

# sacreBLEU's tokenizer_13a (mteval-v13a.pl): unescape a few entities, then
# split punctuation and symbols off, keeping periods and commas inside numbers.
_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"(\d)(-)"), r"\1 \2 "),
]


def tokenize_13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (line.replace("&quot;", '"').replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">"))
    line = f" {line} "
    for pattern, repl in _13A_RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.split())


def _word_ngrams(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def bleu_statistics(hypothesis, references, order=BLEU_ORDER):
    """(hypothesis length, reference length, [clipped matches per order],
    [hypothesis n-grams per order]) of one sentence and its references."""
    hyp = tokenize_13a(hypothesis).split()
    refs = [tokenize_13a(r).split() for r in references]
    ref_len = min((len(r) for r in refs), key=lambda n: (abs(n - len(hyp)), n))
    matches, counts = [], []
    for n in range(1, order + 1):
        h = _word_ngrams(hyp, n)
        most = Counter()
        for r in refs:
            most |= _word_ngrams(r, n)  # per n-gram, the largest count of any reference
        matches.append(sum((h & most).values()))
        counts.append(max(len(hyp) - n + 1, 0))
    return len(hyp), ref_len, matches, counts


def bleu(hypotheses, references, order=BLEU_ORDER):
    """Corpus BLEU in [0, 100]. `references[i]`: the reference of sentence i,
    or a list of its references."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    hyp_len = ref_len = 0
    matches, counts = [0] * order, [0] * order
    for hyp, refs in zip(hypotheses, references):
        h, r, m, c = bleu_statistics(hyp, [refs] if isinstance(refs, str) else refs, order)
        hyp_len += h
        ref_len += r
        matches = [a + b for a, b in zip(matches, m)]
        counts = [a + b for a, b in zip(counts, c)]
    if hyp_len == 0 or min(counts) == 0:
        return 0.0  # an order without hypothesis n-grams has precision 0
    log_precision, smoothing = 0.0, 1.0
    for m, c in zip(matches, counts):
        if m == 0:
            smoothing *= 2
            log_precision += math.log(1.0 / (smoothing * c))
        else:
            log_precision += math.log(m / c)
    brevity = 1.0 if hyp_len >= ref_len else math.exp(1.0 - ref_len / hyp_len)
    return 100.0 * brevity * math.exp(log_precision / order)
