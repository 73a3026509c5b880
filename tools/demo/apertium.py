"""Batch translation with Debian's rule-based Apertium (`apertium eng-spa`).

One `apertium` process translates a whole chunk of lines; Apertium keeps line
breaks, so output line i is the translation of input line i. The line count of
every chunk is checked, and a chunk whose count differs (which would shift
every later pair) is split in halves until the culprit stands alone.
"""

import subprocess

# Apertium marks words it does not know with '*', and words it analysed but
# could not generate with '#' or '@'; a line carrying one is no translation.
FAILURE_MARKS = ("*", "#", "@")


def _run(lines, direction):
    text = "\n".join(lines) + "\n"
    res = subprocess.run(["apertium", direction], input=text.encode("utf-8"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"apertium {direction} failed: {res.stderr.decode('utf-8', 'replace')[-2000:]}")
    out = res.stdout.decode("utf-8", "replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    return out


def _translate_chunk(lines, direction):
    out = _run(lines, direction)
    if len(out) == len(lines):
        return out
    if len(lines) == 1:
        return [None]  # a line that Apertium split or swallowed
    mid = len(lines) // 2
    return _translate_chunk(lines[:mid], direction) + _translate_chunk(lines[mid:], direction)


def translate(lines, direction="eng-spa", chunk_size=20000, progress=None):
    """Translations of `lines` (no line may contain a newline), one per line;
    None where Apertium broke the line structure. Surrounding blanks that
    Apertium adds are stripped."""
    result = []
    for start in range(0, len(lines), chunk_size):
        chunk = lines[start:start + chunk_size]
        result.extend(None if t is None else t.strip() for t in _translate_chunk(chunk, direction))
        if progress:
            progress(min(start + chunk_size, len(lines)), len(lines))
    return result


def is_clean(translation):
    return bool(translation) and not any(m in translation for m in FAILURE_MARKS)
