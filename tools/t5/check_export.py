"""Check an exported model folder: HF file layout and config fields, a safetensors round trip
against the training checkpoint, and greedy span-corruption fills (written for the JS check).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/t5/check_export.py public/models/mpt-t5-8m \
        --run tools/work/t5/run --out tools/work/t5/greedy.json

`--out` gets [{"input_text", "input_ids", "output_ids", "output_text"}] for the fills stored in
<run>/summary.json; tools/t5/check_export.test.ts (vitest) generates from the same ids in TF.js.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference as R  # noqa: E402
import safetensors_io  # noqa: E402

# The fields transformers (4.46) writes into config.json for a T5 v1.1 checkpoint.
HF_FIELDS = {"architectures", "classifier_dropout", "d_ff", "d_kv", "d_model", "decoder_start_token_id",
             "dense_act_fn", "dropout_rate", "eos_token_id", "feed_forward_proj", "initializer_factor",
             "is_encoder_decoder", "is_gated_act", "layer_norm_epsilon", "model_type", "num_decoder_layers",
             "num_heads", "num_layers", "pad_token_id", "relative_attention_max_distance",
             "relative_attention_num_buckets", "tie_word_embeddings", "torch_dtype", "transformers_version",
             "use_cache", "vocab_size"}


def ck_tok(run: str) -> str:
    """The sentencepiece model the run was trained with (from its checkpoint's arguments)."""
    return torch.load(os.path.join(run, "ckpt.pt"), map_location="cpu")["args"]["tokenizer"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-new", type=int, default=24)
    ap.add_argument("--window-fills", type=int, default=6,
                    help="also fill this many training-length windows (141 tokens) of held-out text")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "work", "corpus"))
    a = ap.parse_args()
    torch.set_num_threads(2)

    files = sorted(os.listdir(a.folder))
    for need in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert need in files, f"{need} missing"
    with open(os.path.join(a.folder, "config.json")) as f:
        cfg = json.load(f)
    assert set(cfg) == HF_FIELDS, set(cfg) ^ HF_FIELDS
    assert cfg["architectures"] == ["T5ForConditionalGeneration"] and cfg["model_type"] == "t5"
    assert cfg["feed_forward_proj"] == "gated-gelu" and cfg["dense_act_fn"] == "gelu_new" and cfg["is_gated_act"]
    assert cfg["tie_word_embeddings"] is False
    with open(os.path.join(a.folder, "tokenizer.json")) as f:
        n_tok = len(json.load(f)["model"]["vocab"])
    assert n_tok <= cfg["vocab_size"], (n_tok, cfg["vocab_size"])

    model = R.from_pretrained(a.folder)  # strict: every HF tensor name and shape
    ck = torch.load(os.path.join(a.run, "ckpt.pt"), map_location="cpu")["model"]
    sd = safetensors_io.load_folder(a.folder)
    dtypes = sorted({str(v.dtype) for v in sd.values()})
    max_diff = max(float((sd[k].float() - v.float()).abs().max()) for k, v in ck.items())
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{a.folder}: {files}\n  config OK ({len(cfg)} HF fields); {len(sd)} tensors {dtypes}, "
          f"{n_params:,} params; max |export - checkpoint| = {max_diff:.3g}")

    with open(os.path.join(a.run, "summary.json")) as f:
        fills = json.load(f)["fills"]
    if a.window_fills:  # span corruption exactly as in training: full-length windows of held-out text
        import numpy as np
        import sentencepiece as spm
        import pretrain as P
        sp = spm.SentencePieceProcessor(model_file=ck_tok(a.run))
        s0 = sp.get_piece_size() + 99
        held = P.tokenize_split(sp, os.path.join(a.corpus, "heldout"), os.path.join(a.run, "cache"),
                                open(ck_tok(a.run), "rb").read())
        raw, _ = P.span_corruption_lengths(128, 0.15, 3.0)
        rng = np.random.default_rng(5)
        for name in sorted(held)[: a.window_fills]:
            st = int(rng.integers(0, len(held[name]) - raw))
            w = held[name][st:st + raw]
            inp, tgt = P.span_corrupt(w, P.random_spans_noise_mask(raw, 0.15, 3.0, rng), s0, sp.eos_id())
            x = torch.tensor([inp])
            out = R.greedy_generate(model, input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=32)[0].tolist()
            if sp.eos_id() in out:
                out = out[: out.index(sp.eos_id()) + 1]
            fills.append({"input": P.piece_text(sp, inp, s0), "target": P.piece_text(sp, tgt, s0),
                          "output": P.piece_text(sp, out, s0), "input_ids": inp, "output_ids": out,
                          "window": name, "max_new": 32})
    cases = []
    for fl in fills:
        x = torch.tensor([fl["input_ids"]])
        mx = fl.get("max_new", a.max_new)
        out = R.greedy_generate(model, input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=mx)[0].tolist()
        if cfg["eos_token_id"] in out:
            out = out[: out.index(cfg["eos_token_id"]) + 1]
        assert out == fl["output_ids"], "greedy output of the exported folder differs from the trained model"
        cases.append({"input_text": fl["input"], "input_ids": fl["input_ids"], "output_ids": out,
                      "output_text": fl["output"], "target_text": fl["target"], "max_new_tokens": mx,
                      "window": fl.get("window")})
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
    print(f"  greedy fills reproduced from the export ({len(cases)} cases) -> {a.out}")


if __name__ == "__main__":
    main()
