"""Pretrain the project's own small T5 (v1.1 style) and export it in Hugging Face format.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/t5/pretrain.py \
        --corpus tools/work/corpus --tokenizer tools/work/tok/spiece.model \
        --run tools/work/t5/run --export public/models/mpt-t5-small \
        --d-model 256 --d-kv 64 --num-heads 4 --num-layers 4 --d-ff 1024 --steps 3000

Model: T5 v1.1 (gated-gelu feed-forward, RMSNorm, relative position bias, untied lm_head), the
pure-PyTorch T5 of reference.py. Objective: for every example independently, with probability
--prefix-lm-rate a prefix-LM example (Lester et al. 2021's "LM adaptation": a text prefix as input,
its continuation as target), else T5 span corruption (Raffel et al. 2020: 15% noise, mean span 3,
each span replaced by a sentinel <extra_id_i>; the target lists the spans after their sentinels).

--classify-rate makes that share of the examples short self-supervised classification tasks, each
named by a text prefix, whose answers are read off the corpus itself (never a built-in task's
label): "source:" the file a passage comes from (austen, brown, ...), "next:" whether the second
half follows the first (yes/no), "contains:" whether a word occurs in the passage (yes/no), and
"keyword:" the passage's top word by tf-idf (among words seen twice). Like T5's multitask mixture and FLAN, this
teaches a frozen model to answer with a short word that depends on the whole input and on a prefix
that names the task: what a soft prompt has to exploit (see RESULTS.md on prompt-tunability).

Data: every `*.txt` under `<corpus>/train` (one paragraph per line, documents in order) is
tokenized with the sentencepiece model and concatenated into one token stream per file; examples
are windows drawn uniformly from the streams of all files (so sources are mixed by size).
Held-out loss is measured on fixed examples of both objectives drawn from `<corpus>/heldout`.

Optimizer: AdamW (betas 0.9/0.98, weight decay 0.01 on matrices), linear warm-up, then inverse
square root decay, then a linear cool-down to 0 over the last --cooldown fraction of the steps.
The decay does not depend on the total number of steps, so --deadline-minutes can move the end of
the run (and with it the cool-down) to fit a wall-clock budget; the steps actually run are logged,
and running again with `--steps <that number> --deadline-minutes 0` gives the same schedule (as long
as the cool-down had not started when the step count was last changed, which the log records).

Continued pretraining: --init-from <HF folder> starts from an exported model's weights instead of
the random init (fresh optimizer, warm-up and schedule); the model card lists both runs.

Resuming: a checkpoint (model, optimizer, step, schedule, elapsed time, log) is written to
`<run>/ckpt.pt` every --ckpt-every steps and at the end; starting the same command again resumes
from it. Batches depend only on (seed, step), so a resumed run sees the same data.

Outputs in <run>/: log.jsonl (one JSON object per train-log or eval event), ckpt.pt, summary.json.
Export (<export>/): config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
generation_config.json.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import os
import sys
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "tokenizer"))

import reference as R  # noqa: E402
import sentencepiece as spm  # noqa: E402
import sp_to_hf  # noqa: E402

EXTRA_IDS = 100


# ---------------------------------------------------------------------------------------------
# Data


def tokenize_split(sp: spm.SentencePieceProcessor, folder: str, cache_dir: str, model_blob: bytes
                   ) -> Dict[str, np.ndarray]:
    """file name -> int32 token stream (the file's lines encoded and concatenated). Cached."""
    files = sorted(glob.glob(os.path.join(folder, "*.txt")))
    if not files:
        raise FileNotFoundError(f"no *.txt in {folder}")
    h = hashlib.sha256(model_blob)
    for p in files:
        st = os.stat(p)
        h.update(f"{os.path.basename(p)}:{st.st_size}:{st.st_mtime_ns}".encode())
    path = os.path.join(cache_dir, f"tokens-{os.path.basename(folder.rstrip('/'))}-{h.hexdigest()[:16]}.npz")
    if os.path.exists(path):
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    out = {}
    for p in files:
        with open(p, encoding="utf-8") as f:
            lines = [l.strip() for l in f if l.strip()]
        ids = sp.encode(lines)
        out[os.path.basename(p)[:-4]] = np.fromiter((t for row in ids for t in row), dtype=np.int32)
    os.makedirs(cache_dir, exist_ok=True)
    np.savez(path + ".tmp.npz", **out)
    os.replace(path + ".tmp.npz", path)
    return out


def span_corruption_lengths(inputs_length: int, noise: float, mean_span: float) -> Tuple[int, int]:
    """Largest raw length whose corrupted input (+eos) fits inputs_length; and the target length
    (+eos). As T5's random_spans_helper."""
    def lens(n):
        k = max(1, int(round(n * noise)))
        s = max(1, int(round(k / mean_span)))
        return n - k + s + 1, k + s + 1
    n = 2
    while lens(n + 1)[0] <= inputs_length:
        n += 1
    return n, lens(n)[1]


def random_spans_noise_mask(n: int, noise: float, mean_span: float, rng: np.random.Generator) -> np.ndarray:
    """T5's random_spans_noise_mask: round(n*noise) noise tokens in round(that/mean_span) spans,
    alternating non-noise / noise spans, starting with non-noise (so the text ends in a noise span)."""
    k = min(max(1, int(round(n * noise))), n - 1)
    s = max(1, int(round(k / mean_span)))
    s = min(s, k, n - k)

    def segment(total, parts):
        cuts = np.sort(rng.choice(np.arange(1, total), size=parts - 1, replace=False)) if parts > 1 else np.array([], int)
        return np.diff(np.concatenate([[0], cuts, [total]]))

    noise_lens, keep_lens = segment(k, s), segment(n - k, s)
    mask = np.zeros(n, dtype=bool)
    pos = 0
    for a, b in zip(keep_lens, noise_lens):
        pos += a
        mask[pos:pos + b] = True
        pos += b
    return mask


def span_corrupt(tokens: np.ndarray, mask: np.ndarray, sentinel0: int, eos: int) -> Tuple[List[int], List[int]]:
    """(input, target): each noise span -> <extra_id_i> in the input; target = <extra_id_i> span ..."""
    inp, tgt, i, prev = [], [], 0, False
    for t, m in zip(tokens.tolist(), mask.tolist()):
        if m:
            if not prev:
                inp.append(sentinel0 - i)
                tgt.append(sentinel0 - i)
                i += 1
            tgt.append(t)
        else:
            inp.append(t)
        prev = m
    return inp + [eos], tgt + [eos]


CLASSIFY_KINDS = ("source", "next", "contains", "keyword")


class Sampler:
    """Examples drawn from token streams; deterministic given the numpy Generator passed in."""

    def __init__(self, streams: Dict[str, np.ndarray], args, sentinel0: int, eos: int,
                 sp: spm.SentencePieceProcessor):
        self.names = sorted(streams)
        self.streams = [streams[k] for k in self.names]
        sizes = np.array([len(s) for s in self.streams], dtype=np.float64)
        self.p = sizes / sizes.sum()
        self.args, self.sentinel0, self.eos = args, sentinel0, eos
        self.sc_raw, self.sc_tgt = span_corruption_lengths(args.input_len, args.noise_density, args.mean_span)
        if self.sc_tgt > args.target_len:
            raise ValueError(f"span corruption targets need {self.sc_tgt} > --target-len {args.target_len}")
        if args.classify_rate > 0:
            self.prefix = {k: sp.encode(f"{k}:") for k in CLASSIFY_KINDS}
            self.sep, self.yes, self.no = sp.encode("|"), sp.encode("yes"), sp.encode("no")
            self.source_words = [sp.encode(name) for name in self.names]
            # "Words": pieces that start a word and have at least 4 letters (a piece id -> bool table).
            self.is_word = np.array([p.startswith("\u2581") and p[1:].isalpha() and len(p) >= 5
                                     for p in (sp.id_to_piece(i) for i in range(sp.get_piece_size()))]
                                    + [False] * (sentinel0 + 1 - sp.get_piece_size()))
            counts = np.bincount(np.concatenate(self.streams), minlength=sentinel0 + 1)
            self.idf = np.log(counts.sum() / (1.0 + counts))

    def window(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.window_with_source(n, rng)[1]

    def window_with_source(self, n: int, rng: np.random.Generator) -> Tuple[int, np.ndarray]:
        k = int(rng.choice(len(self.streams), p=self.p))
        s = self.streams[k]
        start = int(rng.integers(0, max(1, len(s) - n)))
        return k, s[start:start + n]

    def classify_example(self, rng: np.random.Generator) -> Tuple[List[int], List[int]]:
        """(input, target) of one self-supervised classification task (see --classify-rate)."""
        kind = CLASSIFY_KINDS[int(rng.integers(len(CLASSIFY_KINDS)))]
        n = int(rng.integers(16, self.args.input_len - 8))
        k, w = self.window_with_source(n, rng)
        words = [t for t in w.tolist() if self.is_word[t]]
        body, answer = w.tolist(), self.source_words[k]  # "source", and the fallback of the others
        if kind == "next":
            half = n // 2
            follows = rng.random() < 0.5
            second = w[half:] if follows else self.window(n - half, rng)
            body, answer = w[:half].tolist() + self.sep + second.tolist(), self.yes if follows else self.no
        elif kind == "contains" and words:
            if rng.random() < 0.5:
                word, answer = words[int(rng.integers(len(words)))], self.yes
            else:
                others = [t for t in self.window(64, rng).tolist() if self.is_word[t] and t not in words]
                word, answer = (others[0], self.no) if others else (words[0], self.yes)
            body = [word] + self.sep + w.tolist()
        elif kind == "keyword" and words:
            ids, first, counts = np.unique(words, return_index=True, return_counts=True)
            if counts.max() >= 2:  # tf-idf's best word seen at least twice; ties go to the one seen first
                best = max((i for i in range(len(ids)) if counts[i] >= 2),
                           key=lambda i: (counts[i] * self.idf[ids[i]], -first[i]))
                answer = [int(ids[best])]
            else:
                kind = "source"
        else:
            kind = "source"
        inp = self.prefix[kind] + body
        return inp[: self.args.input_len - 1] + [self.eos], answer + [self.eos]

    def example(self, rng: np.random.Generator, objective: Optional[str] = None) -> Tuple[str, List[int], List[int]]:
        a = self.args
        if objective is None:
            # No draw when the rate is 0, so runs made before --classify-rate see the same batches.
            if a.classify_rate > 0 and rng.random() < a.classify_rate:
                objective = "classify"
            else:
                objective = "prefix_lm" if rng.random() < a.prefix_lm_rate else "span"
        if objective == "classify":
            inp, tgt = self.classify_example(rng)
        elif objective == "span":
            n = self.sc_raw if getattr(a, "span_lengths", "fixed") == "fixed" else int(rng.integers(16, self.sc_raw + 1))
            w = self.window(n, rng)
            mask = random_spans_noise_mask(len(w), a.noise_density, a.mean_span, rng)
            inp, tgt = span_corrupt(w, mask, self.sentinel0, self.eos)
        else:  # prefix LM: prefix of a random length, the continuation as target
            p = int(rng.integers(a.min_prefix, a.input_len))  # prefix tokens (+ eos <= input_len)
            w = self.window(p + a.target_len - 1, rng)
            inp = w[:p].tolist() + [self.eos]
            tgt = w[p:].tolist() + [self.eos]
        return objective, inp[: a.input_len], tgt[: a.target_len]

    def batch(self, rng: np.random.Generator, size: int, objective: Optional[str] = None):
        rows = [self.example(rng, objective) for _ in range(size)]
        return collate(rows, self.args.pad_to_max, self.args.input_len, self.args.target_len)


def collate(rows, pad_to_max: bool = False, input_len: int = 0, target_len: int = 0):
    ti = input_len if pad_to_max else max(len(r[1]) for r in rows)
    tt = target_len if pad_to_max else max(len(r[2]) for r in rows)
    ids = torch.zeros(len(rows), ti, dtype=torch.long)
    mask = torch.zeros(len(rows), ti, dtype=torch.long)
    labels = torch.full((len(rows), tt), -100, dtype=torch.long)
    for j, (_, inp, tgt) in enumerate(rows):
        ids[j, :len(inp)] = torch.tensor(inp)
        mask[j, :len(inp)] = 1
        labels[j, :len(tgt)] = torch.tensor(tgt)
    return ids, mask, labels


# ---------------------------------------------------------------------------------------------
# Schedule, eval, threads


class ThreadTuner:
    """Picks the faster of 1 and N threads, probing the other one for `probe` steps every `period`."""

    def __init__(self, n: int, enabled: bool, period: int = 60, probe: int = 6):
        self.best, self.other = n, (1 if n > 1 else n)
        self.enabled = enabled and n > 1
        self.period, self.probe = period, probe
        self.times: Dict[int, List[float]] = {}

    def threads_for(self, step: int) -> int:
        if self.enabled and step % self.period >= self.period - self.probe:
            return self.other
        return self.best

    def record(self, step: int, threads: int, dt: float) -> Optional[str]:
        if not self.enabled:
            return None
        phase = step % self.period
        key = "probe" if threads != self.best else "base"
        if phase in (0, self.period - self.probe):  # first step after a switch: skip (warm-up)
            return None
        if key == "base" and phase < self.period - 2 * self.probe:
            return None
        self.times.setdefault(key, []).append(dt)
        if phase == self.period - 1:  # end of the probe: compare with the steps just before it
            base, probe = np.mean(self.times.get("base", [dt])), np.mean(self.times.get("probe", [dt]))
            self.times = {}
            if probe < 0.95 * base:
                self.best, self.other = self.other, self.best
                return f"threads -> {self.best} ({probe:.2f}s vs {base:.2f}s per step)"
        return None



def lr_at(step: int, total: int, a) -> float:
    """Linear warm-up to --lr, inverse sqrt decay, linear cool-down to 0 over the last steps."""
    s = step + 1
    base = a.lr * min(s / a.warmup, math.sqrt(a.warmup / s))
    cool = max(1, int(round(a.cooldown * total)))
    return base * min(1.0, max(0.0, (total - step) / cool))


@torch.no_grad()
def evaluate(model, eval_sets, batch_size: int) -> Dict[str, float]:
    model.eval()
    out = {}
    for name, (ids, mask, labels) in eval_sets.items():
        tot, n = 0.0, 0
        for i in range(0, len(ids), batch_size):
            lab = labels[i:i + batch_size]
            logits = model(input_ids=ids[i:i + batch_size], attention_mask=mask[i:i + batch_size], labels=lab)["logits"]
            keep = lab != -100
            tot += float(F.cross_entropy(logits[keep], lab[keep], reduction="sum"))
            n += int(keep.sum())
        out[name] = tot / n
    model.train()
    return out


def objectives(a) -> Tuple[str, ...]:
    return ("span", "prefix_lm") + (("classify",) if a.classify_rate > 0 else ())


def build_eval_sets(sampler: Sampler, n: int, seed: int):
    sets = {}
    for k, obj in enumerate(objectives(sampler.args)):
        rng = np.random.default_rng([seed, 10_000_019, k])
        rows = [sampler.example(rng, obj) for _ in range(n)]
        sets[obj] = collate(rows, True, sampler.args.input_len, sampler.args.target_len)
    return sets


# ---------------------------------------------------------------------------------------------
# Fills (span corruption on held-out text), export


def demo_fills(model, sp, sentinel0: int, texts: List[str], rng: np.random.Generator, max_new: int = 24) -> List[Dict]:
    out = []
    model.eval()
    for t in texts:
        toks = np.array(sp.encode(t), dtype=np.int32)
        mask = random_spans_noise_mask(len(toks), 0.15, 3.0, rng)
        inp, tgt = span_corrupt(toks, mask, sentinel0, sp.eos_id())
        x = torch.tensor([inp])
        gen = R.greedy_generate(model, input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=max_new)[0].tolist()
        if sp.eos_id() in gen:
            gen = gen[: gen.index(sp.eos_id()) + 1]
        out.append({"input": piece_text(sp, inp, sentinel0), "target": piece_text(sp, tgt, sentinel0),
                    "output": piece_text(sp, gen, sentinel0), "input_ids": inp, "output_ids": gen})
    return out


def piece_text(sp, ids: List[int], sentinel0: int) -> str:
    """Decode ids, writing sentinels as <extra_id_i> and eos as </s>."""
    parts, run = [], []
    for i in ids:
        if i > sentinel0 - EXTRA_IDS and i <= sentinel0 or i == sp.eos_id():
            if run:
                parts.append(sp.decode(run))
                run = []
            parts.append("</s>" if i == sp.eos_id() else f"<extra_id_{sentinel0 - i}>")
        else:
            run.append(i)
    if run:
        parts.append(sp.decode(run))
    return " ".join(parts)


def export(model, cfg: R.T5Config, folder: str, model_blob: bytes, dtype: torch.dtype) -> None:
    R.save_pretrained(model, folder, dtype=dtype)
    tok, tcfg = sp_to_hf.convert(model_blob, EXTRA_IDS)
    sp_to_hf.write(tok, tcfg, folder)
    with open(os.path.join(folder, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump({"_from_model_config": True, "decoder_start_token_id": cfg.decoder_start_token_id,
                   "eos_token_id": cfg.eos_token_id, "pad_token_id": cfg.pad_token_id,
                   "transformers_version": "4.46.3"}, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_argument_group("data")
    g.add_argument("--corpus", default=os.path.join(REPO, "tools", "work", "corpus"))
    g.add_argument("--tokenizer", required=True, help="sentencepiece .model (T5 conventions, see tools/tokenizer)")
    g.add_argument("--run", required=True, help="run folder: log, checkpoint, summary")
    g.add_argument("--export", help="write the HF folder here at the end")
    g.add_argument("--init-from", help="continue pretraining: start from this HF folder's weights (its config must "
                   "match the model flags) with a fresh optimizer and schedule")
    g = ap.add_argument_group("model")
    g.add_argument("--d-model", type=int, default=256)
    g.add_argument("--d-kv", type=int, default=64)
    g.add_argument("--num-heads", type=int, default=4)
    g.add_argument("--num-layers", type=int, default=4)
    g.add_argument("--num-decoder-layers", type=int, default=None)
    g.add_argument("--d-ff", type=int, default=1024)
    g.add_argument("--buckets", type=int, default=32)
    g.add_argument("--max-distance", type=int, default=128)
    g.add_argument("--vocab-multiple", type=int, default=64, help="round vocab_size up to a multiple of this")
    g.add_argument("--dropout", type=float, default=0.0, help="dropout during pretraining (T5 v1.1: 0)")
    g.add_argument("--config-dropout", type=float, default=0.1, help="dropout_rate written to config.json")
    g = ap.add_argument_group("objective")
    g.add_argument("--input-len", type=int, default=128)
    g.add_argument("--target-len", type=int, default=32)
    g.add_argument("--prefix-lm-rate", type=float, default=0.5)
    g.add_argument("--noise-density", type=float, default=0.15)
    g.add_argument("--mean-span", type=float, default=3.0)
    g.add_argument("--min-prefix", type=int, default=8)
    g.add_argument("--classify-rate", type=float, default=0.0,
                   help="share of self-supervised classification examples (source/next/contains/keyword)")
    g.add_argument("--span-lengths", default="uniform", choices=["uniform", "fixed"],
                   help="span corruption windows: fixed = always the longest that fits --input-len (T5's "
                        "packing; the bundled mpt-t5-4m was trained so, and then treats every shorter input as "
                        "prefix LM), uniform = raw length uniform in [16, longest]")
    g.add_argument("--pad-to-max", action="store_true", help="fixed batch shapes (default: pad to the longest)")
    g = ap.add_argument_group("training")
    g.add_argument("--steps", type=int, default=3000, help="total steps (the most, with --deadline-minutes)")
    g.add_argument("--batch", type=int, default=32)
    g.add_argument("--lr", type=float, default=2e-3)
    g.add_argument("--warmup", type=int, default=200)
    g.add_argument("--cooldown", type=float, default=0.2, help="fraction of the steps with linear decay to 0")
    g.add_argument("--weight-decay", type=float, default=0.01)
    g.add_argument("--clip", type=float, default=1.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="cpu", help="cpu or cuda")
    g.add_argument("--threads", type=int, default=2, help="most CPU threads")
    g.add_argument("--adaptive-threads", action="store_true",
                   help="CPU: every 60 steps try 1 thread vs --threads for a few steps and keep the faster "
                        "(on a shared machine one thread can beat two that wait for each other)")
    g.add_argument("--deadline-minutes", type=float, default=0.0,
                   help="fit the run (incl. evals) into this wall time by changing --steps before the cool-down (0: off)")
    g.add_argument("--log-every", type=int, default=10)
    g.add_argument("--eval-every", type=int, default=200)
    g.add_argument("--eval-examples", type=int, default=256, help="per objective")
    g.add_argument("--ckpt-every", type=int, default=100)
    g.add_argument("--export-dtype", default="float32", choices=["float32", "float16"])
    g.add_argument("--benchmark", type=int, default=0, help="only time this many steps and exit")
    return ap.parse_args(argv)


def main(argv=None) -> None:
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    os.makedirs(a.run, exist_ok=True)
    with open(a.tokenizer, "rb") as f:
        blob = f.read()
    sp = spm.SentencePieceProcessor(model_proto=blob)
    n_tok = sp.get_piece_size() + EXTRA_IDS
    sentinel0 = n_tok - 1  # <extra_id_0> has the last id (sp_to_hf / HF T5Converter)
    vocab = a.vocab_multiple * math.ceil(n_tok / a.vocab_multiple)

    t0 = time.time()
    train = tokenize_split(sp, os.path.join(a.corpus, "train"), os.path.join(a.run, "cache"), blob)
    held = tokenize_split(sp, os.path.join(a.corpus, "heldout"), os.path.join(a.run, "cache"), blob)
    ntrain = sum(len(v) for v in train.values())
    print(f"tokens: train {ntrain:,} ({', '.join(f'{k} {len(v):,}' for k, v in train.items())}); "
          f"heldout {sum(len(v) for v in held.values()):,}; {time.time() - t0:.1f}s", flush=True)
    sampler = Sampler(train, a, sentinel0, sp.eos_id(), sp)
    eval_sets = build_eval_sets(Sampler(held, a, sentinel0, sp.eos_id(), sp), a.eval_examples, a.seed)

    cfg = R.T5Config(vocab_size=vocab, d_model=a.d_model, d_kv=a.d_kv, d_ff=a.d_ff, num_layers=a.num_layers,
                     num_decoder_layers=a.num_decoder_layers, num_heads=a.num_heads,
                     relative_attention_num_buckets=a.buckets, relative_attention_max_distance=a.max_distance,
                     dropout_rate=a.dropout, feed_forward_proj="gated-gelu", tie_word_embeddings=False)
    model = R.T5ForConditionalGeneration(cfg)
    R.init_weights(model, seed=a.seed)
    with torch.no_grad():  # Mesh TF inits the untied output layer like any dense layer, not like an embedding
        g = torch.Generator().manual_seed(a.seed + 1)
        model.lm_head.weight.copy_(torch.randn(model.lm_head.weight.shape, generator=g) * cfg.d_model ** -0.5)
    if a.init_from:
        model.load_state_dict(R.from_pretrained(a.init_from).state_dict())
    model.to(dev).train()
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "relative_attention_bias" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "relative_attention_bias" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.98), eps=1e-8)

    ckpt_path = os.path.join(a.run, "ckpt.pt")
    log_path = os.path.join(a.run, "log.jsonl")
    step, total, elapsed0, tokens = 0, a.steps, 0.0, {"input": 0, "target": 0}
    schedule_changes: List[Dict] = []
    if os.path.exists(ckpt_path) and not a.benchmark:
        ck = torch.load(ckpt_path, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, total, elapsed0, tokens = ck["step"], ck["total"], ck["elapsed"], ck["tokens"]
        schedule_changes = ck.get("schedule_changes", [])
        print(f"resumed at step {step}/{total} ({elapsed0 / 60:.1f} min so far)", flush=True)
    elif not a.benchmark:
        open(log_path, "w").close()
    print(f"model: {n_params:,} params; vocab {vocab} ({n_tok} tokens); cfg {cfg.to_hf_dict()}", flush=True)

    def log(obj):
        if a.benchmark:
            return
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(obj) + "\n")

    def save_ckpt():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "total": total,
                    "elapsed": elapsed(), "tokens": tokens, "schedule_changes": schedule_changes,
                    "args": vars(a)}, tmp)
        os.replace(tmp, ckpt_path)

    start = time.time()
    elapsed = lambda: elapsed0 + time.time() - start  # noqa: E731
    recent: List[float] = []
    eval_time = []
    if step == 0 and not a.benchmark:
        te = time.time()
        ev = evaluate(model, eval_sets, a.batch)
        eval_time.append(time.time() - te)
        log({"type": "eval", "step": 0, "elapsed": elapsed(), **{f"heldout_{k}": v for k, v in ev.items()}})
        print(f"step 0 heldout {ev} ({eval_time[-1]:.1f}s)", flush=True)
    run_loss = {k: [] for k in objectives(a)}
    tuner = ThreadTuner(a.threads, a.adaptive_threads and dev.type == "cpu")
    while step < total:
        threads = tuner.threads_for(step)
        if threads != torch.get_num_threads():
            torch.set_num_threads(threads)
        ts = time.time()
        rng = np.random.default_rng([a.seed, step])
        rows = [sampler.example(rng) for _ in range(a.batch)]
        ids, mask, labels = collate(rows, a.pad_to_max, a.input_len, a.target_len)
        ids, mask, labels = ids.to(dev), mask.to(dev), labels.to(dev)
        lr = lr_at(step, total, a)
        for grp in opt.param_groups:
            grp["lr"] = lr
        logits = model(input_ids=ids, attention_mask=mask, labels=labels)["logits"]
        keep = labels != -100
        tok_loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                   ignore_index=-100, reduction="none").view(labels.shape)
        loss = tok_loss.sum() / keep.sum()  # = HF's loss (mean over all label tokens of the batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip))
        opt.step()
        with torch.no_grad():
            per_row = (tok_loss.sum(1) / keep.sum(1).clamp(min=1)).tolist()
        for (obj, _, _), l in zip(rows, per_row):
            run_loss[obj].append(l)
        tokens["input"] += int(mask.sum())
        tokens["target"] += int(keep.sum())
        msg = tuner.record(step, threads, time.time() - ts)
        if msg:
            print(msg, flush=True)
            log({"type": "threads", "step": step, "message": msg})
        step += 1
        recent.append(time.time() - ts)
        recent = recent[-50:]
        if a.benchmark:
            print(f"step {step}: {recent[-1]:.2f}s loss {float(loss):.3f}", flush=True)
            if step >= a.benchmark:
                med = float(np.median(recent[1:] if len(recent) > 1 else recent))
                print(f"median step {med:.3f}s; {n_params:,} params", flush=True)
                return
            continue
        if step % a.log_every == 0 or step == total:
            rec = {"type": "train", "step": step, "elapsed": elapsed(), "lr": lr, "loss": float(loss),
                   "grad_norm": gnorm, "threads": threads, "step_time": float(np.mean(recent)), "tokens": dict(tokens)}
            for k, v in run_loss.items():
                if v:
                    rec[f"train_{k}"] = float(np.mean(v))
            run_loss = {k: [] for k in objectives(a)}
            log(rec)
            print(f"step {step}/{total} loss {float(loss):.3f} span {rec.get('train_span', float('nan')):.3f} "
                  f"plm {rec.get('train_prefix_lm', float('nan')):.3f} cls {rec.get('train_classify', float('nan')):.3f} lr {lr:.2e} gn {gnorm:.2f} "
                  f"{rec['step_time']:.2f}s/step {elapsed() / 60:.1f}min", flush=True)
        if step % a.eval_every == 0 or step == total:
            te = time.time()
            ev = evaluate(model, eval_sets, a.batch)
            eval_time.append(time.time() - te)
            log({"type": "eval", "step": step, "elapsed": elapsed(), **{f"heldout_{k}": v for k, v in ev.items()}})
            print(f"step {step} heldout {ev} ({eval_time[-1]:.1f}s)", flush=True)
        # Fit the deadline: choose the total so that the remaining steps and evals end in time.
        cool = max(1, int(round(a.cooldown * total)))
        if a.deadline_minutes > 0 and step >= 20 and step % 10 == 0 and step < total - cool:
            per_step = float(np.mean(recent)) + (np.mean(eval_time) if eval_time else 0.0) / a.eval_every
            remaining = a.deadline_minutes * 60 - elapsed() - 30  # leave time for the final eval
            fit = min(a.steps, step + int(remaining / per_step))
            if fit != total and abs(fit - total) > max(5, 0.01 * total):
                schedule_changes.append({"step": step, "from": total, "to": fit, "per_step": per_step})
                log({"type": "schedule", "step": step, "from": total, "to": fit, "per_step": per_step})
                print(f"deadline: total steps {total} -> {fit} ({per_step:.2f}s/step)", flush=True)
                total = max(fit, step + 1)
        if step % a.ckpt_every == 0 or step == total:
            save_ckpt()

    if a.benchmark:
        return
    model.eval()
    ev = evaluate(model, eval_sets, a.batch)
    held_lines = []
    for k in sorted(glob.glob(os.path.join(a.corpus, "heldout", "*.txt"))):
        with open(k, encoding="utf-8") as f:
            held_lines += [l.strip() for l in f if 60 <= len(l.strip()) <= 200][:2]
    fills = demo_fills(model, sp, sentinel0, held_lines, np.random.default_rng([a.seed, 77]))
    summary = {"params": n_params, "config": cfg.to_hf_dict(), "steps": step, "schedule_changes": schedule_changes,
               "tokens_seen": tokens, "elapsed_s": elapsed(), "heldout": ev, "args": vars(a),
               "torch": torch.__version__, "threads": torch.get_num_threads(), "fills": fills}
    with open(os.path.join(a.run, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
    for fl in fills:
        print(f"IN : {fl['input']}\nOUT: {fl['output']}\nREF: {fl['target']}\n", flush=True)
    if a.export:
        model.config.dropout_rate = a.config_dropout
        export(model.cpu().float(), model.config, a.export, blob,
               torch.float16 if a.export_dtype == "float16" else torch.float32)
        print(f"exported {a.export}", flush=True)


if __name__ == "__main__":
    main()
