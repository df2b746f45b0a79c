"""Build the committed test fixtures: a tiny tokenizer and two tiny random T5 models with golden outputs.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/t5/make_test_fixtures.py [--out tests/fixtures]

Deterministic (fixed seeds; sentencepiece trained single-threaded on Debian's license texts).
Writes:
  tokenizer/spiece.model                  sentencepiece model (vocab 250; ids pad 0, eos 1, unk 2)
  relative_position_buckets.json          HF bucket ids for a few configs (T5 default 32/128 too)
  t5-tiny-relu/                           T5 v1.0 style: relu FF, tied embeddings
  t5-tiny-gated/                          T5 v1.1 / FLAN style: gated-gelu FF, untied lm_head, 2+3 layers
      config.json model.safetensors tokenizer.json tokenizer_config.json golden.json
      (gated only) f16/ bf16/ (model.safetensors + config.json), sharded/ (index + 2 F32 shards + config.json)

Every weight is exactly representable in F32, F16 and BF16, so one golden.json serves all dtypes.
Golden values are computed in float64 from those weights (see the check against float32 below).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import shutil
import string
import sys
from typing import Dict, List

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "tokenizer"))

import reference as R  # noqa: E402
import safetensors_io  # noqa: E402
import sentencepiece as spm  # noqa: E402
import sp_to_hf  # noqa: E402
import train_sp  # noqa: E402

SP_VOCAB = 250
EXTRA_IDS = 100
PROMPT_LEN = 4
HELD_OUT = ("Apache-2.0", "MPL-2.0")  # license texts kept out of tokenizer training (for the JS check)

TOKENIZER_TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "GNU General Public License, version 3",
    "Hello, world! (Really?) Yes: no; maybe... \"quoted\" 'single' [brackets] {braces} <angle>",
    "In 1991, 42 people paid $3.50 each; 100% of 7/8 is 87.5.",
    "   leading and trailing spaces   ",
    "repeated    spaces     inside",
    "tabs\tand\nnewlines\r\nmixed",
    "",
    "    ",
    "non-breaking\u00a0space and\u3000ideographic space",
    "\ufb01ne \ufb02ow ligatures",
    "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \uff21\uff22\uff23 \uff11\uff12\uff13",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9",
    "mixed \u65e5\u672c\u8a9e and \u0440\u0443\u0441\u0441\u043a\u0438\u0439 text",
    "emoji \U0001F642 test",
    "MiXeD CaSe WORDS and lowercase",
    "a",
    "e-mail: someone@example.com, URL: https://www.gnu.org/licenses/",
    "underscores __init__ and dashes -- --- ---- and ====",
]

FORWARD_INPUTS = ["Copyright holders grant you the right to modify the program.",
                  "Free software is about liberty."]
FORWARD_TARGETS = ["It is free.", "You may copy it."]
GENERATE_CANDIDATES = [
    "Translate to German: the program is distributed without any warranty.",
    "summarize: you may convey verbatim copies of the source code as you receive it",
    "question: who holds the copyright? context: the authors of this work",
    "The licenses for most software are designed to take away your freedom.",
    "Everyone is permitted to copy and distribute verbatim copies",
    "This license applies to any program or other work.",
    "cola sentence: the the license of is.",
    "Each contributor grants you a non-exclusive, worldwide, royalty-free patent license.",
    "Source code means the preferred form of the work for making modifications.",
    "nli premise: the work is free. hypothesis: the work costs money.",
    "You must cause any modified files to carry prominent notices.",
    "For the purposes of this definition, control means ownership.",
]
RANK_INPUT = "sst2 sentence: this license is wonderful and protects your freedom"
RANK_LABELS = ["positive", "negative", "neutral"]


def _json_dump(obj, path: str, compact: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as f:
        if compact:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def _r(x) -> object:
    """Nested tensor/list -> JSON numbers, 10 significant digits (float32 has ~7.2)."""
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list):
        return [_r(v) for v in x]
    return float(f"{x:.10g}")


# ---------------------------------------------------------------------------------------------
# Tokenizer


def license_files() -> List[str]:
    return sorted(set(os.path.realpath(p) for p in glob.glob("/usr/share/common-licenses/*")))


def build_tokenizer(out: str) -> bytes:
    train = [p for p in license_files() if os.path.basename(p) not in HELD_OUT]
    # One extra line with every printable ASCII character, so that (as in T5's real vocabulary)
    # only non-ASCII text falls back to <unk>; the license texts lack e.g. "?", "$", "@", "{".
    ascii_line = " ".join(string.ascii_letters + string.digits + string.punctuation)
    blob = train_sp.train_unigram(train_sp.read_lines(train) + [ascii_line], SP_VOCAB)
    os.makedirs(os.path.join(out, "tokenizer"), exist_ok=True)
    with open(os.path.join(out, "tokenizer", "spiece.model"), "wb") as f:
        f.write(blob)
    return blob


def held_out_lines() -> List[str]:
    held = [p for p in license_files() if os.path.basename(p) in HELD_OUT]
    return [l for l in train_sp.read_lines(held) if l.strip()]


# ---------------------------------------------------------------------------------------------
# Models


def tiny_config(gated: bool, vocab_size: int) -> R.T5Config:
    return R.T5Config(
        vocab_size=vocab_size, d_model=32, d_kv=8, d_ff=64, num_heads=3,  # inner dim 24 != d_model
        num_layers=2, num_decoder_layers=3 if gated else 2,
        relative_attention_num_buckets=8, relative_attention_max_distance=20,
        feed_forward_proj="gated-gelu" if gated else "relu", tie_word_embeddings=not gated,
        dropout_rate=0.1, layer_norm_epsilon=1e-6,
    )


def exactly_representable(t: torch.Tensor) -> torch.Tensor:
    """Round to bf16 (8 significant bits), then flush |w| < 2**-12 to zero; such values are exact in
    f16 too (f16 keeps 11 significant bits down to 2**-14 and 2**-24 spacing below)."""
    t = t.to(torch.bfloat16).to(torch.float32)
    return torch.where(t.abs() < 2.0 ** -12, torch.zeros_like(t), t)


@torch.no_grad()
def build_model(cfg: R.T5Config, seed: int) -> R.T5ForConditionalGeneration:
    model = R.T5ForConditionalGeneration(cfg)
    R.init_weights(model, seed=seed)  # HF's scheme ...
    g = torch.Generator().manual_seed(seed + 1000)
    # ... then a few changes so the fixture exercises everything: non-unit norm weights (a missing
    # multiply would go unnoticed with ones), a position bias big enough to matter, and output
    # logits spread over a few units so argmax / ranking are far from ties.
    for name, p in model.named_parameters():
        if name.endswith("layer_norm.weight"):
            p.copy_(0.5 + torch.rand(p.shape, generator=g))
        if name.endswith("relative_attention_bias.weight"):
            p.copy_(torch.randn(p.shape, generator=g))
    if cfg.tie_word_embeddings:
        model.decoder.final_layer_norm.weight.copy_(1.5 + torch.rand(cfg.d_model, generator=g))
        # A tied random T5 mostly repeats its previous token: the residual stream still carries that
        # token's embedding, which is also its output vector. Stronger layer outputs make greedy
        # decoding depend on more than the last token.
        for name, p in model.named_parameters():
            if name.endswith(".o.weight") or name.endswith(".wo.weight"):
                p.mul_(3.0)
    else:
        model.lm_head.weight.mul_(0.5)
    for p in model.parameters():
        p.copy_(exactly_representable(p))
    return model.eval()


# ---------------------------------------------------------------------------------------------
# Golden outputs


def pad_batch(rows: List[List[int]], pad: int = 0):
    n = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad] * (n - len(r)) for r in rows], dtype=torch.long)
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows], dtype=torch.long)
    return ids, mask


def greedy_with_margins(model, max_new_tokens, **enc_kw):
    ids, logits = R.greedy_generate(model, max_new_tokens=max_new_tokens, return_logits=True, **enc_kw)
    top2 = logits[0].topk(2, dim=-1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    out = ids[0].tolist()
    if model.config.eos_token_id in out:
        out = out[: out.index(model.config.eos_token_id) + 1]
    return out, margin


@torch.no_grad()
def make_golden(model: R.T5ForConditionalGeneration, sp: spm.SentencePieceProcessor, prompt: torch.Tensor) -> Dict:
    eos = sp.eos_id()
    enc = lambda s: sp.encode(s) + [eos]  # noqa: E731  (what the HF tokenizer returns)

    tokenizer_cases = []
    for t in TOKENIZER_TEXTS:
        ids = enc(t)
        tokenizer_cases.append({"text": t, "ids": ids, "decoded": sp.decode(ids[:-1])})

    # forward, with and without the soft prompt
    input_ids, mask = pad_batch([enc(t) for t in FORWARD_INPUTS])
    labels = [enc(t) for t in FORWARD_TARGETS]
    dec_ids, _ = pad_batch([[model.config.decoder_start_token_id] + l[:-1] for l in labels])
    fwd = {"input_texts": FORWARD_INPUTS, "input_ids": input_ids.tolist(), "attention_mask": mask.tolist(),
           "target_texts": FORWARD_TARGETS, "decoder_input_ids": dec_ids.tolist(), "prompt": _r(prompt)}
    emb, pmask = R.prepend_prompt(model, input_ids, mask, prompt)
    out_p = model(inputs_embeds=emb, attention_mask=pmask, decoder_input_ids=dec_ids)
    out_n = model(input_ids=input_ids, attention_mask=mask, decoder_input_ids=dec_ids)
    fwd["with_prompt"] = {"encoder_output": _r(out_p["encoder_output"]), "logits": _r(out_p["logits"])}
    fwd["without_prompt"] = {"encoder_output": _r(out_n["encoder_output"]), "logits": _r(out_n["logits"])}

    # Greedy generation: 2 cases without the prompt, 1 with. Inputs whose top-1 / top-2 logits come
    # within margin_ok at some step are skipped (no near-ties), and among the rest the outputs with
    # the most distinct tokens are preferred. The first case reaches eos within the budget if any
    # input (the listed ones, then held-out license lines) does: that tests stopping.
    max_new = 12
    margin_ok = 1e-2

    def run(text, use_prompt):
        x = torch.tensor([enc(text)])
        m = torch.ones_like(x)
        if use_prompt:
            e, pm = R.prepend_prompt(model, x, m, prompt)
            return greedy_with_margins(model, max_new, inputs_embeds=e, attention_mask=pm)
        return greedy_with_margins(model, max_new, input_ids=x, attention_mask=m)

    listed = GENERATE_CANDIDATES
    extra = [l.strip() for l in held_out_lines() if 20 <= len(l.strip()) <= 70][:150]
    results = {}  # (text, use_prompt) -> (output, margin)
    for text in listed + extra:
        results[(text, False)] = run(text, False)
    for text in listed:
        results[(text, True)] = run(text, True)
    usable = [(t, p, o, mg) for (t, p), (o, mg) in results.items() if mg > margin_ok]
    diversity = lambda r: len(set(r[2]))  # noqa: E731  (random models like to repeat one token)
    plain = [r for r in usable if not r[1]]
    with_eos = [r for r in plain if eos in r[2] and len(r[2]) > 1]
    picked = [max(with_eos, key=diversity) if with_eos else max(plain, key=diversity)]
    picked.append(max([r for r in plain if r[0] in listed and r[0] != picked[0][0] and eos not in r[2]],
                      key=diversity))
    picked.append(max([r for r in usable if r[1] and r[0] not in (picked[0][0], picked[1][0])], key=diversity))
    generate = []
    for text, use_prompt, out, margin in picked:
        case = {"input_text": text, "input_ids": enc(text), "max_new_tokens": max_new, "output_ids": out}
        if use_prompt:
            case["use_prompt"] = True
        generate.append(case)
        print(f"    generate{' (prompt)' if use_prompt else ''}: {len(out)} tokens ({len(set(out))} distinct), "
              f"eos={eos in out}, min top1-top2 margin {margin:.4f}")

    # ranking of label strings by teacher-forced log-likelihood
    x = torch.tensor([enc(RANK_INPUT)])
    label_ids = [enc(l) for l in RANK_LABELS]
    ll = torch.stack([R.sequence_log_likelihood(model, torch.tensor([l]), input_ids=x,
                                                attention_mask=torch.ones_like(x))[0] for l in label_ids])
    rank = {"input_text": RANK_INPUT, "input_ids": x[0].tolist(), "labels": RANK_LABELS, "label_ids": label_ids,
            "log_likelihoods": _r(ll), "probs": _r(F.softmax(ll, dim=0))}

    return {"tokenizer_cases": tokenizer_cases, "forward": fwd, "generate": generate, "rank": rank}


@torch.no_grad()
def float32_vs_float64(folder: str, golden: Dict) -> float:
    """Max |f32 - f64| / max|f64| over the forward logits: how much the golden's float64 matters."""
    m32 = R.from_pretrained(folder, torch.float32)
    f = golden["forward"]
    ids, mask = torch.tensor(f["input_ids"]), torch.tensor(f["attention_mask"])
    emb, pmask = R.prepend_prompt(m32, ids, mask, torch.tensor(f["prompt"], dtype=torch.float32))
    lg = m32(inputs_embeds=emb, attention_mask=pmask, decoder_input_ids=torch.tensor(f["decoder_input_ids"]))["logits"]
    ref = torch.tensor(f["with_prompt"]["logits"], dtype=torch.float64)
    return float((lg.double() - ref).abs().max() / ref.abs().max())


