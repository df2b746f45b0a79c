"""How far the distilled source prompts are from P*: one row per source task of a runner's
vectors.safetensors (stage 2 with its teachers).

    python3 tools/mpt/inspect_vectors.py results/l64-spam-loo-stage2/vectors.safetensors [variant]

Stage 3 starts a target at u vᵀ = 1, i.e. at P* itself; this shows whether P* resembles any
source prompt P̂_k = P* ⊙ (u_k v_kᵀ) (scale and direction), and how close each student prompt is
to its teacher (distillation matches outputs and hidden states, not the prompt).
"""

from __future__ import annotations

import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "t5"))
from safetensors_io import load_file  # noqa: E402


def rms(x: torch.Tensor) -> float:
    return x.pow(2).mean().sqrt().item()


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0).item()


def main() -> None:
    path = sys.argv[1]
    variant = sys.argv[2] if len(sys.argv) > 2 else "mpt"
    vectors = load_file(path)
    shared = vectors[f"{variant}.shared_prompt"]  # [l, d]
    source_u = vectors[f"{variant}.source_u"]  # [K, l, r]
    source_v = vectors[f"{variant}.source_v"]  # [K, d, r]
    # The runner writes teachers and source vectors in the order of the config's sources.
    tasks = [name[len("teacher."):] for name in vectors if name.startswith("teacher.")]
    print(f"P*: rms {rms(shared):.2f}\n")
    print("| source | u vᵀ mean | u vᵀ std | u vᵀ min / max | rms P̂_k | cos(P̂_k, P*) | cos(P̂_k, teacher) | rms teacher |")
    print("|---|---|---|---|---|---|---|---|")
    for k, task in enumerate(tasks):
        scale = source_u[k] @ source_v[k].T  # [l, d]
        student = shared * scale
        teacher = vectors[f"teacher.{task}"]
        print(f"| {task} | {scale.mean():.2f} | {scale.std():.2f} | {scale.min():.2f} / {scale.max():.2f} "
              f"| {rms(student):.2f} | {cosine(student, shared):.2f} | {cosine(student, teacher):.2f} | {rms(teacher):.2f} |")


if __name__ == "__main__":
    main()
