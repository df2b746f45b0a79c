"""Check that the JS tokenizer encodes like sentencepiece: sp.encode(text) + [eos].

    /usr/bin/python3 tools/tokenizer/compare_js.py spiece.model tokenizer_dir lines.txt [more.txt ...]

Writes the expected ids to a temporary file, runs check_js.mjs under node (from the repo root so
that node_modules resolves) and prints the match rate and the first mismatches.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Dict, List

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def compare(model_blob: bytes, tokenizer_dir: str, texts: List[str], show: int = 5) -> Dict:
    sp = spm.SentencePieceProcessor(model_proto=model_blob)
    cases = [{"text": t, "ids": sp.encode(t) + [sp.eos_id()]} for t in texts]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)
        path = f.name
    try:
        out = subprocess.run(["node", os.path.join(HERE, "check_js.mjs"), os.path.abspath(tokenizer_dir), path,
                              "--show", str(show)], cwd=REPO, check=True, capture_output=True, text=True)
    finally:
        os.unlink(path)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("tokenizer_dir")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    texts = []
    for p in args.files:
        with open(p, encoding="utf-8", errors="replace") as f:
            texts += [l.rstrip("\n") for l in f if l.strip()]
    with open(args.model, "rb") as f:
        res = compare(f.read(), args.tokenizer_dir, texts, args.show)
    json.dump(res, sys.stdout, ensure_ascii=False, indent=1)
    print(f"\nmatch rate: {res['same']}/{res['total']} = {res['rate']:.4f}")


if __name__ == "__main__":
    main()