def relative_bucket_tables() -> Dict:
    tables = []
    for nb, md, rng in [(32, 128, 200), (8, 20, 40)]:
        for bidi in (True, False):
            rel = torch.arange(-rng, rng + 1)
            b = R.relative_position_bucket(rel, bidirectional=bidi, num_buckets=nb, max_distance=md)
            tables.append({"num_buckets": nb, "max_distance": md, "bidirectional": bidi,
                           "relative_position": rel.tolist(), "bucket": b.tolist()})
    return {"note": "relative_position = key_pos - query_pos; bucket as HF T5 _relative_position_bucket",
            "tables": tables}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures"))
    args = ap.parse_args()
    out = args.out
    torch.set_num_threads(1)

    print("training tokenizer")
    blob = build_tokenizer(out)
    sp = spm.SentencePieceProcessor(model_proto=blob)
    tok_json, tok_cfg = sp_to_hf.convert(blob, EXTRA_IDS)
    n_tokens = len(tok_json["model"]["vocab"])
    vocab_size = 8 * math.ceil(n_tokens / 8)  # embedding larger than the tokenizer, as 32128 vs 32100
    print(f"  {sp.get_piece_size()} sp pieces + {EXTRA_IDS} sentinels = {n_tokens}; vocab_size {vocab_size}")

    _json_dump(relative_bucket_tables(), os.path.join(out, "relative_position_buckets.json"), compact=True)

    for name, gated, seed in [("t5-tiny-relu", False, 2), ("t5-tiny-gated", True, 6)]:
        print(name)
        folder = os.path.join(out, name)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        cfg = tiny_config(gated, vocab_size)
        model = build_model(cfg, seed)
        R.save_pretrained(model, folder)
        sp_to_hf.write(tok_json, tok_cfg, folder)

        m64 = R.from_pretrained(folder, torch.float64)  # golden from the saved float32 weights
        g = torch.Generator().manual_seed(seed + 2000)
        prompt = exactly_representable(torch.randn(PROMPT_LEN, cfg.d_model, generator=g)).double()
        golden = make_golden(m64, sp, prompt)
        _json_dump(golden, os.path.join(folder, "golden.json"), compact=True)
        lg = torch.tensor(golden["forward"]["without_prompt"]["logits"])
        print(f"  logits std {lg.std():.3f}, range [{lg.min():.2f}, {lg.max():.2f}]; "
              f"rank probs {golden['rank']['probs']}")
        print(f"  float32 vs float64 forward logits: max rel diff {float32_vs_float64(folder, golden):.2e}")

        if gated:  # other encodings of the same weights
            for sub, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
                R.save_pretrained(model, os.path.join(folder, sub), dtype=dtype)
            total = sum(p.numel() * 4 for p in model.state_dict().values())
            R.save_pretrained(model, os.path.join(folder, "sharded"), max_shard_bytes=int(total * 0.6))
            shards = safetensors_io.iter_file_names(os.path.join(folder, "sharded"))
            assert len(shards) == 2, shards
            for sub in ("f16", "bf16", "sharded"):
                sd = safetensors_io.load_folder(os.path.join(folder, sub))
                for k, v in model.state_dict().items():
                    assert torch.equal(sd[k].float(), v), (sub, k)  # exactly the same weights
    size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out, "**"), recursive=True) if os.path.isfile(p))
    print(f"fixtures: {size / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    main()
