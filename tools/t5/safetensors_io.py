"""Read and write the safetensors format, with Hugging Face style sharding.

Written from the format description (https://github.com/huggingface/safetensors):

    [8 bytes]  N, little-endian u64: length of the JSON header
    [N bytes]  JSON header, UTF-8, padded with spaces to a multiple of 8 bytes:
               {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
    [...]      tensor data, row-major, little-endian; offsets are relative to the end of the header

Like the Rust crate (which `safetensors.torch.save_file` calls) the writer orders tensors by
descending dtype, then by name, lays their bytes out back to back in that order, lists them in the
header in the same order with `__metadata__` first, and emits compact JSON.

Only torch and numpy are needed. BF16 goes through torch, since numpy has no bfloat16.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import numpy as np
import torch

# safetensors dtype string -> (torch dtype, numpy little-endian dtype used for the raw bytes).
# For BF16 the bytes are moved as int16 and reinterpreted by torch.
_DTYPES: Dict[str, Tuple[torch.dtype, str]] = {
    "BOOL": (torch.bool, "|b1"),
    "U8": (torch.uint8, "|u1"),
    "I8": (torch.int8, "|i1"),
    "I16": (torch.int16, "<i2"),
    "F16": (torch.float16, "<f2"),
    "BF16": (torch.bfloat16, "<i2"),
    "I32": (torch.int32, "<i4"),
    "F32": (torch.float32, "<f4"),
    "F64": (torch.float64, "<f8"),
    "I64": (torch.int64, "<i8"),
}
_TORCH_TO_ST = {t: name for name, (t, _) in _DTYPES.items()}

# Order of the Rust `Dtype` enum; the crate sorts tensors by this, descending, then by name.
_RUST_DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
                     "I32", "U32", "F32", "F64", "I64", "U64"]

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"


def dtype_name(t: torch.Tensor) -> str:
    try:
        return _TORCH_TO_ST[t.dtype]
    except KeyError:
        raise ValueError(f"unsupported dtype {t.dtype}") from None


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().cpu().contiguous()
    _, np_dtype = _DTYPES[dtype_name(t)]
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # same bits; numpy cannot hold bfloat16
    # astype to an explicit little-endian dtype is a no-op on little-endian hosts and a byte
    # swap elsewhere, so the file is always little-endian.
    return t.numpy().astype(np_dtype, copy=False).tobytes()


def _ordered(tensors: Mapping[str, torch.Tensor]) -> List[Tuple[str, torch.Tensor]]:
    rank = {n: i for i, n in enumerate(_RUST_DTYPE_ORDER)}
    return sorted(tensors.items(), key=lambda kv: (-rank[dtype_name(kv[1])], kv[0]))


def serialize(tensors: Mapping[str, torch.Tensor], metadata: Optional[Mapping[str, str]] = None) -> bytes:
    """The bytes of a safetensors file holding `tensors` (name -> tensor)."""
    header: Dict[str, object] = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("__metadata__ must map str to str")
        header["__metadata__"] = dict(metadata)
    chunks: List[bytes] = []
    offset = 0
    for name, t in _ordered(tensors):
        data = _tensor_bytes(t)
        header[name] = {"dtype": dtype_name(t), "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)  # align the data to 8 bytes, as the Rust crate does
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks)


def save_file(tensors: Mapping[str, torch.Tensor], path: str,
              metadata: Optional[Mapping[str, str]] = None) -> None:
    """Write one safetensors file. HF's `save_pretrained` passes metadata={"format": "pt"}."""
    blob = serialize(tensors, metadata)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)


def parse_header(blob: bytes) -> Tuple[Dict[str, dict], Dict[str, str], int]:
    """(tensor infos in file order, __metadata__, byte offset of the data section), validated."""
    if len(blob) < 8:
        raise ValueError("file too short for a safetensors header")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"header length {n} runs past the end of the file")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data_start = 8 + n
    # The data section must be covered exactly, without holes or overlaps.
    spans = sorted((tuple(info["data_offsets"]), name) for name, info in header.items())
    pos = 0
    for (begin, end), name in spans:
        info = header[name]
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {info['dtype']}")
        itemsize = np.dtype(_DTYPES[info["dtype"]][1]).itemsize
        if begin != pos or end - begin != itemsize * int(np.prod(info["shape"], dtype=np.int64)):
            raise ValueError(f"{name}: bad data_offsets {info['data_offsets']}")
        pos = end
    if data_start + pos != len(blob):
        raise ValueError("data section length does not match the header")
    return header, metadata, data_start


