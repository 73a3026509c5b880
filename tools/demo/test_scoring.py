#!/usr/bin/python3
"""Unit tests of scoring.py: bounds, cases worked out by hand, and scores that
sacreBLEU's documentation publishes."""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scoring  # noqa: E402


class ChrfTest(unittest.TestCase):
    def test_identical_is_100(self):
        texts = ["El perro duerme.", "Los niños juegan en el parque."]
        self.assertAlmostEqual(scoring.chrf(texts, texts), 100.0)

    def test_disjoint_is_0(self):
        self.assertEqual(scoring.chrf(["abc"], ["xyz"]), 0.0)

    def test_empty_hypothesis_is_0(self):
        self.assertEqual(scoring.chrf([""], ["abc"]), 0.0)

    def test_by_hand(self):
        # hyp "ab", ref "abc": unigrams 2/2 match of 3 reference ones, bigrams 1/1 of 2;
        # no hypothesis trigram, so orders 1-2 count: P = 1, R = (2/3 + 1/2) / 2 = 7/12,
        # F2 = 5 P R / (4 P + R) = 7/11.
        self.assertAlmostEqual(scoring.chrf(["ab"], ["abc"]), 700 / 11)

    def test_whitespace_is_ignored(self):
        self.assertAlmostEqual(scoring.chrf(["a b  c"], ["abc"]), 100.0)

    def test_corpus_sums_statistics(self):
        # Corpus chrF is not the mean of sentence scores: statistics add up first.
        hyps, refs = ["ab", "abcdefgh"], ["abc", "abcdefgh"]
        corpus = scoring.chrf(hyps, refs)
        mean = (scoring.chrf(hyps[:1], refs[:1]) + scoring.chrf(hyps[1:], refs[1:])) / 2
        self.assertGreater(corpus, mean)
        self.assertLess(corpus, 100.0)

    def test_published_sacrebleu_scores(self):
        # Values printed by sacreBLEU's CHRF() in the Hugging Face chrF metric card.
        self.assertAlmostEqual(
            scoring.chrf(["The relationship between Obama and Netanyahu is not exactly friendly."],
                         ["The ties between Obama and Netanyahu are not particularly friendly."]),
            61.576379378113785, places=9)
        self.assertAlmostEqual(
            scoring.chrf(["The relationship between cats and dogs is not exactly friendly.",
                          "a good bookshop is just a genteel black hole that knows how to read."],
                         ["The relationship between dogs and cats is not exactly friendly.",
                          "A good bookshop is just a genteel Black Hole that knows how to read."]),
            84.64214891738334, places=9)

    def test_length_mismatch_raises(self):
        with self.assertRaises(ValueError):
            scoring.chrf(["a"], [])


class BleuTest(unittest.TestCase):
    def test_identical_is_100(self):
        texts = ["the cat sat on the mat .", "a dog barked loudly at the postman"]
        self.assertAlmostEqual(scoring.bleu(texts, texts), 100.0)

    def test_disjoint_gets_only_the_smoothing_floor(self):
        # No match at any order: exp smoothing gives 1/(2*5), 1/(4*4), 1/(8*3), 1/(16*2),
        # so sacreBLEU's default scores a disjoint pair about 5.34, not 0.
        score = scoring.bleu(["a b c d e"], ["v w x y z"])
        self.assertAlmostEqual(score, 100 * (1 / 10 * 1 / 16 * 1 / 24 * 1 / 32) ** 0.25)
        self.assertLess(score, 6.0)

    def test_by_hand(self):
        # Clipped precisions 5/6, 3/5, 2/4, 1/3, equal lengths: (1/12)^(1/4).
        score = scoring.bleu(["the cat sat on the mat"], ["the cat sat on a mat"])
        self.assertAlmostEqual(score, 100 * (1 / 12) ** 0.25)

    def test_brevity_penalty(self):
        # Every n-gram matches, but 5 words against 10: exp(1 - 10/5).
        score = scoring.bleu(["a b c d e"], ["a b c d e f g h i j"])
        self.assertAlmostEqual(score, 100 * math.exp(-1))

    def test_exp_smoothing_of_a_missing_order(self):
        # 4/5, 2/4, 1/3, and no 4-gram match among 2: smoothed to 1 / (2 * 2).
        score = scoring.bleu(["a b c d e"], ["a b c x e"])
        self.assertAlmostEqual(score, 100 * (4 / 5 * 2 / 4 * 1 / 3 * 1 / 4) ** 0.25)

    def test_too_short_for_4_grams_is_0(self):
        self.assertEqual(scoring.bleu(["a b c"], ["a b c"]), 0.0)

    def test_tokenize_13a(self):
        self.assertEqual(scoring.tokenize_13a("It wasn't surprising."), "It wasn't surprising .")  # 13a keeps apostrophes
        self.assertEqual(scoring.tokenize_13a("3.5, 4-5 (x)"), "3.5 , 4 - 5 ( x )")

    def test_published_sacrebleu_score(self):
        # sacreBLEU's README: BLEU = 48.53 (BP = 0.943, hyp_len 17, ref_len 18), two references.
        sys_out = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
        refs = [["The dog bit the man.", "The dog had bit the man."],
                ["It was not unexpected.", "No one was surprised."],
                ["The man bit him first.", "The man had bitten the dog."]]
        self.assertEqual(round(scoring.bleu(sys_out, refs), 2), 48.53)


if __name__ == "__main__":
    unittest.main()
