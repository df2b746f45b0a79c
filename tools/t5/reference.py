"""A small, readable PyTorch T5 (encoder-decoder) that matches Hugging Face's T5ForConditionalGeneration.

Written from the T5 paper (Raffel et al. 2020) and the documented behaviour of HF's `modeling_t5`,
keeping HF's parameter names so that `model.state_dict()` is a valid HF checkpoint:

    shared.weight                                          [vocab, d_model]
    {encoder,decoder}.block.{i}.layer.0.SelfAttention.{q,k,v,o}.weight
    {encoder,decoder}.block.0.layer.0.SelfAttention.relative_attention_bias.weight  [buckets, heads]
    {encoder,decoder}.block.{i}.layer.0.layer_norm.weight
    decoder.block.{i}.layer.1.EncDecAttention.{q,k,v,o}.weight ; decoder.block.{i}.layer.1.layer_norm.weight
    {encoder: layer.1, decoder: layer.2}.DenseReluDense.{wi,wo | wi_0,wi_1,wo}.weight and .layer_norm.weight
    {encoder,decoder}.final_layer_norm.weight
    lm_head.weight                                         (only when tie_word_embeddings is false)

Linear weights are [out_features, in_features] and no layer has a bias. What makes T5 T5:
  * RMSNorm without mean subtraction or bias; the variance is taken in at least float32.
  * Attention logits are q.k without the 1/sqrt(d_kv) scale (it is folded into the q init).
  * One learned relative position bias per stack, owned by block 0 and shared by all its blocks:
    bidirectional buckets in the encoder, causal (past-only) buckets in the decoder; none on
    cross-attention.
  * Tied embeddings (T5 v1.0): the decoder output is scaled by d_model**-0.5 before the shared
    embedding is used as the output projection. Untied (v1.1, FLAN-T5): a separate lm_head.

Usage (see make_test_fixtures.py):
    cfg = T5Config(vocab_size=352, d_model=32, ...)
    model = T5ForConditionalGeneration(cfg); init_weights(model, seed=0)
    save_pretrained(model, "out/"); model = from_pretrained("out/")
    out = model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)   # out["logits"]
    ids = greedy_generate(model, input_ids=ids, attention_mask=mask, max_new_tokens=20)
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

try:  # imported as tools.t5.reference or run from tools/t5/
    from . import safetensors_io
except ImportError:  # pragma: no cover
    import safetensors_io  # type: ignore


# ---------------------------------------------------------------------------------------------
# Config


@dataclasses.dataclass
class T5Config:
    """The fields of HF's T5Config that change the computation, with HF's defaults (t5-small)."""

    vocab_size: int = 32128
    d_model: int = 512
    d_kv: int = 64
    d_ff: int = 2048
    num_layers: int = 6
    num_decoder_layers: Optional[int] = None  # None: same as num_layers
    num_heads: int = 8
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    dropout_rate: float = 0.1
    layer_norm_epsilon: float = 1e-6
    initializer_factor: float = 1.0
    feed_forward_proj: str = "relu"  # "relu" (T5 v1.0) or "gated-gelu" (v1.1 / FLAN-T5)
    tie_word_embeddings: bool = True
    pad_token_id: int = 0
    eos_token_id: int = 1
    decoder_start_token_id: int = 0

    def __post_init__(self) -> None:
        if self.num_decoder_layers is None:
            self.num_decoder_layers = self.num_layers
        self.is_gated_act, self.dense_act_fn = parse_feed_forward_proj(self.feed_forward_proj)

    @property
    def inner_dim(self) -> int:
        return self.num_heads * self.d_kv

    @classmethod
    def from_dict(cls, d: Dict) -> "T5Config":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_json_file(cls, path: str) -> "T5Config":
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def to_hf_dict(self, torch_dtype: str = "float32", transformers_version: str = "4.46.3") -> Dict:
        """config.json content as transformers writes it for T5ForConditionalGeneration."""
        d = dataclasses.asdict(self)
        d.update(
            architectures=["T5ForConditionalGeneration"],
            classifier_dropout=0.0,
            dense_act_fn=self.dense_act_fn,
            is_encoder_decoder=True,
            is_gated_act=self.is_gated_act,
            model_type="t5",
            torch_dtype=torch_dtype,
            transformers_version=transformers_version,
            use_cache=True,
        )
        return dict(sorted(d.items()))

    def save(self, path: str, **kw) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(self.to_hf_dict(**kw), indent=2, sort_keys=True) + "\n")


def parse_feed_forward_proj(s: str) -> Tuple[bool, str]:
    """'relu' -> (False, 'relu'); 'gated-gelu' -> (True, 'gelu_new'), as HF's T5Config does."""
    parts = s.split("-")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] != "gated"):
        raise ValueError(f"bad feed_forward_proj {s!r}")
    act = parts[-1]
    if s == "gated-gelu":
        act = "gelu_new"  # backwards compatibility in HF: FLAN-T5 / v1.1 use the tanh approximation
    return len(parts) == 2, act


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GELU, tanh approximation (HF's `gelu_new`, the one used by T5 v1.1 / FLAN-T5)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT_FNS = {"relu": F.relu, "gelu_new": gelu_new, "gelu": F.gelu, "silu": F.silu}


# ---------------------------------------------------------------------------------------------
# Layers


class T5LayerNorm(nn.Module):
    """RMSNorm: x / sqrt(mean(x^2) + eps) * weight. No mean subtraction, no bias."""

    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.variance_epsilon = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Half-precision sums of squares overflow / lose precision: accumulate in >= float32.
        acc = x if x.dtype in (torch.float32, torch.float64) else x.float()
        var = acc.pow(2).mean(-1, keepdim=True)
        x = acc * torch.rsqrt(var + self.variance_epsilon)
        if self.weight.dtype in (torch.float16, torch.bfloat16):
            x = x.to(self.weight.dtype)
        return self.weight * x


class T5DenseActDense(nn.Module):
    """T5 v1.0 feed-forward: wo(act(wi(x)))."""

    def __init__(self, cfg: T5Config):
        super().__init__()
        self.wi = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.dropout = nn.Dropout(cfg.dropout_rate)
        self.act = ACT_FNS[cfg.dense_act_fn]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.wo(self.dropout(self.act(self.wi(x))))


class T5DenseGatedActDense(nn.Module):
    """T5 v1.1 feed-forward (GEGLU): wo(act(wi_0(x)) * wi_1(x))."""

    def __init__(self, cfg: T5Config):
        super().__init__()
        self.wi_0 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wi_1 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.dropout = nn.Dropout(cfg.dropout_rate)
        self.act = ACT_FNS[cfg.dense_act_fn]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.wo(self.dropout(self.act(self.wi_0(x)) * self.wi_1(x)))


def relative_position_bucket(relative_position: torch.Tensor, bidirectional: bool,
                             num_buckets: int, max_distance: int) -> torch.Tensor:
    """Map (key_pos - query_pos) to a bucket id, as in Mesh TensorFlow / HF.

    Half of the buckets are exact offsets 0..max_exact-1; the rest grow logarithmically up to
    max_distance, beyond which everything shares the last bucket. Bidirectional (encoder): the
    buckets are split between keys before and after the query (after -> +num_buckets/2).
    Unidirectional (decoder): only the past counts; future offsets map to bucket 0 (they are
    masked anyway). The log is taken in float32 and truncated toward zero, like HF.
    """
    buckets = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets += (relative_position > 0).long() * num_buckets
        n = relative_position.abs()
    else:
        n = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = n < max_exact
    # clamp(min=1) only avoids log(0) in lanes that torch.where discards anyway
    large = max_exact + (
        torch.log(n.clamp(min=1).float() / max_exact) / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, n, large)


class T5Attention(nn.Module):
    def __init__(self, cfg: T5Config, is_decoder: bool, has_relative_attention_bias: bool):
        super().__init__()
        self.is_decoder = is_decoder
        self.n_heads, self.d_kv = cfg.num_heads, cfg.d_kv
        self.num_buckets = cfg.relative_attention_num_buckets
        self.max_distance = cfg.relative_attention_max_distance
        inner = cfg.inner_dim
        self.q = nn.Linear(cfg.d_model, inner, bias=False)
        self.k = nn.Linear(cfg.d_model, inner, bias=False)
        self.v = nn.Linear(cfg.d_model, inner, bias=False)
        self.o = nn.Linear(inner, cfg.d_model, bias=False)
        self.dropout = nn.Dropout(cfg.dropout_rate)
        if has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(self.num_buckets, self.n_heads)

    def compute_bias(self, q_len: int, k_len: int) -> torch.Tensor:
        """[1, heads, q_len, k_len] position bias (queries are the last q_len positions)."""
        device = self.relative_attention_bias.weight.device
        ctx = torch.arange(k_len - q_len, k_len, dtype=torch.long, device=device)[:, None]
        mem = torch.arange(k_len, dtype=torch.long, device=device)[None, :]
        buckets = relative_position_bucket(mem - ctx, bidirectional=not self.is_decoder,
                                           num_buckets=self.num_buckets, max_distance=self.max_distance)
        return self.relative_attention_bias(buckets).permute(2, 0, 1).unsqueeze(0)

    def forward(self, x: torch.Tensor, bias: torch.Tensor, kv: Optional[torch.Tensor] = None) -> torch.Tensor:
        """x: [B, Tq, d]; kv: [B, Tk, d] for cross-attention (else x); bias: broadcastable to
        [B, heads, Tq, Tk], position bias plus additive mask."""
        B, Tq, _ = x.shape
        kv = x if kv is None else kv
        Tk = kv.shape[1]
        q = self.q(x).view(B, Tq, self.n_heads, self.d_kv).transpose(1, 2)
        k = self.k(kv).view(B, Tk, self.n_heads, self.d_kv).transpose(1, 2)
        v = self.v(kv).view(B, Tk, self.n_heads, self.d_kv).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) + bias  # no 1/sqrt(d_kv): T5 folds it into the q init
        acc = scores if scores.dtype in (torch.float32, torch.float64) else scores.float()
        probs = self.dropout(F.softmax(acc, dim=-1).type_as(scores))
        out = (probs @ v).transpose(1, 2).reshape(B, Tq, self.n_heads * self.d_kv)
        return self.o(out)


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg: T5Config, is_decoder: bool, has_relative_attention_bias: bool):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, is_decoder, has_relative_attention_bias)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)
        self.dropout = nn.Dropout(cfg.dropout_rate)

    def forward(self, x, bias):
        return x + self.dropout(self.SelfAttention(self.layer_norm(x), bias))  # pre-norm residual


