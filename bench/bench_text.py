"""English-like (and German-like) text for the benchmark model and inputs.

A seeded generator of pseudo-words built from syllables, with parts of speech,
inflections and a Zipf-like word frequency, combined by a small grammar into
sentences with a realistic length spread. The same generator (language "en")
trains the benchmark model's source SentencePiece model and writes the
benchmark inputs, so the inputs tokenize like in-domain text: frequent words
are single pieces, rare ones split into several.

Everything is derived from the seed through SplitMix64 (tools/tserve_ref),
so the output does not depend on the numpy version.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
from tserve_ref.decoding import SplitMix64  # noqa: E402


class Rand:
    def __init__(self, seed):
        self.rng = SplitMix64(seed)

    def u(self):
        return self.rng.next_double()

    def below(self, n):
        return int(self.u() * n)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def chance(self, p):
        return self.u() < p

    def normal(self):
        # Box-Muller on two draws.
        u1 = max(self.u(), 1e-300)
        u2 = self.u()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


LANGUAGES = {
    "en": {
        "onsets": ("b c d f g h j k l m n p r s t v w y z bl br ch cl cr dr fl fr gl gr pl pr "
                   "sc sh sk sl sm sn sp st str sw th tr wh qu").split() + [""] * 6,
        "nuclei": "a e i o u a e i o u ai ea ee oo ou ie oa ay ow".split(),
        "codas": ("b ck d ft g ll lt m n nd ng nk nt p r rd rk rn rt s sh ss st t th x").split() + [""] * 10,
        "noun_suffixes": ["", "", "", "", "tion", "ness", "ment", "er", "ity", "ance", "ship"],
        "plural": "s",
        "verb_forms": ["", "s", "s", "ed", "ed", "ing"],
        "adj_suffixes": ["", "", "", "ful", "ous", "al", "ive", "y", "ic", "able"],
        "adv_suffix": "ly",
        "det": "the the the a a an this that every one some my your our their his her its no".split(),
        "prep": "in on at near under behind with from to over after before into about across by for".split(),
        "conj": "and but or so because while although when".split(),
        "pron": "he she it they we you I someone nobody".split(),
        "aux": "will can must should would could may might".split(),
        "wh": "where when why how what who".split(),
        "words": {
            "noun": ("dog cat house river man woman child teacher garden window letter city train "
                     "mountain book table friend doctor bird tree road market village song question "
                     "story morning evening kitchen student farmer time year people way day thing "
                     "world life hand part place case week company system program number group "
                     "problem fact water money night point home room mother area government").split(),
            "verb": ("see like find open read write carry build paint watch follow remember visit help "
                     "call answer take make know think give tell work seem feel try leave ask need "
                     "become keep begin show hear play run move live believe hold bring").split(),
            "adj": ("old new small big red green quiet happy tired brave bright dark cold warm young "
                    "strange simple heavy quick slow clean good great long little high different large "
                    "important public bad able early").split(),
        },
    },
    "de": {
        "onsets": ("b d f g h k l m n p r s t w z bl br dr fl fr gl gr kl kr pf pl schl schw sch "
                   "sp st str tr zw").split() + [""] * 6,
        "nuclei": "a e i o u a e i o u ei au ie eu ae oe ue".split(),
        "codas": ("b ch ck d f g l ll m n nd ng nk nt r rt s sch ss st t tz").split() + [""] * 10,
        "noun_suffixes": ["", "", "", "", "ung", "heit", "keit", "schaft", "er", "chen"],
        "plural": "en",
        "verb_forms": ["en", "t", "t", "te", "st", "end"],
        "adj_suffixes": ["", "", "", "ig", "lich", "isch", "bar", "sam"],
        "adv_suffix": "erweise",
        "det": "der die das der die das ein eine dieser jede mein dein unser ihr sein kein".split(),
        "prep": "in an auf neben unter hinter mit aus zu ueber nach vor durch fuer bei".split(),
        "conj": "und aber oder also weil waehrend obwohl wenn".split(),
        "pron": "er sie es wir ihr ich jemand niemand".split(),
        "aux": "wird kann muss soll wuerde koennte mag".split(),
        "wh": "wo wann warum wie was wer".split(),
        "words": {
            "noun": ("Hund Katze Haus Fluss Mann Frau Kind Lehrer Garten Fenster Brief Stadt Zug Berg "
                     "Buch Tisch Freund Arzt Vogel Baum Strasse Markt Dorf Lied Frage Geschichte Morgen "
                     "Abend Kueche Bauer Zeit Jahr Leute Weg Tag Ding Welt Leben Hand Teil Platz").split(),
            "verb": ("seh mag find oeffn les schreib trag bau mal folg besuch hilf ruf nehm mach "
                     "kenn denk geb sag arbeit fuehl versuch frag brauch werd halt beginn zeig").split(),
            "adj": ("alt neu klein gross rot gruen still froh muede mutig hell dunkel kalt warm jung "
                    "seltsam einfach schwer schnell langsam gut lang hoch wichtig").split(),
        },
    },
}


class Lexicon:
    """Pseudo-words by part of speech, each list in frequency-rank order."""

    SIZES = {"noun": 4000, "verb": 1600, "adj": 1400, "name": 600}

    def __init__(self, lang, seed):
        L = LANGUAGES[lang]
        self.L = lang
        self.spec = L
        r = Rand(seed)
        used = set()
        for ws in L["words"].values():
            used.update(w.lower() for w in ws)
        used.update(w.lower() for k in ("det", "prep", "conj", "pron", "aux", "wh") for w in L[k])

        def stem(min_syl, max_syl):
            while True:
                n = min_syl
                while n < max_syl and r.chance(0.45):
                    n += 1
                w = "".join(r.choice(L["onsets"]) + r.choice(L["nuclei"]) + r.choice(L["codas"])
                            for _ in range(n))
                if 2 <= len(w) <= 14 and w not in used:
                    used.add(w)
                    return w

        def words(pos, n, suffixes, min_syl, max_syl):
            base = list(L["words"].get(pos, []))
            out = []
            # Real words take the most frequent ranks, interleaved with pseudo-words.
            for i in range(n):
                if base and (i % 3 == 0 or len(out) < 10):
                    out.append(base.pop(0))
                else:
                    s = stem(min_syl, max_syl)
                    if suffixes:
                        s = s + r.choice(suffixes)
                    out.append(s)
            return out

        self.noun = words("noun", self.SIZES["noun"], L["noun_suffixes"], 1, 3)
        if lang == "de":
            self.noun = [w[:1].upper() + w[1:] for w in self.noun]
        self.verb = words("verb", self.SIZES["verb"], None, 1, 2)
        self.adj = words("adj", self.SIZES["adj"], L["adj_suffixes"], 1, 3)
        self.name = [w[:1].upper() + w[1:] for w in (stem(2, 3) for _ in range(self.SIZES["name"]))]

    @staticmethod
    def zipf_index(r, n):
        return min(n - 1, int(math.exp(r.u() * math.log(n + 1))) - 1)

    def pick(self, r, pos):
        seq = getattr(self, pos)
        return seq[self.zipf_index(r, len(seq))]


class TextGenerator:
    """Sentences of `lang` from a seeded grammar over a seeded lexicon."""

    def __init__(self, lang="en", lexicon_seed=1, seed=2):
        self.lex = Lexicon(lang, lexicon_seed)
        self.L = self.lex.spec
        self.lang = lang
        self.r = Rand(seed)

    def _noun(self):
        r, L = self.r, self.L
        w = self.lex.pick(r, "noun")
        if r.chance(0.25):
            w += L["plural"]
        return w

    def _verb(self):
        r, L = self.r, self.L
        w = self.lex.pick(r, "verb")
        form = r.choice(L["verb_forms"])
        if self.lang == "en" and form in ("ed", "ing") and w.endswith("e"):
            w = w[:-1]
        return w + form

    def _adj(self):
        return self.lex.pick(self.r, "adj")

    def _noun_phrase(self, depth=0):
        r, L = self.r, self.L
        if r.chance(0.12):
            return [r.choice(L["pron"])]
        if r.chance(0.08):
            return [r.choice(self.lex.name)] + ([self.lex.pick(r, "name")] if r.chance(0.3) else [])
        words = [r.choice(L["det"])]
        while r.chance(0.35 if len(words) < 3 else 0.1):
            if r.chance(0.15):
                words.append(self._adj() + L["adv_suffix"])
            words.append(self._adj())
        words.append(self._noun())
        if depth < 2 and r.chance(0.2):
            words += [r.choice(L["prep"])] + self._noun_phrase(depth + 1)
        return words

    def _clause(self):
        r, L = self.r, self.L
        words = self._noun_phrase()
        if r.chance(0.2):
            words.append(r.choice(L["aux"]))
        words.append(self._verb())
        if r.chance(0.6):
            words += self._noun_phrase()
        while r.chance(0.3):
            words += [r.choice(L["prep"])] + self._noun_phrase()
        if r.chance(0.25):
            words.append(self._adj() + L["adv_suffix"])
        if r.chance(0.08):
            words.append(str(self.r.below(2100)))
        return words

    def sentence(self, target_words=None):
        """One sentence; with `target_words`, clauses are added until the
        sentence has about that many words."""
        r, L = self.r, self.L
        question = r.chance(0.1)
        words = ([r.choice(L["wh"])] if question else []) + self._clause()
        goal = target_words if target_words is not None else (0 if r.chance(0.7) else 15)
        while len(words) < goal:
            joiner = r.choice([",", ",", ";", "-"] + L["conj"])
            nxt = self._clause()
            if len(words) + 1 + len(nxt) > goal + 6 and len(words) >= goal - 6:
                break
            words += [joiner] + nxt
        if r.chance(0.05) and len(words) > 4:
            i = 1 + r.below(len(words) - 2)
            words[i] = '"' + words[i]
            words[i + 1] = words[i + 1] + '"'
        words[0] = words[0][:1].upper() + words[0][1:]
        text = " ".join(words)
        for p in (" ,", " ;"):
            text = text.replace(p, p[1:])
        end = "?" if question else r.choice([".", ".", ".", ".", "!", "..."])
        return text + end

    def length_spread(self):
        """A word count: mostly 5-30 (lognormal, median ~14), a tail to ~60."""
        n = int(round(math.exp(math.log(14.0) + 0.55 * self.r.normal())))
        if self.r.chance(0.04):
            n = 30 + self.r.below(31)
        return max(3, min(60, n))

    def corpus(self, n):
        return [self.sentence(self.length_spread() if self.r.chance(0.5) else None) for _ in range(n)]
