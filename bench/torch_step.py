#!/usr/bin/env python3
"""The training-step benchmark in PyTorch on this CPU: the same steps as bench/suites/step.ts.

Stage 1 (prompt tuning): a soft prompt [l, d] in front of every row, the frozen T5
(tools/t5/reference.py) forward with teacher forcing, token cross-entropy, backward to the
prompt only, gradient-norm clipping and an Adam step. Stage 2 (distillation): the K teachers'
forward pass without gradients, then the student with P_k = P* * (U_k V_k^T) (rank 1): loss =
CE + KL(teacher || student) + MSE of the encoder states, backward to P*, U, V, Adam.

The model is in eval mode (no dropout: the TF.js model has none) and every weight has
requires_grad False, so backward computes activation gradients only, like TF.js.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_step.py --config '{"d_model": 64, ...}' \
        --batch 8 --input-len 64 --target-len 8 --prompt-len 24 --tasks 6 [--weights DIR]

Prints one JSON object: {"runs": [{"kind", "timing": {"medianMs", ...}, "examplesPerSecond"}], "torch": {...}}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "t5"))
import reference as R  # noqa: E402


def build_model(config: dict, weights: str | None, seed: int) -> R.T5ForConditionalGeneration:
    if weights:
        model = R.from_pretrained(weights)
    else:
        model = R.T5ForConditionalGeneration(R.T5Config.from_dict(config))
        R.init_weights(model, seed=seed)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def random_ids(g: torch.Generator, rows: int, length: int, vocab: int) -> torch.Tensor:
    """Ids in [3, vocab - 100) (no pad/eos/unk, no sentinels), each row ending in </s> (1)."""
    ids = torch.randint(3, max(4, vocab - 100), (rows, length), generator=g)
    ids[:, -1] = 1
    return ids


def encode_with_prompt(model, prompts: torch.Tensor, input_ids: torch.Tensor):
    """prompts [B, l, d] in front of the embedded inputs; every position attended."""
    emb = model.shared(input_ids)
    x = torch.cat([prompts, emb], dim=1)
    mask = torch.ones(x.shape[:2])
    return model.encode(inputs_embeds=x, attention_mask=mask), mask


def make_steps(model, a):
    cfg = model.config
    g = torch.Generator().manual_seed(1)
    B, l, d, K = a.batch, a.prompt_len, cfg.d_model, a.tasks
    input_ids = random_ids(g, B, a.input_len, cfg.vocab_size)
    labels = random_ids(g, B, a.target_len, cfg.vocab_size)
    dec_ids = R.shift_right(labels, cfg.decoder_start_token_id, cfg.pad_token_id)
    V = cfg.vocab_size

    def finish(loss: torch.Tensor, params, opt) -> float:
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    # Stage 1: one prompt, initialised from vocabulary embeddings.
    prompt = torch.nn.Parameter(model.shared.weight[torch.randint(3, min(5000, V - 103), (l,), generator=g)].clone())
    opt1 = torch.optim.Adam([prompt], lr=0.3)

    def prompt_tuning() -> float:
        enc, mask = encode_with_prompt(model, prompt[None].expand(B, -1, -1), input_ids)
        logits = model.decode(dec_ids, enc, mask)
        return finish(F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1)), [prompt], opt1)

    # Stage 2: K teachers, P* = their mean, U V^T = 1; row i belongs to task i mod K.
    teachers = torch.randn(K, l, d, generator=g) * 0.5
    shared = torch.nn.Parameter(teachers.mean(0))
    u = torch.nn.Parameter(torch.ones(K, l, 1))
    v = torch.nn.Parameter(torch.ones(K, d, 1))
    opt2 = torch.optim.Adam([{"params": [shared], "lr": 0.3}, {"params": [u, v], "lr": 0.05}])
    task = torch.arange(B) % K

    def distillation() -> float:
        with torch.no_grad():
            t_enc, mask = encode_with_prompt(model, teachers[task], input_ids)
            t_logits = model.decode(dec_ids, t_enc, mask)
        composed = shared[None] * (u @ v.transpose(1, 2))  # [K, l, d]
        enc, mask = encode_with_prompt(model, composed[task], input_ids)
        logits = model.decode(dec_ids, enc, mask)
        ce = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1))
        t_log = F.log_softmax(t_logits, -1)
        kl = (t_log.exp() * (t_log - F.log_softmax(logits, -1))).sum(-1).mean()
        hidden = ((enc - t_enc) ** 2).mean(-1).mean()
        return finish(ce + 1.0 * (kl + hidden), [shared, u, v], opt2)

    return {"prompt-tuning": prompt_tuning, "distillation": distillation}


def time_steps(step, warmup: int, reps: int, budget_s: float | None) -> list[float]:
    for _ in range(warmup):
        step()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < max(1, reps):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
        if budget_s is not None and time.perf_counter() - started > budget_s:
            break
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="HF config.json fields as JSON text, or a path to config.json")
    p.add_argument("--weights", help="folder with model.safetensors (else random weights, HF init)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--input-len", type=int, required=True)
    p.add_argument("--target-len", type=int, required=True)
    p.add_argument("--prompt-len", type=int, required=True)
    p.add_argument("--tasks", type=int, default=6)
    p.add_argument("--kinds", default="prompt-tuning,distillation")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--budget-s", type=float, default=None)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    config = json.load(open(a.config)) if os.path.exists(a.config) else json.loads(a.config)
    model = build_model(config, a.weights, a.seed)
    steps = make_steps(model, a)
    runs = []
    for kind in a.kinds.split(","):
        samples = time_steps(steps[kind], a.warmup, a.reps, a.budget_s)
        med = statistics.median(samples)
        runs.append({
            "kind": kind,
            "timing": {"medianMs": med, "minMs": min(samples), "maxMs": max(samples), "samples": samples},
            "examplesPerSecond": a.batch / med * 1000,
        })
    with open("/proc/self/maps") as f:  # which BLAS library the process really loaded
        blas = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    print(json.dumps({
        "runs": runs,
        "torch": {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas},
    }))


if __name__ == "__main__":
    main()