class T5LayerCrossAttention(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.EncDecAttention = T5Attention(cfg, is_decoder=True, has_relative_attention_bias=False)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)
        self.dropout = nn.Dropout(cfg.dropout_rate)

    def forward(self, x, enc, bias):
        return x + self.dropout(self.EncDecAttention(self.layer_norm(x), bias, kv=enc))


class T5LayerFF(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg) if cfg.is_gated_act else T5DenseActDense(cfg)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)
        self.dropout = nn.Dropout(cfg.dropout_rate)

    def forward(self, x):
        return x + self.dropout(self.DenseReluDense(self.layer_norm(x)))


class T5Block(nn.Module):
    def __init__(self, cfg: T5Config, is_decoder: bool, has_relative_attention_bias: bool):
        super().__init__()
        self.is_decoder = is_decoder
        self.layer = nn.ModuleList([T5LayerSelfAttention(cfg, is_decoder, has_relative_attention_bias)])
        if is_decoder:
            self.layer.append(T5LayerCrossAttention(cfg))
        self.layer.append(T5LayerFF(cfg))

    def forward(self, x, self_bias, enc=None, cross_bias=None):
        x = self.layer[0](x, self_bias)
        if self.is_decoder:
            x = self.layer[1](x, enc, cross_bias)
        return self.layer[-1](x)


