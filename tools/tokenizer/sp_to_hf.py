"""Convert a SentencePiece unigram model (T5 style) to a Hugging Face `tokenizer.json`.

Follows what transformers' `T5Converter` (a `SpmConverter`) produces:
  * model: Unigram, vocab = [[piece, score], ...] in sentencepiece id order, then the sentinels
    <extra_id_{N-1}>, ..., <extra_id_0> with score 0.0 (so <extra_id_0> has the LAST id);
    unk_id from the model.
  * normalizer: Sequence[Precompiled(model's charsmap), Strip(right), Replace(/ {2,}/ -> "▁")]:
    the charsmap does sentencepiece's NFKC-like mapping; Strip + Replace emulate its
    remove_extra_whitespaces (a run of spaces becomes one "▁", which Metaspace then treats as
    the word boundary it would have produced from a single space).
  * pre_tokenizer: Metaspace("▁", prepend_scheme "always", split) = add_dummy_prefix + escape spaces.
  * post_processor: TemplateProcessing "$A </s>" and "$A </s> $B </s>".
  * decoder: Metaspace.
  * added_tokens: <pad>, </s>, <unk> (sentencepiece control/unknown pieces) and the sentinels,
    all special, not normalized.

Also writes a T5-like `tokenizer_config.json` (the JS reader takes it as its second argument).

The .model file is a protobuf (ModelProto); there is no protobuf package here, so the few fields
needed are read with a ~30-line wire-format parser.

    /usr/bin/python3 tools/tokenizer/sp_to_hf.py spiece.model out_dir/ [--extra-ids 100]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import struct
from typing import Dict, List, Tuple

import sentencepiece as spm

SPIECE_UNDERLINE = "\u2581"


# ---------------------------------------------------------------------------------------------
# Minimal protobuf wire-format reader (enough for sentencepiece_model.proto)


def _varint(buf: bytes, i: int) -> Tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def parse_message(buf: bytes) -> Dict[int, List]:
    """field number -> list of raw values (int for varint, bytes for length-delimited,
    4/8-byte little-endian bytes for fixed32/fixed64)."""
    fields: Dict[int, List] = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(buf, i)
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        fields.setdefault(num, []).append(val)
    return fields


# sentencepiece_model.proto field numbers
MODEL_PIECES, MODEL_TRAINER_SPEC, MODEL_NORMALIZER_SPEC = 1, 2, 3
PIECE_PIECE, PIECE_SCORE, PIECE_TYPE = 1, 2, 3
TRAINER_MODEL_TYPE, TRAINER_BYTE_FALLBACK = 3, 35
NORM_NAME, NORM_CHARSMAP, NORM_ADD_DUMMY_PREFIX, NORM_REMOVE_EXTRA_WS = 1, 2, 3, 4
PIECE_TYPES = {1: "NORMAL", 2: "UNKNOWN", 3: "CONTROL", 4: "USER_DEFINED", 5: "UNUSED", 6: "BYTE"}
MODEL_TYPES = {1: "UNIGRAM", 2: "BPE", 3: "WORD", 4: "CHAR"}


def read_model_proto(blob: bytes) -> Dict:
    m = parse_message(blob)
    pieces = []
    for raw in m.get(MODEL_PIECES, []):
        p = parse_message(raw)
        pieces.append((
            p[PIECE_PIECE][0].decode("utf-8"),
            struct.unpack("<f", p[PIECE_SCORE][0])[0] if PIECE_SCORE in p else 0.0,
            PIECE_TYPES[p[PIECE_TYPE][0]] if PIECE_TYPE in p else "NORMAL",
        ))
    trainer = parse_message(m[MODEL_TRAINER_SPEC][0]) if MODEL_TRAINER_SPEC in m else {}
    norm = parse_message(m[MODEL_NORMALIZER_SPEC][0]) if MODEL_NORMALIZER_SPEC in m else {}
    return {
        "pieces": pieces,
        "model_type": MODEL_TYPES[trainer.get(TRAINER_MODEL_TYPE, [1])[0]],  # proto default UNIGRAM
        "byte_fallback": bool(trainer.get(TRAINER_BYTE_FALLBACK, [0])[0]),
        "normalizer_name": norm.get(NORM_NAME, [b""])[0].decode("utf-8"),
        "precompiled_charsmap": norm.get(NORM_CHARSMAP, [b""])[0],
        "add_dummy_prefix": bool(norm.get(NORM_ADD_DUMMY_PREFIX, [1])[0]),
        "remove_extra_whitespaces": bool(norm.get(NORM_REMOVE_EXTRA_WS, [1])[0]),
    }


# ---------------------------------------------------------------------------------------------
# Conversion


def _added(i: int, content: str) -> Dict:
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def convert(blob: bytes, extra_ids: int = 100) -> Tuple[Dict, Dict]:
    """(tokenizer.json dict, tokenizer_config.json dict) for a T5-style sentencepiece model."""
    proto = read_model_proto(blob)
    if proto["model_type"] != "UNIGRAM":
        raise ValueError(f"only unigram models are supported, got {proto['model_type']}")
    if proto["byte_fallback"]:
        raise ValueError("byte_fallback models are not supported (T5 does not use them)")
    sp = spm.SentencePieceProcessor(model_proto=blob)  # cross-check the parse against the library
    pieces = proto["pieces"]
    assert len(pieces) == sp.get_piece_size()
    for i, (piece, score, _) in enumerate(pieces):
        assert piece == sp.id_to_piece(i) and abs(score - sp.get_score(i)) <= 1e-6 * max(1.0, abs(score)), i
    unk_id, eos_id, pad_id = sp.unk_id(), sp.eos_id(), sp.pad_id()
    if (pad_id, eos_id, unk_id) != (0, 1, 2) or sp.bos_id() != -1:
        raise ValueError("expected T5 ids pad=0, eos=1, unk=2 and no bos")

    vocab = [[piece, float(score)] for piece, score, _ in pieces]
    sentinels = [f"<extra_id_{i}>" for i in range(extra_ids - 1, -1, -1)]
    vocab += [[s, 0.0] for s in sentinels]

    # sentencepiece control + unknown pieces become special added tokens (user-defined pieces,
    # which T5 has none of, would be non-special added tokens), then the sentinels.
    added = [_added(i, p) for i, (p, _, t) in enumerate(pieces) if t in ("CONTROL", "UNKNOWN")]
    added += [_added(len(pieces) + j, s) for j, s in enumerate(sentinels)]
    added += [{**_added(i, p), "special": False} for i, (p, _, t) in enumerate(pieces) if t == "USER_DEFINED"]
    added.sort(key=lambda a: a["id"])

    normalizers = []
    if proto["precompiled_charsmap"]:
        normalizers.append({"type": "Precompiled",
                            "precompiled_charsmap": base64.b64encode(proto["precompiled_charsmap"]).decode("ascii")})
    normalizers += [
        {"type": "Strip", "strip_left": False, "strip_right": True},
        {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": SPIECE_UNDERLINE},
    ]
    prepend = "always" if proto["add_dummy_prefix"] else "never"
    eos = pieces[eos_id][0]
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}  # noqa: E731
    special = {"SpecialToken": {"id": eos, "type_id": 0}}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Metaspace", "replacement": SPIECE_UNDERLINE, "prepend_scheme": prepend,
                          "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [seq("A"), special],
            "pair": [seq("A"), special, seq("B"), special],
            "special_tokens": {eos: {"id": eos, "ids": [eos_id], "tokens": [eos]}},
        },
        "decoder": {"type": "Metaspace", "replacement": SPIECE_UNDERLINE, "prepend_scheme": prepend, "split": True},
        "model": {"type": "Unigram", "unk_id": unk_id, "vocab": vocab, "byte_fallback": False},
    }
    config = {
        "tokenizer_class": "T5Tokenizer",
        "eos_token": eos,
        "unk_token": pieces[unk_id][0],
        "pad_token": pieces[pad_id][0],
        "extra_ids": extra_ids,
        "additional_special_tokens": sentinels[::-1],  # <extra_id_0>, <extra_id_1>, ...
        "model_max_length": 512,
        # sentencepiece's decode does not "clean up" spaces before punctuation; keep that.
        "clean_up_tokenization_spaces": False,
        "legacy": True,  # prepend_scheme "always", as in the original T5 tokenizer
        "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added},
    }
    return tokenizer, config


def write(tokenizer: Dict, config: Dict, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="sentencepiece .model file")
    ap.add_argument("out_dir")
    ap.add_argument("--extra-ids", type=int, default=100)
    args = ap.parse_args()
    with open(args.model, "rb") as f:
        tok, cfg = convert(f.read(), args.extra_ids)
    write(tok, cfg, args.out_dir)
    print(f"wrote {args.out_dir}/tokenizer.json ({len(tok['model']['vocab'])} tokens)")


if __name__ == "__main__":
    main()
