"""Write the model card (README.md), loss.png and public/models/index.json for a pretrain.py run.

    /usr/bin/python3 tools/t5/model_card.py --run tools/work/t5/run --model public/models/mpt-t5-8m \
        --sources tools/work/corpus/SOURCES.json --tokenizer-match "3425/3428" \
        --command "<the pretrain.py command line>" [--js-check "..."]

A model made in phases (a run, then `pretrain.py --init-from` runs continuing it) gets one --run and
one --command per phase, in order; the card describes each phase and plots them end to end.

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


def end_to_end(logs: List[List[Dict]]) -> List[Dict]:
    """The phases' logs as one, steps counted from the start of phase 1; each record gets its phase."""
    out, offset = [], 0
    for i, log in enumerate(logs):
        out += [{**r, "step": r["step"] + offset, "phase": i + 1} for r in log if "step" in r]
        offset += max(r["step"] for r in log if r["type"] == "train")
    return out


def plot(log: List[Dict], starts: List[int], out: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tr = [r for r in log if r["type"] == "train"]
    ev = [r for r in log if r["type"] == "eval"]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for i, x in enumerate(starts[1:]):
        ax.axvline(x, color="gray", ls="--", lw=1, label="phase 2, 3, ... starts" if i == 0 else None)
    for key, color, label in (("span", "tab:blue", "span corruption"), ("prefix_lm", "tab:orange", "prefix LM")):
        xs = [r["step"] for r in tr if f"train_{key}" in r]
        ys = [r[f"train_{key}"] for r in tr if f"train_{key}" in r]
        if len(ys) >= 5:  # running mean over 5 log points (50 steps) to tame the noise
            ys_s = np.convolve(ys, np.ones(5) / 5, mode="valid")
            ax.plot(xs[4:], ys_s, color=color, alpha=0.55, lw=1.2, label=f"train, {label}")
        ax.plot([r["step"] for r in ev], [r[f"heldout_{key}"] for r in ev], "o-", color=color, lw=2, ms=4,
                label=f"held-out, {label}")
    ax.set_xlabel("step (all phases)")
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
    ap.add_argument("--run", required=True, action="append", help="a pretrain.py run folder; one per phase")
    ap.add_argument("--model", required=True, help="exported folder under public/models/")
    ap.add_argument("--sources", required=True)
    ap.add_argument("--tokenizer-match", required=True, help='"same/total" JS vs sentencepiece on the held-out lines')
    ap.add_argument("--tokenizer-command", default="")
    ap.add_argument("--command", required=True, action="append", help="the pretrain.py command of each --run")
    ap.add_argument("--js-check", default="", help="one line: result of check_export.test.ts")
    ap.add_argument("--fills-json", help="check_export.py --out file (fills of windows and short lines)")
    ap.add_argument("--limitations", default="", help="markdown paragraph(s) for a Limitations section")
    ap.add_argument("--machine", default="")
    ap.add_argument("--description", default="")
    a = ap.parse_args()

    name = os.path.basename(a.model.rstrip("/"))
    assert len(a.run) == len(a.command), "one --command per --run"
    phases = []
    for run in a.run:
        with open(os.path.join(run, "summary.json"), encoding="utf-8") as f:
            phases.append(json.load(f))
    S = phases[-1]  # the exported model
    with open(a.sources, encoding="utf-8") as f:
        src = json.load(f)
    log = end_to_end([read_log(os.path.join(run, "log.jsonl")) for run in a.run])
    starts = [int(np.sum([P["steps"] for P in phases[:i]])) for i in range(len(phases))]
    total_steps = starts[-1] + S["steps"]
    plot(log, starts, os.path.join(a.model, "loss.png"))
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
    tok = {k: sum(P["tokens_seen"][k] for P in phases) for k in ("input", "target")}
    size_mb = os.path.getsize(os.path.join(a.model, "model.safetensors")) / 1e6
    threads = [r for r in log if r["type"] == "threads"]

    L: List[str] = []
    w = L.append
    w(f"# {name}\n")
    phase_note = (f" in {len(phases)} phases (the later ones continue from the earlier one's weights with a fresh "
                  "optimizer)" if len(phases) > 1 else "")
    w(f"A small T5 (v1.1 architecture) pretrained from scratch by this project{phase_note}, on "
      f"{src['words']['train']:,} words "
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
    spans = {"fixed": f"a window of {sc_raw} tokens (always the longest that fits)",
             "uniform": f"a window of 16-{sc_raw} tokens (uniform)"}
    span_text = " / ".join(f"phase {i + 1}: {spans[P['args'].get('span_lengths', 'fixed')]}" for i, P in enumerate(phases)) \
        if len(phases) > 1 else spans[args.get("span_lengths", "fixed")]
    w(f"- **span corruption** (T5): {span_text}, "
      f"{args['noise_density']:.0%} of them masked in spans of mean length {args['mean_span']:g}; each span is "
      f"replaced by a sentinel in the input ({args['input_len']} tokens with `</s>`), and the target lists "
      f"`<extra_id_i> span_i ...</s>` ({sc_tgt} tokens).")
    w(f"- **prefix LM** (LM adaptation): a prefix of {args['min_prefix']}-{args['input_len'] - 1} tokens "
      f"(uniform) as input, the next {args['target_len'] - 1} tokens + `</s>` as target.\n")
    w("Loss: mean cross-entropy over the batch's target tokens (as HF's `labels` loss).\n")
    w("## Training\n")
    w("| | " + " | ".join(f"phase {i + 1}" for i in range(len(phases))) + " |")
    w("|---|" + "---|" * len(phases))

    def row(label, fn):
        w(f"| {label} | " + " | ".join(fn(P, P["args"]) for P in phases) + " |")

    row("start", lambda P, g: f"from `{g['init_from']}`" if g.get("init_from") else "random init (HF's T5 init)")
    row("steps", lambda P, g: f"{P['steps']:,} x batch {g['batch']}")
    row("tokens seen", lambda P, g: f"{P['tokens_seen']['input'] + P['tokens_seen']['target']:,} "
                                    f"({P['tokens_seen']['input']:,} input + {P['tokens_seen']['target']:,} target, "
                                    "padding not counted)")
    row("span-corruption windows", lambda P, g: g.get("span_lengths", "fixed"))
    row("optimizer", lambda P, g: f"AdamW, betas (0.9, 0.98), weight decay {g['weight_decay']} on matrices, "
                                  f"gradient clipping {g['clip']}")
    row("learning rate", lambda P, g: f"peak {g['lr']:g}, linear warm-up {g['warmup']} steps, inverse-sqrt decay, "
                                      f"linear cool-down to 0 over the last {g['cooldown']:.0%} of the steps")
    row("precision", lambda P, g: "float32")
    row("wall time", lambda P, g: f"{P['elapsed_s'] / 60:.1f} min (evaluations included)")
    row("machine", lambda P, g: a.machine or f"{cpu_name()}, 2 cores shared with other jobs, PyTorch {P['torch']} "
                                             "(Debian python3-torch, OpenBLAS)")
    row("seed (batches depend on seed and step)", lambda P, g: str(g["seed"]))
    w(f"\nIn all: {total_steps:,} steps, {tok['input'] + tok['target']:,} tokens, "
      f"{sum(P['elapsed_s'] for P in phases) / 60:.0f} min.")
    for i, P in enumerate(phases):
        ch, g = P.get("schedule_changes"), P["args"]
        if not ch:
            continue
        cool_start = P["steps"] - max(1, int(round(g["cooldown"] * P["steps"])))
        w(f"\nPhase {i + 1} was given a wall-clock budget (`--deadline-minutes {g['deadline_minutes']:g}`): it reset "
          f"its total number of steps from the measured step time {len(ch)} times between step {ch[0]['step']} and "
          f"step {ch[-1]['step']} (from {ch[0]['from']} to {P['steps']}, the lowest estimate {min(x['to'] for x in ch)}, "
          f"the highest {max(x['to'] for x in ch)}), the last change before the cool-down began at step "
          f"{cool_start}; `<run>/log.jsonl` lists them.")
    if threads:
        w(f"\nThe thread count (1 or 2) was tuned at run time (`--adaptive-threads`) and switched {len(threads)} "
          "times as the other jobs' load changed.")
    w("\n## Loss\n")
    w("![loss](loss.png)\n")
    w("| | span corruption | prefix LM |\n|---|---|---|")
    for i, P in enumerate(phases):
        pe = [r for r in ev if r["phase"] == i + 1]
        w(f"| held-out, phase {i + 1} start (step {pe[0]['step']}) | {pe[0]['heldout_span']:.3f} | "
          f"{pe[0]['heldout_prefix_lm']:.3f} |")
    w(f"| held-out, end (step {total_steps}) | {S['heldout']['span']:.3f} | {S['heldout']['prefix_lm']:.3f} |")
    w(f"| train, last 100 steps | {tr_span:.3f} | {tr_plm:.3f} |")
    w(f"\nHeld-out: {args['eval_examples']} fixed examples per objective from the held-out documents "
      "(nats per target token; perplexity = exp), drawn the way the phase's training examples are drawn "
      "(so a phase that changes how windows are drawn starts from a different number).\n")
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
    w("# pretraining, one command per phase (each resumes from <run>/ckpt.pt if killed) and export")
    for c_ in a.command:
        w(c_)
    w("# checks: HF layout + round trip + greedy ids, then the same ids from TF.js")
    w(f"/usr/bin/python3 tools/t5/check_export.py {a.model} --run {a.run[-1]} --out tools/work/t5/greedy.json")
    w(f"MODEL_DIR={a.model} GREEDY_JSON=tools/work/t5/greedy.json npx vitest run --config vite.config.ts "
      "tools/t5/check_export.test.ts")
    w("```\n")
    w("Batches depend only on (seed, step) and the run is single-process float32, but BLAS threading and "
      "the wall-clock step budget make bit-identical weights unlikely; `--deadline-minutes 0 --steps <n>` with "
      "each phase's steps (" + ", ".join(f"{P['steps']}" for P in phases) + ") reproduces the schedule.\n")
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
