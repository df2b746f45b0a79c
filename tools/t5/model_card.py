"""Write the model card (README.md), loss.png and public/models/index.json for a pretrain.py run.

    /usr/bin/python3 tools/t5/model_card.py --run tools/work/t5/run --model public/models/mpt-t5-8m \
        --sources tools/work/corpus/SOURCES.json --tokenizer-match "3425/3428" \
        --command "<the pretrain.py command line>" [--js-check "..."]

Needs matplotlib (Debian: apt-get install python3-matplotlib) for loss.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from typing import Dict, List

import numpy as np


def read_log(path: str) -> List[Dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def plot(log: List[Dict], out: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tr = [r for r in log if r["type"] == "train"]
    ev = [r for r in log if r["type"] == "eval"]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for key, color, label in (("span", "tab:blue", "span corruption"), ("prefix_lm", "tab:orange", "prefix LM")):
        xs = [r["step"] for r in tr if f"train_{key}" in r]
        ys = [r[f"train_{key}"] for r in tr if f"train_{key}" in r]
        if len(ys) >= 5:  # running mean over 5 log points (50 steps) to tame the noise
            ys_s = np.convolve(ys, np.ones(5) / 5, mode="valid")
            ax.plot(xs[4:], ys_s, color=color, alpha=0.55, lw=1.2, label=f"train, {label}")
        ax.plot([r["step"] for r in ev], [r[f"heldout_{key}"] for r in ev], "o-", color=color, lw=2, ms=4,
                label=f"held-out, {label}")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy per target token (nats)")
    ax.set_ylim(bottom=0, top=min(10, max(r["heldout_span"] for r in ev) + 0.5))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("mpt-t5 pretraining loss")
    fig.tight_layout()
    fig.savefig(out)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    ap.add_argument("--model", required=True, help="exported folder under public/models/")
    ap.add_argument("--sources", required=True)
    ap.add_argument("--tokenizer-match", required=True, help='"same/total" JS vs sentencepiece on the held-out lines')
    ap.add_argument("--tokenizer-command", default="")
    ap.add_argument("--command", required=True, help="the pretrain.py command that made the run")
    ap.add_argument("--js-check", default="", help="one line: result of check_export.test.ts")
    ap.add_argument("--fills-json", help="check_export.py --out file (fills of windows and short lines)")
    ap.add_argument("--limitations", default="", help="markdown paragraph(s) for a Limitations section")
    ap.add_argument("--machine", default="")
    ap.add_argument("--description", default="")
    a = ap.parse_args()

    name = os.path.basename(a.model.rstrip("/"))
    with open(os.path.join(a.run, "summary.json"), encoding="utf-8") as f:
        S = json.load(f)
    with open(a.sources, encoding="utf-8") as f:
        src = json.load(f)
    log = read_log(os.path.join(a.run, "log.jsonl"))
    plot(log, os.path.join(a.model, "loss.png"))
    args = S["args"]
    with open(os.path.join(a.model, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    with open(os.path.join(a.model, "tokenizer.json"), encoding="utf-8") as f:
        n_ids = len(json.load(f)["model"]["vocab"])
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pretrain import span_corruption_lengths
    sc_raw, sc_tgt = span_corruption_lengths(args["input_len"], args["noise_density"], args["mean_span"])
    tr = [r for r in log if r["type"] == "train"]
    ev = [r for r in log if r["type"] == "eval"]
    last = tr[-10:]  # last 100 steps
    tr_span = float(np.mean([r["train_span"] for r in last if "train_span" in r]))
    tr_plm = float(np.mean([r["train_prefix_lm"] for r in last if "train_prefix_lm" in r]))
    tok = S["tokens_seen"]
    size_mb = os.path.getsize(os.path.join(a.model, "model.safetensors")) / 1e6
    threads = [r for r in log if r["type"] == "threads"]

    L: List[str] = []
    w = L.append
    w(f"# {name}\n")
    w(f"A small T5 (v1.1 architecture) pretrained from scratch by this project, on {src['words']['train']:,} words "
      "of openly licensed English text that ships in npm and Debian packages, with a mix of T5 span corruption "
      "and prefix language modelling (the \"LM adaptation\" that makes prompt tuning work, Lester et al. 2021). "
      "It is the playground's default frozen model: small enough to prompt-tune in a browser tab on WASM. "
      "It is a toy next to Google's T5 checkpoints (a few million tokens of training instead of a trillion): "
      "see Limitations.\n")
    w("Files: `config.json`, `model.safetensors`, `tokenizer.json`, `tokenizer_config.json`, "
      "`generation_config.json` in Hugging Face's layout, so `T5ForConditionalGeneration.from_pretrained` and "
      "`AutoTokenizer.from_pretrained` (fast tokenizer) read this folder.\n")
    w("## Architecture\n")
    w("| | |\n|---|---|")
    rows = [
        ("type", "T5 v1.1 encoder-decoder (`T5ForConditionalGeneration`): gated-GELU feed-forward "
                 "(`gelu_new`), RMSNorm (pre-norm), relative position bias (shared per stack), untied `lm_head`, "
                 "no biases"),
        ("parameters", f"{S['params']:,} (embeddings {c['vocab_size'] * c['d_model']:,}, lm_head "
                       f"{c['vocab_size'] * c['d_model']:,})"),
        ("layers", f"{c['num_layers']} encoder + {c['num_decoder_layers']} decoder"),
        ("d_model / d_ff", f"{c['d_model']} / {c['d_ff']}"),
        ("heads x d_kv", f"{c['num_heads']} x {c['d_kv']}"),
        ("relative attention", f"{c['relative_attention_num_buckets']} buckets, max distance "
                               f"{c['relative_attention_max_distance']}"),
        ("vocab_size", f"{c['vocab_size']} (tokenizer: {n_ids - 100} pieces + 100 sentinels = {n_ids} ids; the rest is "
                       f"padding to a multiple of {args['vocab_multiple']})"),
        ("weights", f"`model.safetensors`, {size_mb:.1f} MB, {args['export_dtype'].replace('float', 'F')}"),
        ("config dropout_rate", f"{c['dropout_rate']} as written to config.json (pretraining used "
                                f"{args['dropout']}, like T5 v1.1)"),
    ]
    for k, v in rows:
        w(f"| {k} | {v} |")
    w("")
    w("## Tokenizer\n")
    w("SentencePiece unigram, 8,000 pieces, trained on the corpus' train split with T5's conventions "
      "(`<pad>` 0, `</s>` 1, `<unk>` 2, no bos, `nmt_nfkc` normalization, dummy prefix), plus the 100 "
      "sentinels `<extra_id_0>` (id 8099) ... `<extra_id_99>` (id 8000) appended as in T5; converted to "
      "`tokenizer.json` as transformers' `T5Converter` does (`tools/tokenizer/sp_to_hf.py`). The JS tokenizer "
      f"(npm `@huggingface/tokenizers`, used by the app) encodes {a.tokenizer_match} held-out lines exactly like "
      "sentencepiece (`tools/tokenizer/compare_js.py`).\n")
    w("## Data\n")
    w(f"{src['words']['train']:,} words for training, {src['words']['heldout']:,} held out "
      f"({src['heldout']}). {src['exclusion']} Built by `{src['generatedBy']}` "
      "(see `tools/data/README.md`); one paragraph-sized unit per line.\n")
    w("| source | package (version, registry) | license | train words | held-out words |\n|---|---|---|---|---|")
    for s in src["sources"]:
        pk = "; ".join(f"{p['name']} {p['version']} ({p['registry']})" for p in s["packages"])
        lic = "; ".join(p["license"] for p in s["packages"])
        w(f"| {md_escape(s['title'])} | {md_escape(pk)} | {md_escape(lic)} | {s['words']['train']:,} | "
          f"{s['words']['heldout']:,} |")
    w("")
    w("Examples are windows drawn uniformly at random from the token streams of all sources (so the sources "
      "are mixed in proportion to their size).\n")
    w("## Objective\n")
    w(f"Each example is independently, with probability {args['prefix_lm_rate']}, one of:\n")
    w(f"- **span corruption** (T5): a window of {sc_raw} tokens, "
      f"{args['noise_density']:.0%} of them masked in spans of mean length {args['mean_span']:g}; each span is "
      f"replaced by a sentinel in the input ({args['input_len']} tokens with `</s>`), and the target lists "
      f"`<extra_id_i> span_i ...</s>` ({sc_tgt} tokens).")
    w(f"- **prefix LM** (LM adaptation): a prefix of {args['min_prefix']}-{args['input_len'] - 1} tokens "
      f"(uniform) as input, the next {args['target_len'] - 1} tokens + `</s>` as target.\n")
    w("Loss: mean cross-entropy over the batch's target tokens (as HF's `labels` loss).\n")
    w("## Training\n")
    hours = S["elapsed_s"] / 60
    w("| | |\n|---|---|")
    for k, v in [
        ("steps", f"{S['steps']:,} x batch {args['batch']}"),
        ("tokens seen", f"{tok['input'] + tok['target']:,} ({tok['input']:,} input + {tok['target']:,} target, "
                        "padding not counted)"),
        ("optimizer", f"AdamW, betas (0.9, 0.98), weight decay {args['weight_decay']} on matrices, "
                      f"gradient clipping {args['clip']}"),
        ("learning rate", f"peak {args['lr']:g}, linear warm-up {args['warmup']} steps, inverse-sqrt decay, "
                          f"linear cool-down to 0 over the last {args['cooldown']:.0%} of the steps"),
        ("precision", "float32"),
        ("wall time", f"{hours:.1f} min (evaluations included)"),
        ("machine", a.machine or f"{cpu_name()}, 2 cores shared with other jobs, PyTorch {S['torch']} "
                                  "(Debian python3-torch, OpenBLAS)"),
        ("seed", str(args["seed"])),
    ]:
        w(f"| {k} | {v} |")
    if S.get("schedule_changes"):
        ch = S["schedule_changes"]
        cool_start = S["steps"] - max(1, int(round(args["cooldown"] * S["steps"])))
        w(f"\nThe run was given a wall-clock budget (`--deadline-minutes {args['deadline_minutes']:g}`): it reset "
          f"its total number of steps from the measured step time {len(ch)} times between step {ch[0]['step']} and "
          f"step {ch[-1]['step']} (from {ch[0]['from']} to {S['steps']}, the lowest estimate {min(x['to'] for x in ch)}, "
          f"the highest {max(x['to'] for x in ch)}), the last change before the cool-down began at step "
          f"{cool_start}; `<run>/log.jsonl` lists them.")
    if threads:
        w(f"\nThe thread count (1 or 2) was tuned at run time (`--adaptive-threads`) and switched {len(threads)} "
          "times as the other jobs' load changed.")
    w("\n## Loss\n")
    w("![loss](loss.png)\n")
    e0, e1 = ev[0], ev[-1]
    w("| | span corruption | prefix LM |\n|---|---|---|")
    w(f"| held-out, step 0 | {e0['heldout_span']:.3f} | {e0['heldout_prefix_lm']:.3f} |")
    w(f"| held-out, step {e1['step']} | {S['heldout']['span']:.3f} | {S['heldout']['prefix_lm']:.3f} |")
    w(f"| train, last 100 steps | {tr_span:.3f} | {tr_plm:.3f} |")
    w(f"\nHeld-out: {args['eval_examples']} fixed examples per objective from the held-out documents "
      "(nats per target token; perplexity = exp).\n")
    w("| step | " + " | ".join(str(r["step"]) for r in ev) + " |")
    w("|---|" + "---|" * len(ev))
    w("| held-out span | " + " | ".join(f"{r['heldout_span']:.2f}" for r in ev) + " |")
    w("| held-out prefix LM | " + " | ".join(f"{r['heldout_prefix_lm']:.2f}" for r in ev) + " |\n")
    w("## Span-corruption fills on held-out text\n")
    fills = S["fills"]
    if a.fills_json:
        with open(a.fills_json, encoding="utf-8") as f:
            fills = [{"input": x["input_text"], "output": x["output_text"], "target": x["target_text"],
                      "window": x.get("window"), "max_new": x["max_new_tokens"]} for x in json.load(f)]
    wins = [x for x in fills if x.get("window")]
    short = [x for x in fills if not x.get("window")]
    if wins:
        w(f"Greedy decoding. First, windows of held-out text of the training length ({sc_raw} tokens, "
          f"{args['noise_density']:.0%} noise in spans of mean 3), one per source; `REF` is what was masked:\n")
        w("```")
        for fl in wins:
            w(f"[{fl['window']}]\nIN : {fl['input']}\nOUT: {fl['output']}\nREF: {fl['target']}\n")
        w("```\n")
        w("Then single held-out lines (shorter than the training windows), at most 24 new tokens:\n")
    w("```")
    for fl in short:
        w(f"IN : {fl['input']}\nOUT: {fl['output']}\nREF: {fl['target']}\n")
    w("```\n")
    if a.js_check:
        w(f"TF.js (the app's loader, `tools/t5/check_export.test.ts`) generates the same ids as PyTorch for all "
          f"of these: {a.js_check}\n")
    if a.limitations:
        w("## Limitations\n")
        w(a.limitations + "\n")
    w("## Reproduce\n")
    w("On Debian 12 with `python3-torch` (1.13), `python3-sentencepiece`, `python3-numpy`, "
      "`libopenblas0-openmp`; node for the corpus and the JS checks. From the repository root:\n")
    w("```sh")
    w("export OMP_WAIT_POLICY=PASSIVE")
    w("# corpus (tools/data/README.md)")
    w("npm ci --prefix tools/data && sh tools/data/fetch_debian.sh")
    w("node tools/data/build_tasks.mjs && node tools/data/build_corpus.mjs")
    w("# tokenizer")
    w(a.tokenizer_command or "/usr/bin/python3 tools/tokenizer/train_sp.py --out tools/work/tok/spiece.model "
      "--vocab-size 8000 tools/work/corpus/train/*.txt")
    w("/usr/bin/python3 tools/tokenizer/sp_to_hf.py tools/work/tok/spiece.model tools/work/tok/hf")
    w("/usr/bin/python3 tools/tokenizer/compare_js.py tools/work/tok/spiece.model tools/work/tok/hf "
      "tools/work/corpus/heldout/*.txt")
    w("# pretraining (resumes from tools/work/t5/run/ckpt.pt if killed) and export")
    w(a.command)
    w("# checks: HF layout + round trip + greedy ids, then the same ids from TF.js")
    w(f"/usr/bin/python3 tools/t5/check_export.py {a.model} --run {a.run} --out tools/work/t5/greedy.json")
    w(f"MODEL_DIR={a.model} GREEDY_JSON=tools/work/t5/greedy.json npx vitest run --config vite.config.ts "
      "tools/t5/check_export.test.ts")
    w("```\n")
    w("Batches depend only on (seed, step) and the run is single-process float32, but BLAS threading and "
      "the wall-clock step budget make bit-identical weights unlikely; `--deadline-minutes 0 --steps "
      f"{S['steps']}` reproduces this run's schedule.\n")
    w("## License\n")
    w("The weights are derived from the texts above (public domain, PDDL/CC0, MIT, BSD-3-Clause, the WordNet "
      "license and the Brown Corpus' redistribution permission); the code that made them is this repository's.\n")
    with open(os.path.join(a.model, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L))

    index = os.path.join(os.path.dirname(a.model.rstrip("/")), "index.json")
    desc = a.description or (f"T5 v1.1, {S['params'] / 1e6:.1f}M params, {c['num_layers']}+{c['num_decoder_layers']} "
                             f"layers, d_model {c['d_model']}; pretrained by this project (span corruption + prefix LM)")
    with open(index, "w", encoding="utf-8") as f:
        json.dump({"default": name, "models": [{"name": name, "path": f"/models/{name}/", "description": desc}]},
                  f, indent=2)
        f.write("\n")
    print(f"wrote {a.model}/README.md, loss.png and {index}")


if __name__ == "__main__":
    main()
