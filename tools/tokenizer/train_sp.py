"""Train a SentencePiece unigram model with T5's conventions.

T5's spiece.model: ids 0 = <pad>, 1 = </s> (eos), 2 = <unk>, no <s> (bos), unigram LM, the
`nmt_nfkc` normalization rule (NFKC + whitespace cleanup), a dummy prefix "▁" before the text,
runs of whitespace collapsed. The 100 <extra_id_N> sentinels are NOT part of the sentencepiece
model: the HF converter appends them (see sp_to_hf.py).

    /usr/bin/python3 tools/tokenizer/train_sp.py --out spiece.model --vocab-size 8000 corpus1.txt ...
"""

from __future__ import annotations

import argparse
import os
import io
from typing import Iterable, List

import sentencepiece as spm


def train_unigram(lines: Iterable[str], vocab_size: int, character_coverage: float = 1.0,
                  num_threads: int = 1, seed_sentencepiece_size: int = 1_000_000,
                  input_sentence_size: int = 0, extra_options: dict | None = None) -> bytes:
    """Train on an iterable of text lines; returns the serialized model (spiece.model bytes).

    num_threads=1 keeps the result deterministic for a given input. input_sentence_size > 0
    samples that many lines (sentencepiece shuffles with its own fixed seed)."""
    out = io.BytesIO()
    opts = dict(
        model_type="unigram",
        vocab_size=vocab_size,
        pad_id=0, pad_piece="<pad>",
        eos_id=1, eos_piece="</s>",
        unk_id=2, unk_piece="<unk>",
        bos_id=-1,  # T5 has no bos
        normalization_rule_name="nmt_nfkc",
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        split_by_whitespace=True,
        character_coverage=character_coverage,
        byte_fallback=False,  # HF's Unigram (and the JS reader) would not reproduce byte pieces for T5
        num_threads=num_threads,
        seed_sentencepiece_size=seed_sentencepiece_size,
        input_sentence_size=input_sentence_size,
        shuffle_input_sentence=True,
        hard_vocab_limit=True,
        max_sentence_length=1 << 16,
        minloglevel=2,  # quiet
    )
    opts.update(extra_options or {})
    spm.SentencePieceTrainer.train(sentence_iterator=(l for l in lines if l.strip()), model_writer=out, **opts)
    return out.getvalue()


def read_lines(paths: List[str]) -> List[str]:
    lines: List[str] = []
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            lines.extend(l.rstrip("\n") for l in f)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="UTF-8 text files, one sentence or paragraph per line")
    ap.add_argument("--out", required=True, help="where to write spiece.model")
    ap.add_argument("--vocab-size", type=int, default=8000, help="sentencepiece vocab (without the 100 sentinels)")
    ap.add_argument("--character-coverage", type=float, default=1.0)
    ap.add_argument("--input-sentence-size", type=int, default=0, help="sample this many lines (0: all)")
    args = ap.parse_args()
    blob = train_unigram(read_lines(args.files), args.vocab_size, args.character_coverage,
                         input_sentence_size=args.input_sentence_size)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(blob)
    sp = spm.SentencePieceProcessor(model_proto=blob)
    print(f"wrote {args.out}: {sp.get_piece_size()} pieces")


if __name__ == "__main__":
    main()