def additive_mask(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """{0,1} mask -> 0 where kept, the dtype's most negative finite value where masked."""
    return (1.0 - mask.to(dtype)) * torch.finfo(dtype).min


class T5Stack(nn.Module):
    """Encoder or decoder stack. Takes embeddings (the shared embedding lives in the parent),
    so that callers can prepend a soft prompt to the encoder input."""

    def __init__(self, cfg: T5Config, is_decoder: bool):
        super().__init__()
        self.is_decoder = is_decoder
        n = cfg.num_decoder_layers if is_decoder else cfg.num_layers
        self.block = nn.ModuleList([T5Block(cfg, is_decoder, has_relative_attention_bias=(i == 0))
                                    for i in range(n)])
        self.final_layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)
        self.dropout = nn.Dropout(cfg.dropout_rate)

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: Optional[torch.Tensor] = None,
                encoder_hidden_states: Optional[torch.Tensor] = None,
                encoder_attention_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        B, T, _ = inputs_embeds.shape
        dtype, device = inputs_embeds.dtype, inputs_embeds.device
        if attention_mask is None:
            attention_mask = torch.ones(B, T, device=device)
        mask = attention_mask[:, None, None, :].to(dtype)  # [B, 1, 1, T] over keys
        if self.is_decoder:  # no peeking at later target positions
            mask = mask * torch.tril(torch.ones(T, T, device=device, dtype=dtype))[None, None]
        # Block 0's relative bias is computed once and shared (with the mask folded in) by all blocks.
        self_bias = self.block[0].layer[0].SelfAttention.compute_bias(T, T).to(dtype) + additive_mask(mask, dtype)
        cross_bias = None
        if self.is_decoder:
            Tk = encoder_hidden_states.shape[1]
            if encoder_attention_mask is None:
                encoder_attention_mask = torch.ones(B, Tk, device=device)
            cross_bias = additive_mask(encoder_attention_mask[:, None, None, :], dtype)  # no position bias

        x = self.dropout(inputs_embeds)
        for blk in self.block:
            x = blk(x, self_bias, encoder_hidden_states, cross_bias)
        return self.dropout(self.final_layer_norm(x))


