"""Self-checks for safetensors_io, reference and the committed fixtures.

    cd /work/main && OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m unittest discover -s tools/t5 -p 'test_*.py' -v

The fixture tests compare the committed golden.json with (a) the vectorised reference and (b) a
deliberately naive numpy re-implementation (explicit loops over heads and positions, a pure-Python
bucket function), and check internal consistency (rank scores vs the forward's log-softmax,
greedy outputs vs teacher forcing, padding invariance). The JS tokenizer check needs node.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import sys
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "tests", "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "tokenizer"))

import reference as R  # noqa: E402
import safetensors_io as S  # noqa: E402

MODELS = ["t5-tiny-relu", "t5-tiny-gated"]


# ---------------------------------------------------------------------------------------------
# safetensors


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        g = torch.Generator().manual_seed(0)
        self.tensors = {
            "b.weight": torch.randn(3, 5, generator=g),
            "a.weight": torch.randn(7, generator=g).half(),
            "c": torch.randn(2, 2, 2, generator=g).bfloat16(),
            "d": torch.arange(6, dtype=torch.int64).reshape(2, 3),
            "scalar": torch.tensor(1.5),
            "empty": torch.zeros(0, 4),
        }
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_layout(self):
        blob = S.serialize(self.tensors, {"format": "pt"})
        (n,) = struct.unpack("<Q", blob[:8])
        self.assertEqual(n % 8, 0)
        raw = blob[8:8 + n].decode("utf-8")
        self.assertEqual(raw, raw.rstrip(" ") + " " * (len(raw) - len(raw.rstrip(" "))))  # space padding only
        self.assertTrue(raw.startswith('{"__metadata__":{"format":"pt"},'))
        header = json.loads(raw)
        names = [k for k in header if k != "__metadata__"]
        # Rust crate order: descending dtype (I64 > F32 > BF16 > F16), then name
        self.assertEqual(names, ["d", "b.weight", "empty", "scalar", "c", "a.weight"])
        pos = 0
        for k in names:
            info = header[k]
            self.assertEqual(list(info), ["dtype", "shape", "data_offsets"])
            self.assertEqual(info["data_offsets"][0], pos)
            pos = info["data_offsets"][1]
        self.assertEqual(8 + n + pos, len(blob))
        # bytes of one tensor, little-endian
        b0, b1 = header["b.weight"]["data_offsets"]
        self.assertEqual(blob[8 + n + b0: 8 + n + b1], self.tensors["b.weight"].numpy().astype("<f4").tobytes())
        c0, c1 = header["c"]["data_offsets"]
        self.assertEqual(blob[8 + n + c0: 8 + n + c1], self.tensors["c"].view(torch.int16).numpy().astype("<i2").tobytes())

    def test_round_trip(self):
        path = os.path.join(self.tmp, "x.safetensors")
        S.save_file(self.tensors, path, {"format": "pt"})
        back = S.load_file(path)
        self.assertEqual(set(back), set(self.tensors))
        for k, v in self.tensors.items():
            self.assertEqual(back[k].dtype, v.dtype, k)
            self.assertTrue(torch.equal(back[k], v), k)
        self.assertEqual(S.read_header(path)[1], {"format": "pt"})

    def test_hand_written_file(self):
        # Built by hand from the spec, independently of serialize().
        header = b'{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"y":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}'
        header += b" " * (-len(header) % 8)
        data = np.array([1.0, -2.5], dtype="<f2").tobytes() + struct.pack("<H", 0x3FC0)  # bf16 1.5
        out, meta = S.deserialize(struct.pack("<Q", len(header)) + header + data)
        self.assertEqual(meta, {})
        self.assertEqual(out["x"].tolist(), [1.0, -2.5])
        self.assertEqual(out["y"].dtype, torch.bfloat16)
        self.assertEqual(out["y"].float().tolist(), [1.5])

    def test_rejects_bad_offsets(self):
        header = b'{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}'
        with self.assertRaises(ValueError):
            S.deserialize(struct.pack("<Q", len(header)) + header + b"\0" * 4)

    def test_sharded(self):
        sd = {f"layer.{i}.weight": torch.full((4, 4), float(i)) for i in range(5)}  # 64 bytes each
        files = S.save_sharded(sd, self.tmp, max_shard_bytes=150)
        self.assertEqual(files, ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                                 "model-00003-of-00003.safetensors"])
        with open(os.path.join(self.tmp, S.INDEX_FILE)) as f:
            index = json.load(f)
        self.assertEqual(index["metadata"], {"total_size": 5 * 64})
        self.assertEqual(index["weight_map"]["layer.0.weight"], files[0])
        self.assertEqual(index["weight_map"]["layer.4.weight"], files[2])
        back = S.load_folder(self.tmp)
        for k, v in sd.items():
            self.assertTrue(torch.equal(back[k], v))
        for fname in files:
            self.assertEqual(S.read_header(os.path.join(self.tmp, fname))[1], {"format": "pt"})

    def test_single_shard_is_plain_file(self):
        d = os.path.join(self.tmp, "one")
        self.assertEqual(S.save_sharded({"x": torch.ones(2)}, d, max_shard_bytes=1 << 20), ["model.safetensors"])
        self.assertFalse(os.path.exists(os.path.join(d, S.INDEX_FILE)))


# ---------------------------------------------------------------------------------------------
# Reference model: structure


class StructureTest(unittest.TestCase):
    def test_names_and_shapes(self):
        cfg = R.T5Config(vocab_size=40, d_model=16, d_kv=4, d_ff=24, num_heads=3, num_layers=2,
                         num_decoder_layers=3, feed_forward_proj="gated-gelu", tie_word_embeddings=False)
        sd = R.T5ForConditionalGeneration(cfg).state_dict()
        self.assertEqual(tuple(sd["shared.weight"].shape), (40, 16))
        self.assertEqual(tuple(sd["encoder.block.1.layer.0.SelfAttention.q.weight"].shape), (12, 16))
        self.assertEqual(tuple(sd["decoder.block.2.layer.1.EncDecAttention.o.weight"].shape), (16, 12))
        self.assertEqual(tuple(sd["decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"].shape), (32, 3))
        self.assertEqual(tuple(sd["decoder.block.2.layer.2.DenseReluDense.wi_1.weight"].shape), (24, 16))
        self.assertEqual(tuple(sd["lm_head.weight"].shape), (40, 16))
        self.assertEqual([k for k in sd if "relative_attention_bias" in k],
                         ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                          "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"])
        self.assertEqual(len(sd), 1 + 2 * 9 + 1 + 1 + 3 * 14 + 1 + 1 + 1)
        tied = R.T5ForConditionalGeneration(R.T5Config(vocab_size=40, d_model=16, d_kv=4, d_ff=24, num_heads=2,
                                                       num_layers=1)).state_dict()
        self.assertNotIn("lm_head.weight", tied)
        self.assertIn("encoder.block.0.layer.1.DenseReluDense.wi.weight", tied)

    def test_config_json(self):
        for name, gated in (("t5-tiny-relu", False), ("t5-tiny-gated", True)):
            with open(os.path.join(FIXTURES, name, "config.json")) as f:
                c = json.load(f)
            self.assertEqual(c["model_type"], "t5")
            self.assertEqual(c["architectures"], ["T5ForConditionalGeneration"])
            self.assertEqual(c["is_gated_act"], gated)
            self.assertEqual(c["dense_act_fn"], "gelu_new" if gated else "relu")
            self.assertEqual(c["tie_word_embeddings"], not gated)
            self.assertEqual(c["num_decoder_layers"], 3 if gated else 2)
            self.assertEqual(c["vocab_size"] % 8, 0)
            with open(os.path.join(FIXTURES, name, "tokenizer.json")) as f:
                self.assertGreater(c["vocab_size"], len(json.load(f)["model"]["vocab"]))


# ---------------------------------------------------------------------------------------------
# An independent, naive float64 forward pass (numpy, explicit loops)


def _bucket(rel: int, bidirectional: bool, num_buckets: int, max_distance: int) -> int:
    b = 0
    if bidirectional:
        num_buckets //= 2
        if rel > 0:
            b = num_buckets
        n = abs(rel)
    else:
        n = max(-rel, 0)
    exact = num_buckets // 2
    if n < exact:
        return b + n
    v = exact + int(math.log(n / exact) / math.log(max_distance / exact) * (num_buckets - exact))
    return b + min(v, num_buckets - 1)


class NaiveT5:
    def __init__(self, folder: str):
        with open(os.path.join(folder, "config.json")) as f:
            self.c = json.load(f)
        self.w = {k: v.double().numpy() for k, v in S.load_folder(folder).items()}

    def rms(self, x, name):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.c["layer_norm_epsilon"]) * self.w[name]

    def attention(self, x, kv, prefix, mask, bias_table, bidirectional):
        """x [Tq, d], kv [Tk, d]; mask[i][j] = may query i see key j; bias_table None = no position bias."""
        H, dk = self.c["num_heads"], self.c["d_kv"]
        q, k, v = x @ self.w[prefix + "q.weight"].T, kv @ self.w[prefix + "k.weight"].T, kv @ self.w[prefix + "v.weight"].T
        out = np.zeros((x.shape[0], H * dk))
        for h in range(H):
            sl = slice(h * dk, (h + 1) * dk)
            for i in range(x.shape[0]):
                s = np.array([q[i, sl] @ k[j, sl] for j in range(kv.shape[0])])
                if bias_table is not None:
                    s = s + np.array([bias_table[_bucket(j - i, bidirectional, self.c["relative_attention_num_buckets"],
                                                         self.c["relative_attention_max_distance"]), h]
                                      for j in range(kv.shape[0])])
                s = np.where(mask[i], s, -np.inf)
                p = np.exp(s - s.max())
                out[i, sl] = (p / p.sum()) @ v[:, sl]
        return out @ self.w[prefix + "o.weight"].T

    def ff(self, x, prefix):
        if self.c["is_gated_act"]:
            a = x @ self.w[prefix + "wi_0.weight"].T
            a = 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
            return (a * (x @ self.w[prefix + "wi_1.weight"].T)) @ self.w[prefix + "wo.weight"].T
        return np.maximum(x @ self.w[prefix + "wi.weight"].T, 0) @ self.w[prefix + "wo.weight"].T

    def encode(self, emb, keep):
        T = emb.shape[0]
        mask = np.array([[bool(keep[j]) for j in range(T)] for _ in range(T)])
        table = self.w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        x = emb
        for i in range(self.c["num_layers"]):
            p = f"encoder.block.{i}.layer."
            x = x + self.attention(self.rms(x, p + "0.layer_norm.weight"), self.rms(x, p + "0.layer_norm.weight"),
                                   p + "0.SelfAttention.", mask, table, True)
            x = x + self.ff(self.rms(x, p + "1.layer_norm.weight"), p + "1.DenseReluDense.")
        return self.rms(x, "encoder.final_layer_norm.weight")

    def decode(self, dec_ids, enc, keep):
        T = len(dec_ids)
        causal = np.array([[j <= i for j in range(T)] for i in range(T)])
        cross = np.array([[bool(keep[j]) for j in range(enc.shape[0])] for _ in range(T)])
        table = self.w["decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        x = self.w["shared.weight"][dec_ids]
        for i in range(self.c["num_decoder_layers"]):
            p = f"decoder.block.{i}.layer."
            h = self.rms(x, p + "0.layer_norm.weight")
            x = x + self.attention(h, h, p + "0.SelfAttention.", causal, table, False)
            x = x + self.attention(self.rms(x, p + "1.layer_norm.weight"), enc, p + "1.EncDecAttention.", cross, None, False)
            x = x + self.ff(self.rms(x, p + "2.layer_norm.weight"), p + "2.DenseReluDense.")
        x = self.rms(x, "decoder.final_layer_norm.weight")
        if self.c["tie_word_embeddings"]:
            return (x * self.c["d_model"] ** -0.5) @ self.w["shared.weight"].T
        return x @ self.w["lm_head.weight"].T


def _rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


class FixtureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.golden = {}
        for name in MODELS:
            with open(os.path.join(FIXTURES, name, "golden.json")) as f:
                cls.golden[name] = json.load(f)

    def model(self, name, dtype=torch.float64):
        return R.from_pretrained(os.path.join(FIXTURES, name), dtype)

    def test_weight_variants_identical(self):
        base = S.load_folder(os.path.join(FIXTURES, "t5-tiny-gated"))
        expected_dtype = {"f16": torch.float16, "bf16": torch.bfloat16, "sharded": torch.float32}
        for sub, dt in expected_dtype.items():
            sd = S.load_folder(os.path.join(FIXTURES, "t5-tiny-gated", sub))
            self.assertEqual(set(sd), set(base))
            for k, v in sd.items():
                self.assertEqual(v.dtype, dt)
                self.assertTrue(torch.equal(v.float(), base[k]), (sub, k))
        with open(os.path.join(FIXTURES, "t5-tiny-gated", "sharded", S.INDEX_FILE)) as f:
            index = json.load(f)
        self.assertEqual(sorted(set(index["weight_map"].values())),
                         ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        self.assertEqual(index["metadata"]["total_size"], sum(v.numel() * 4 for v in base.values()))

    def test_forward_matches_golden_and_naive(self):
        for name in MODELS:
            f = self.golden[name]["forward"]
            m = self.model(name)
            naive = NaiveT5(os.path.join(FIXTURES, name))
            ids, mask = torch.tensor(f["input_ids"]), torch.tensor(f["attention_mask"])
            dec = torch.tensor(f["decoder_input_ids"])
            prompt = torch.tensor(f["prompt"], dtype=torch.float64)
            emb, pmask = R.prepend_prompt(m, ids, mask, prompt)
            with torch.no_grad():
                runs = {"with_prompt": m(inputs_embeds=emb, attention_mask=pmask, decoder_input_ids=dec),
                        "without_prompt": m(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)}
            for key, out in runs.items():
                g = f[key]
                self.assertLess(_rel_err(out["encoder_output"], g["encoder_output"]), 1e-8, (name, key))
                self.assertLess(_rel_err(out["logits"], g["logits"]), 1e-8, (name, key))
                emb_np = (emb if key == "with_prompt" else m.shared(ids)).detach().numpy()
                keep = (pmask if key == "with_prompt" else mask).numpy()
                for b in range(ids.shape[0]):
                    e = naive.encode(emb_np[b], keep[b])
                    self.assertLess(_rel_err(e, g["encoder_output"][b]), 1e-9, (name, key, b))
                    lg = naive.decode(dec[b].numpy(), e, keep[b])
                    self.assertLess(_rel_err(lg, g["logits"][b]), 1e-9, (name, key, b))
            self.assertEqual(len(f["with_prompt"]["encoder_output"][0]), 4 + len(f["input_ids"][0]))

    def test_padding_invariance(self):
        for name in MODELS:
            f = self.golden[name]["forward"]
            m = self.model(name)
            b = int(np.argmin([sum(r) for r in f["attention_mask"]]))  # the padded row
            n = sum(f["attention_mask"][b])
            ids = torch.tensor([f["input_ids"][b][:n]])
            with torch.no_grad():
                enc = m.encode(ids, torch.ones_like(ids))
                dec = torch.tensor([f["decoder_input_ids"][b]])
                lg = m.decode(dec, enc)
            self.assertLess(_rel_err(enc[0], f["without_prompt"]["encoder_output"][b][:n]), 1e-9)
            self.assertLess(_rel_err(lg[0], f["without_prompt"]["logits"][b]), 1e-9)

    def test_rank_consistent_with_forward(self):
        for name in MODELS:
            r = self.golden[name]["rank"]
            m = self.model(name)
            labels = r["label_ids"]
            n = max(map(len, labels))
            lab = torch.tensor([l + [-100] * (n - len(l)) for l in labels])  # batch of 3, padded
            x = torch.tensor([r["input_ids"]] * len(labels))
            with torch.no_grad():
                logits = m(input_ids=x, attention_mask=torch.ones_like(x), labels=lab)["logits"]
            logp = F.log_softmax(logits, -1)
            ll = [float(sum(logp[i, t, tok] for t, tok in enumerate(l))) for i, l in enumerate(labels)]
            np.testing.assert_allclose(ll, r["log_likelihoods"], rtol=1e-8)
            np.testing.assert_allclose(F.softmax(torch.tensor(ll, dtype=torch.float64), 0).numpy(), r["probs"], rtol=1e-7, atol=1e-12)

    def test_generate_consistent_with_teacher_forcing(self):
        for name in MODELS:
            m = self.model(name)
            cases = self.golden[name]["generate"]
            self.assertEqual(len(cases), 3)
            self.assertEqual(sum(bool(c.get("use_prompt")) for c in cases), 1)
            for c in cases:
                x = torch.tensor([c["input_ids"]])
                mask = torch.ones_like(x)
                if c.get("use_prompt"):
                    prompt = torch.tensor(self.golden[name]["forward"]["prompt"], dtype=torch.float64)
                    emb, mask = R.prepend_prompt(m, x, mask, prompt)
                    kw = {"inputs_embeds": emb, "attention_mask": mask}
                else:
                    kw = {"input_ids": x, "attention_mask": mask}
                out = c["output_ids"]
                with torch.no_grad():
                    lg = m(decoder_input_ids=torch.tensor([[0] + out[:-1]]), **kw)["logits"][0]
                top2 = lg.topk(2, -1)
                self.assertEqual(top2.indices[:, 0].tolist(), out, name)
                self.assertGreater(float((top2.values[:, 0] - top2.values[:, 1]).min()), 1e-3)
                self.assertTrue(len(out) == c["max_new_tokens"] or out[-1] == 1)
                self.assertNotIn(1, out[:-1])
                self.assertEqual(R.greedy_generate(m, max_new_tokens=c["max_new_tokens"], **kw)[0].tolist(), out)

    def test_relative_position_buckets(self):
        with open(os.path.join(FIXTURES, "relative_position_buckets.json")) as f:
            tables = json.load(f)["tables"]
        for t in tables:
            expect = [_bucket(r, t["bidirectional"], t["num_buckets"], t["max_distance"]) for r in t["relative_position"]]
            self.assertEqual(t["bucket"], expect)

    def test_tokenizer_cases(self):
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_file=os.path.join(FIXTURES, "tokenizer", "spiece.model"))
        for name in MODELS:
            for c in self.golden[name]["tokenizer_cases"]:
                self.assertEqual(sp.encode(c["text"]) + [1], c["ids"], c["text"])
                self.assertEqual(sp.decode(c["ids"][:-1]), c["decoded"])
        # the model folders carry the converted tokenizer of that spiece.model
        import sp_to_hf

        with open(os.path.join(FIXTURES, "tokenizer", "spiece.model"), "rb") as f:
            tok, _ = sp_to_hf.convert(f.read())
        for name in MODELS:
            with open(os.path.join(FIXTURES, name, "tokenizer.json")) as f:
                self.assertEqual(json.load(f), tok)
        vocab = tok["model"]["vocab"]
        self.assertEqual(vocab[-1][0], "<extra_id_0>")
        self.assertEqual(vocab[sp.get_piece_size()][0], "<extra_id_99>")

    @unittest.skipIf(shutil.which("node") is None, "node not installed")
    def test_js_tokenizer_matches_sentencepiece(self):
        import compare_js
        import make_test_fixtures

        with open(os.path.join(FIXTURES, "tokenizer", "spiece.model"), "rb") as f:
            blob = f.read()
        folder = os.path.join(FIXTURES, "t5-tiny-relu")
        texts = [c["text"] for c in self.golden["t5-tiny-relu"]["tokenizer_cases"]]
        self.assertEqual(compare_js.compare(blob, folder, texts)["rate"], 1.0)
        held = compare_js.compare(blob, folder, make_test_fixtures.held_out_lines())
        self.assertGreaterEqual(held["rate"], 0.99, held["mismatches"])


if __name__ == "__main__":
    unittest.main()
