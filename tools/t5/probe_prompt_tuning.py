"""How prompt-tunable is a checkpoint? Plain prompt tuning of one built-in task in PyTorch.

An independent check of the TypeScript engine (same recipe: l soft prompt rows initialised from
sampled vocabulary embeddings, Adam, linear warm-up, gradient clipping, L_PLM = mean cross-entropy
over label tokens, rank classification over the verbalizers), and a fast way to tell whether a
pretrained model is good enough before running the whole pipeline in the browser engine.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/t5/probe_prompt_tuning.py \
      --model public/models/mpt-t5-4m --spm tools/work/tok/spiece.model --task spam --steps 300

Prints the validation accuracy every --eval-every steps and a JSON line at the end.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import sentencepiece as spm
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def pad(rows, value):
    n = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (n - len(r)) for r in rows])


class Task:
    def __init__(self, sp, name, max_input, n_train, n_eval):
        folder = os.path.join(REPO, "public", "tasks", name)
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        eos = sp.eos_id()
        enc = lambda t: sp.encode(self.manifest["template"].replace("{input}", t))[: max_input - 1] + [eos]  # noqa: E731
        labels = [l["verbalizer"] for l in self.manifest["labels"]]  # a row's "label" is its verbalizer
        self.verbalizers = [sp.encode(v) + [eos] for v in labels]
        split = lambda s, n: [(enc(r["input"]), labels.index(r["label"])) for r in read_jsonl(  # noqa: E731
            os.path.join(folder, self.manifest["splits"][s]["file"]))[:n]]
        self.train, self.validation = split("train", n_train), split("validation", n_eval)


def batch_inputs(model, rows, prompt):
    ids = pad([r[0] for r in rows], 0)
    return R.prepend_prompt(model, ids, (ids != 0).long(), prompt)


def accuracy(model, task, prompt, batch):
    right = 0
    with torch.no_grad():
        for i in range(0, len(task.validation), batch):
            rows = task.validation[i:i + batch]
            emb, mask = batch_inputs(model, rows, prompt)
            enc = model.encode(inputs_embeds=emb, attention_mask=mask)
            scores = []
            for v in task.verbalizers:
                lab = torch.tensor([v] * len(rows))
                logp = F.log_softmax(model.decode(R.shift_right(lab), enc, mask), -1)
                scores.append(logp.gather(-1, lab[..., None])[..., 0].sum(-1))
            pred = torch.stack(scores, 1).argmax(1)
            right += int((pred == torch.tensor([r[1] for r in rows])).sum())
    return right / len(task.validation)


def readout_accuracy(model, task, batch, through_encoder=True, steps=500):
    """Logistic regression on the frozen encoder's mean-pooled output (or, without the encoder, on
    the mean of the input embeddings); no prompt, no decoder."""
    def features(rows):
        out = []
        with torch.no_grad():
            for i in range(0, len(rows), batch):
                ids = pad([r[0] for r in rows[i:i + batch]], 0)
                mask = (ids != 0).long()
                h = model.encode(input_ids=ids, attention_mask=mask) if through_encoder else model.shared(ids)
                out.append((h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True))
        return torch.cat(out)
    x_train, x_val = features(task.train), features(task.validation)
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    y_train = torch.tensor([r[1] for r in task.train])
    linear = torch.nn.Linear(x_train.shape[1], len(task.verbalizers))
    opt = torch.optim.Adam(linear.parameters(), lr=1e-2, weight_decay=1e-3)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(linear(x_train), y_train).backward()
        opt.step()
    pred = linear(x_val).argmax(1)
    return float((pred == torch.tensor([r[1] for r in task.validation])).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="HF folder (config.json + model.safetensors)")
    ap.add_argument("--spm", required=True, help="the model's sentencepiece .model")
    ap.add_argument("--task", required=True, help="a folder name in public/tasks")
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--init", default="vocab", choices=["vocab", "labels"],
                    help="sampled vocabulary rows, or the verbalizers' token rows first (Lester et al.'s class-label "
                         "init), then sampled rows")
    ap.add_argument("--tune", default="prompt", choices=["prompt", "model", "readout", "embedding-readout"],
                    help="train only the soft prompt (frozen model); every weight too (model tuning: the upper bound "
                         "that tells a weak model from a hard prompt-tuning problem; --lr applies to the prompt, "
                         "--model-lr to the weights); readout: a linear classifier on the frozen encoder's "
                         "mean-pooled output, no prompt (does the encoder carry the label at all?); embedding-readout: "
                         "the same on the mean of the input embeddings, before the encoder")
    ap.add_argument("--model-lr", type=float, default=1e-3)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.3)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--max-input", type=int, default=128)
    ap.add_argument("--train-examples", type=int, default=1000)
    ap.add_argument("--eval-examples", type=int, default=100)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    sp = spm.SentencePieceProcessor(model_file=a.spm)
    model = R.from_pretrained(a.model)
    for p in model.parameters():
        p.requires_grad_(a.tune == "model")
    task = Task(sp, a.task, a.max_input, a.train_examples, a.eval_examples)
    if a.tune in ("readout", "embedding-readout"):
        acc = readout_accuracy(model, task, 32, through_encoder=a.tune == "readout")
        print(f"readout validation accuracy {acc:.3f}")
        print(json.dumps({"task": a.task, "model": a.model, "args": vars(a), "readout_accuracy": acc}))
        return
    rows = rng.integers(3, sp.get_piece_size(), a.prompt_len)
    if a.init == "labels":
        label_ids = [t for v in task.verbalizers for t in v[:-1]][: a.prompt_len]
        rows[: len(label_ids)] = label_ids
    vocab_rows = torch.from_numpy(rows)
    prompt = torch.nn.Parameter(model.shared.weight[vocab_rows].clone())
    groups = [{"params": [prompt], "lr": a.lr}]
    if a.tune == "model":
        groups.append({"params": list(model.parameters()), "lr": a.model_lr})
    opt = torch.optim.Adam(groups)
    base_lrs = [g["lr"] for g in opt.param_groups]

    history = [{"step": 0, "accuracy": accuracy(model, task, prompt, 32)}]
    print(f"step 0 validation accuracy {history[0]['accuracy']:.3f}", flush=True)
    t0, losses = time.time(), []
    for step in range(1, a.steps + 1):
        for g, lr in zip(opt.param_groups, base_lrs):
            g["lr"] = lr * min(1.0, step / max(1, a.warmup))
        rows = [task.train[i] for i in rng.integers(0, len(task.train), a.batch)]
        emb, mask = batch_inputs(model, rows, prompt)
        labels = pad([task.verbalizers[r[1]] for r in rows], -100)
        loss = model(inputs_embeds=emb, attention_mask=mask, labels=labels)["loss"]
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], a.clip)
        opt.step()
        losses.append(float(loss))
        if step % a.eval_every == 0 or step == a.steps:
            acc = accuracy(model, task, prompt, 32)
            history.append({"step": step, "accuracy": acc, "loss": float(np.mean(losses[-a.eval_every:]))})
            print(f"step {step} loss {history[-1]['loss']:.3f} validation accuracy {acc:.3f} "
                  f"({time.time() - t0:.0f}s)", flush=True)
    print(json.dumps({"task": a.task, "model": a.model, "args": vars(a), "history": history}))


if __name__ == "__main__":
    main()