class T5ForConditionalGeneration(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.config = cfg
        self.shared = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.encoder = T5Stack(cfg, is_decoder=False)
        self.decoder = T5Stack(cfg, is_decoder=True)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)

    def encode(self, input_ids: Optional[torch.Tensor] = None, attention_mask: Optional[torch.Tensor] = None,
               inputs_embeds: Optional[torch.Tensor] = None) -> torch.Tensor:
        if inputs_embeds is None:
            inputs_embeds = self.shared(input_ids)
        return self.encoder(inputs_embeds, attention_mask)

    def decode(self, decoder_input_ids: torch.Tensor, encoder_hidden_states: torch.Tensor,
               encoder_attention_mask: Optional[torch.Tensor] = None,
               decoder_attention_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Teacher-forced decoder -> logits [B, T, vocab]. Like HF, with no decoder_attention_mask
        only the causal mask applies (right padding cannot affect earlier positions)."""
        h = self.decoder(self.shared(decoder_input_ids), decoder_attention_mask,
                         encoder_hidden_states, encoder_attention_mask)
        if self.config.tie_word_embeddings:
            # Mesh TF convention: rescale before reusing the (unit-variance) embedding as output layer.
            return (h * self.config.d_model ** -0.5) @ self.shared.weight.t()
        return self.lm_head(h)

    def forward(self, input_ids=None, attention_mask=None, inputs_embeds=None, decoder_input_ids=None,
                decoder_attention_mask=None, labels=None) -> Dict[str, torch.Tensor]:
        enc = self.encode(input_ids, attention_mask, inputs_embeds)
        if decoder_input_ids is None:
            decoder_input_ids = shift_right(labels, self.config.decoder_start_token_id, self.config.pad_token_id)
        logits = self.decode(decoder_input_ids, enc, attention_mask, decoder_attention_mask)
        out = {"encoder_output": enc, "logits": logits}
        if labels is not None:  # mean cross-entropy over label tokens; -100 is ignored, as in HF
            out["loss"] = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                          ignore_index=-100)
        return out


# ---------------------------------------------------------------------------------------------
# Helpers: teacher forcing, soft prompts, greedy decoding, scoring


def shift_right(labels: torch.Tensor, decoder_start_token_id: int = 0, pad_token_id: int = 0) -> torch.Tensor:
    """[l0, l1, ..., eos, -100, ...] -> [start, l0, l1, ..., eos, pad, ...] (drops the last column)."""
    out = torch.full_like(labels, pad_token_id)
    out[:, 1:] = labels[:, :-1]
    out[:, 0] = decoder_start_token_id
    return out.masked_fill(out == -100, pad_token_id)


def prepend_prompt(model: T5ForConditionalGeneration, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                   prompt: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Soft prompt tuning input: concat(prompt [l, d], shared[input_ids]) along the sequence, with
    the prompt positions always attended. Returns (inputs_embeds, attention_mask)."""
    B = input_ids.shape[0]
    emb = model.shared(input_ids)
    p = prompt.to(emb.dtype)[None].expand(B, -1, -1)
    mask = torch.cat([torch.ones(B, prompt.shape[0], dtype=attention_mask.dtype, device=attention_mask.device),
                      attention_mask], dim=1)
    return torch.cat([p, emb], dim=1), mask


@torch.no_grad()
def greedy_generate(model: T5ForConditionalGeneration, input_ids=None, attention_mask=None, inputs_embeds=None,
                    max_new_tokens: int = 20, return_logits: bool = False):
    """Greedy decoding from decoder_start_token_id. Stops once every row has produced eos; rows that
    finished earlier are padded with pad_token_id (as HF does). Recomputes the decoder from
    scratch every step: no KV cache, so it is obviously the same function as teacher forcing.
    Returns ids [B, n] without the start token (and the per-step logits [B, n, vocab] if asked)."""
    cfg = model.config
    enc = model.encode(input_ids, attention_mask, inputs_embeds)
    B = enc.shape[0]
    dec = torch.full((B, 1), cfg.decoder_start_token_id, dtype=torch.long, device=enc.device)
    done = torch.zeros(B, dtype=torch.bool, device=enc.device)
    steps = []
    for _ in range(max_new_tokens):
        logits = model.decode(dec, enc, attention_mask)[:, -1]
        nxt = logits.argmax(-1).masked_fill(done, cfg.pad_token_id)
        steps.append(logits)
        dec = torch.cat([dec, nxt[:, None]], dim=1)
        done |= nxt == cfg.eos_token_id
        if bool(done.all()):
            break
    ids = dec[:, 1:]
    return (ids, torch.stack(steps, dim=1)) if return_logits else ids


@torch.no_grad()
def sequence_log_likelihood(model: T5ForConditionalGeneration, label_ids: torch.Tensor, input_ids=None,
                            attention_mask=None, inputs_embeds=None) -> torch.Tensor:
    """sum_t log p(label_t | input, label_<t) for each row of label_ids [B, T] (-100 = ignored)."""
    cfg = model.config
    dec = shift_right(label_ids, cfg.decoder_start_token_id, cfg.pad_token_id)
    enc = model.encode(input_ids, attention_mask, inputs_embeds)
    logp = F.log_softmax(model.decode(dec, enc, attention_mask), dim=-1)
    keep = label_ids != -100
    tok = logp.gather(-1, label_ids.clamp(min=0)[..., None])[..., 0]
    return (tok * keep).sum(-1)


# ---------------------------------------------------------------------------------------------
# Initialisation and HF checkpoints


@torch.no_grad()
def init_weights(model: T5ForConditionalGeneration, seed: Optional[int] = None, factor: Optional[float] = None) -> None:
    """HF's T5 init (Mesh TF's): N(0, std) with std chosen so that activations keep unit scale.

    shared / lm_head: factor; q: factor*(d_model*d_kv)**-0.5 (this is where the missing
    1/sqrt(d_kv) attention scale went); k, v: factor*d_model**-0.5; o: factor*(heads*d_kv)**-0.5;
    relative_attention_bias: factor*d_model**-0.5; wi*: factor*d_model**-0.5; wo: factor*d_ff**-0.5;
    layer norms: factor.
    """
    cfg = model.config
    f = cfg.initializer_factor if factor is None else factor
    g = torch.Generator().manual_seed(seed) if seed is not None else None

    def normal_(p: torch.Tensor, std: float) -> None:
        p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float32).to(p.dtype) * std)

    for name, p in model.named_parameters():
        if name.endswith("layer_norm.weight") or name.endswith("final_layer_norm.weight"):
            p.fill_(f * 1.0)
        elif name in ("shared.weight", "lm_head.weight"):
            normal_(p, f * 1.0)
        elif name.endswith("relative_attention_bias.weight"):
            normal_(p, f * cfg.d_model ** -0.5)
        elif name.endswith(".q.weight"):
            normal_(p, f * (cfg.d_model * cfg.d_kv) ** -0.5)
        elif name.endswith(".k.weight") or name.endswith(".v.weight"):
            normal_(p, f * cfg.d_model ** -0.5)
        elif name.endswith(".o.weight"):
            normal_(p, f * (cfg.num_heads * cfg.d_kv) ** -0.5)
        elif name.endswith(".wi.weight") or name.endswith(".wi_0.weight") or name.endswith(".wi_1.weight"):
            normal_(p, f * cfg.d_model ** -0.5)
        elif name.endswith(".wo.weight"):
            normal_(p, f * cfg.d_ff ** -0.5)
        else:
            raise KeyError(f"no init rule for {name}")


