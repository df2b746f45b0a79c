#!/usr/bin/env python3
"""Plots bench/results.json (written by `npm run bench`): step time against K, l, B and L, the
composition's cost per kernel against K, and tensor bytes over the memory run's steps.

    /usr/bin/python3 bench/plot.py bench/results.json bench/scaling.png

Needs Debian's python3-matplotlib (apt-get install -y python3-matplotlib).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {"tasks": "tasks K", "promptLen": "prompt length l", "batch": "batch size B", "inputLen": "input length L"}


def main(src: str, dst: str) -> None:
    r = json.load(open(src))
    points = r.get("scaling", [])
    memory = r.get("memory", [])
    if not points and not memory:
        sys.exit("nothing to plot: no scaling or memory results")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    fig.suptitle(f"MPT playground, stage-2 training step on wasm ({r.get('scalingModel', '')}); {r['date'][:10]}", fontsize=10)
    for ax, dim in zip(axes.flat[:4], NAMES):
        pts = sorted((p["value"], p["stepMs"]) for p in points if p["dim"] == dim)
        if pts:
            ax.plot([x for x, _ in pts], [y for _, y in pts], "o-")
        ax.set_xlabel(NAMES[dim])
        ax.set_ylabel("ms / step")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    ax = axes.flat[4]
    ks = sorted((p["value"], p["composeMs"], p["composeDispatches"]) for p in points if p["dim"] == "tasks" and "composeMs" in p)
    if ks:
        ax.plot([k for k, _, _ in ks], [m / n for k, m, n in ks], "o-", label="wasm, model's d and l: ms per kernel")
        ax.plot([k for k, _, _ in ks], [m for k, m, _ in ks], "s--", label="wasm: ms, all kernels")
        ax2 = ax.twinx()
        ax2.plot([k for k, _, _ in ks], [n for _, _, n in ks], "^:", color="gray", label="kernels")
        webgpu = [k["fusedDispatches"] for k in r.get("kernels", []) if k["backend"] == "webgpu"]
        if webgpu:
            ax2.plot(sorted({k["K"] for k in r["kernels"]}), [webgpu[0]] * len({k["K"] for k in r["kernels"]}), "v:", color="silver")
        ax2.set_ylabel("kernels (gray: wasm, silver: webgpu)")
        ax2.set_ylim(0, max(n for _, _, n in ks) * 2)
        ax.legend(loc="upper left", fontsize=8)
    for d in sorted({k["d"] for k in r.get("kernels", []) if k["backend"] == "webgpu"}):
        rows = sorted((k["K"], k["fused"]["medianMs"] / k["fusedDispatches"]) for k in r["kernels"] if k["backend"] == "webgpu" and k["d"] == d)
        ax.plot([k for k, _ in rows], [m for _, m in rows], ".-", lw=0.8, label=f"webgpu fused, d={d}, l=100: ms per dispatch")
    if any(k["backend"] == "webgpu" for k in r.get("kernels", [])):
        ax.legend(loc="lower right", fontsize=6)
    ax.set_xlabel("tasks K")
    ax.set_ylabel("composition fwd + bwd, ms (log)")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax = axes.flat[5]
    for m in memory:
        s = m["series"]
        ax.plot([x["step"] for x in s], [x["numBytes"] / 2**20 for x in s], label=f"{m['backend']} {m['kind']}")
    ax.set_xlabel("step (tiny model)")
    ax.set_ylabel("tf.memory().numBytes, MiB")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if memory:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
