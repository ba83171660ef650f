"""An optional semantic embedder: the cosine of two articles' title + lead vectors becomes one more feature.

The shipped model is trained without one (``ShippedModel.uses_embedding`` is False); ``khabar train
similarity --embedder DIR`` trains one with a local sentence-transformers model.

>>> import numpy as np
>>> class Fixed:
...     def embed(self, texts):
...         return np.ones((len(texts), 4))
>>> from khabar.compare.background import Background
>>> from khabar.compare.profile import build_profile
>>> from khabar.types import Article
>>> p = build_profile(Article(id="a", title="عنوان", text="جملة أولى. جملة ثانية.", raw=""), Background.empty())
>>> embed_profiles([p], Fixed())
>>> p.embedding.tolist()
[0.5, 0.5, 0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from khabar.compare.config import DEFAULT
from khabar.compare.profile import Profile

#: The name of the embedding feature, after :data:`khabar.compare.features.FEATURE_NAMES`.
EMBED_FEATURE = "cos_embed"


class Embedder(Protocol):
    """Anything that maps texts to fixed-size vectors (rows); their cosine becomes a feature."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory; never downloads (``local_files_only``)."""

    def __init__(self, path: str | Path) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ImportError("--embedder needs the sentence-transformers package (pip install it)") from e
        p = Path(path)
        if not p.is_dir():
            raise FileNotFoundError(f"{path}: not a local model directory")
        self.path = str(p)
        self.model = SentenceTransformer(self.path, local_files_only=True, device="cpu")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), normalize_embeddings=True), dtype=np.float32)


def embed_profiles(profiles: Iterable[Profile], embedder: Embedder, lead_sentences: int = DEFAULT.lead_sentences) -> None:
    """Store a normalized embedding of title + lead on each profile (``profile.embedding``)."""
    ps = list(profiles)
    if not ps:
        return
    n = lead_sentences
    texts = [p.title + "\n" + p.text[: p.sent_spans[min(n - 1, len(p.sent_spans) - 1)][1]] if p.sent_spans
             else p.title for p in ps]
    vecs = np.asarray(embedder.embed(texts), dtype=np.float32)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    for p, v in zip(ps, vecs, strict=True):
        p.embedding = v