# Names some HF checkpoints carry as aliases of shared.weight (tied copies); not separate parameters here.
_TIED_ALIASES = ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight")


def load_hf_state_dict(model: T5ForConditionalGeneration, sd: Dict[str, torch.Tensor]) -> None:
    """Load an HF-named state dict (any float dtype; cast to the model's dtype). Strict, except for
    the tied aliases that older checkpoints store, and a redundant lm_head.weight in tied models."""
    sd = dict(sd)
    if "shared.weight" not in sd:
        for alias in _TIED_ALIASES:
            if alias in sd:
                sd["shared.weight"] = sd[alias]
                break
    for alias in _TIED_ALIASES:
        sd.pop(alias, None)
    if model.config.tie_word_embeddings:
        sd.pop("lm_head.weight", None)
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(sd)), sorted(set(sd) - set(own))
    if missing or unexpected:
        raise KeyError(f"missing {missing[:8]}, unexpected {unexpected[:8]}")
    for k, v in sd.items():
        if tuple(v.shape) != tuple(own[k].shape):
            raise ValueError(f"{k}: shape {tuple(v.shape)} != {tuple(own[k].shape)}")
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in sd.items()})


def save_pretrained(model: T5ForConditionalGeneration, folder: str, dtype: torch.dtype = torch.float32,
                    max_shard_bytes: Optional[int] = None, write_config: bool = True) -> None:
    """config.json + model.safetensors (or shards + index) in HF layout, metadata {"format": "pt"}."""
    os.makedirs(folder, exist_ok=True)
    if write_config:
        model.config.save(os.path.join(folder, "config.json"),
                          torch_dtype={torch.float32: "float32", torch.float16: "float16",
                                       torch.bfloat16: "bfloat16"}[dtype])
    sd = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    if max_shard_bytes is None:
        safetensors_io.save_file(sd, os.path.join(folder, safetensors_io.SINGLE_FILE), {"format": "pt"})
    else:
        safetensors_io.save_sharded(sd, folder, max_shard_bytes, {"format": "pt"})


def from_pretrained(folder: str, dtype: torch.dtype = torch.float32, weights_folder: Optional[str] = None
                    ) -> T5ForConditionalGeneration:
    """Build from `folder`/config.json and load the weights in `weights_folder` (default: folder),
    single file or sharded. The model is returned in eval mode."""
    cfg = T5Config.from_json_file(os.path.join(folder, "config.json"))
    model = T5ForConditionalGeneration(cfg).to(dtype)
    load_hf_state_dict(model, safetensors_io.load_folder(weights_folder or folder))
    return model.eval()