def read_header(path: str) -> Tuple[Dict[str, dict], Dict[str, str]]:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    return header, header.pop("__metadata__", None) or {}


def deserialize(blob: bytes) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    header, metadata, data_start = parse_header(blob)
    out: Dict[str, torch.Tensor] = {}
    for name, info in header.items():
        torch_dtype, np_dtype = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        arr = np.frombuffer(blob, dtype=np_dtype, count=(end - begin) // np.dtype(np_dtype).itemsize,
                            offset=data_start + begin)
        t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True)).reshape(info["shape"])
        out[name] = t.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else t
    return out, metadata


def load_file(path: str) -> Dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        return deserialize(f.read())[0]


# ---------------------------------------------------------------------------------------------
# Sharding, as transformers' save_pretrained(max_shard_size=...) does it


def shard_name(i: int, n: int) -> str:
    """1-based shard file name, e.g. model-00001-of-00002.safetensors."""
    return f"model-{i:05d}-of-{n:05d}.safetensors"


def split_into_shards(tensors: Mapping[str, torch.Tensor], max_shard_bytes: int) -> List[List[str]]:
    """Greedy split in state-dict order: start a new shard when the next tensor would overflow
    the current one (a single tensor larger than the limit gets a shard of its own)."""
    shards: List[List[str]] = [[]]
    size = 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        if shards[-1] and size + n > max_shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append(name)
        size += n
    return shards


def save_sharded(tensors: Mapping[str, torch.Tensor], folder: str, max_shard_bytes: int,
                 metadata: Optional[Mapping[str, str]] = None) -> List[str]:
    """Write `model-0000i-of-0000n.safetensors` shards and `model.safetensors.index.json`.
    With a single shard, write plain `model.safetensors` and no index, like transformers."""
    os.makedirs(folder, exist_ok=True)
    meta = {"format": "pt"} if metadata is None else metadata
    groups = split_into_shards(tensors, max_shard_bytes)
    if len(groups) == 1:
        save_file(tensors, os.path.join(folder, SINGLE_FILE), meta)
        return [SINGLE_FILE]
    weight_map: Dict[str, str] = {}
    files = []
    for i, names in enumerate(groups, start=1):
        fname = shard_name(i, len(groups))
        save_file({k: tensors[k] for k in names}, os.path.join(folder, fname), meta)
        weight_map.update({k: fname for k in names})
        files.append(fname)
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    with open(os.path.join(folder, INDEX_FILE), "w", encoding="utf-8") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return files


def load_folder(folder: str) -> Dict[str, torch.Tensor]:
    """Load `model.safetensors`, or every shard named by `model.safetensors.index.json`."""
    index_path = os.path.join(folder, INDEX_FILE)
    if os.path.exists(index_path):
        with open(index_path, encoding="utf-8") as f:
            weight_map: Dict[str, str] = json.load(f)["weight_map"]
        out: Dict[str, torch.Tensor] = {}
        for fname in sorted(set(weight_map.values())):
            part = load_file(os.path.join(folder, fname))
            for k, v in part.items():
                if weight_map.get(k) != fname:
                    raise ValueError(f"{k} found in {fname} but the index says {weight_map.get(k)}")
                out[k] = v
        missing = set(weight_map) - set(out)
        if missing:
            raise ValueError(f"tensors listed in the index but absent: {sorted(missing)[:5]}")
        return out
    return load_file(os.path.join(folder, SINGLE_FILE))


def iter_file_names(folder: str) -> Iterable[str]:
    index_path = os.path.join(folder, INDEX_FILE)
    if os.path.exists(index_path):
        with open(index_path, encoding="utf-8") as f:
            return sorted(set(json.load(f)["weight_map"].values()))
    return [SINGLE_FILE]
