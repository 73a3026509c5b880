"""The generation rules a model directory sets (docs/semantics.md, "Decoding").

`config.json` may hold generation fields; `generation_config.json`, when
present, overrides them field by field. The rules that change the output:
`bad_words_ids` (sequences equal to [eos] are dropped, as transformers drops
them), `forced_eos_token_id` (BartConfig and MBartConfig default it to 2),
`forced_bos_token_id` (the first generated token, log-probability 0) and
`renormalize_logits`.
"""

import json
import os
from dataclasses import dataclass, field


@dataclass
class GenerationRules:
    banned: list = field(default_factory=list)            # single tokens
    banned_sequences: list = field(default_factory=list)  # longer sequences
    forced_eos: bool = False
    renormalize: bool = False
    forced_bos: int = None

    @classmethod
    def from_dicts(cls, cfg, *dicts):
        """`cfg`: the MarianConfig; `dicts`: config.json then generation_config.json."""
        merged = {}
        for d in dicts:
            for k in ("bad_words_ids", "forced_eos_token_id", "forced_bos_token_id",
                      "renormalize_logits"):
                if k in d:
                    merged[k] = d[k]
        bad = [list(s) for s in (merged.get("bad_words_ids") or []) if list(s) != [cfg.eos_token_id]]
        from .families import FORCED_EOS_DEFAULT
        forced = merged.get("forced_eos_token_id",
                            FORCED_EOS_DEFAULT[getattr(cfg, "model_type", "marian")])
        def first(x):
            return (x[0] if x else None) if isinstance(x, list) else x

        forced = first(forced)
        return cls(banned=[s[0] for s in bad if len(s) == 1],
                   banned_sequences=[s for s in bad if len(s) > 1],
                   forced_eos=forced is not None,
                   forced_bos=first(merged.get("forced_bos_token_id")),
                   renormalize=bool(merged.get("renormalize_logits", False)))

    @classmethod
    def from_dir(cls, cfg, model_dir):
        dicts = []
        for name in ("config.json", "generation_config.json"):
            path = os.path.join(model_dir, name)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    dicts.append(json.load(f))
        return cls.from_dicts(cfg, *dicts)
