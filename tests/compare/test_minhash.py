"""MinHash signatures: near-copies resemble, unrelated texts do not, empty sets never match."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from khabar.compare import minhash
from khabar.load import load_article
from khabar.text import arabic


def _sig(text: str) -> np.ndarray:
    return minhash.signature(minhash.shingles(arabic.words(text)))


def test_near_copy_resembles_and_unrelated_does_not(examples_dir):
    text = load_article(str(examples_dir / "orient-ghouta-denial.txt")).text
    paragraphs = [p for p in text.split("\n") if p.strip()]
    # a republished copy: one paragraph dropped, a sentence appended
    copy = "\n".join(paragraphs[:3] + paragraphs[4:]) + "\nتابعونا على تويتر."
    other = load_article(str(examples_dir / "alghad-ghouta-denial.txt")).text
    assert minhash.resemblance(_sig(text), _sig(copy)) > 0.75
    assert minhash.resemblance(_sig(text), _sig(other)) < 0.1


def test_estimate_tracks_exact_jaccard():
    a = {f"w{i}" for i in range(200)}
    b = {f"w{i}" for i in range(100, 300)}  # exact Jaccard 100/300
    est = minhash.resemblance(minhash.signature(a), minhash.signature(b))
    assert abs(est - 1 / 3) < 0.1


def test_empty_signature_matches_nothing():
    empty = minhash.signature(set())
    assert minhash.is_empty(empty)
    assert minhash.resemblance(empty, empty) == 0.0
    full = minhash.signature({"a b c"})
    batch = minhash.resemblance_batch(np.stack([empty, full]), np.stack([empty, full]))
    assert batch.tolist() == [0.0, 1.0]


def test_shingles_of_short_and_long_token_lists():
    assert minhash.shingles([]) == set()
    assert minhash.shingles(["a", "b"]) == {"a b"}
    assert minhash.shingles(["a", "b", "c", "d"]) == {"a b c", "b c d"}


def test_lean_minhash_agrees_with_datasketch():
    items = {"جيش الاسلام ينفي", "الغوطه الشرقيه", "روسيا"}
    sig = minhash.signature(items)
    m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
    for s in items:
        m.update(s.encode("utf-8"))
    assert minhash.lean(sig).jaccard(m) == 1.0


def test_text_signature_is_the_signature_of_the_word_shingles(examples_dir):
    text = load_article(str(examples_dir / "orient-ghouta-denial.txt")).text
    words = arabic.words(text)
    sig = minhash.text_signature(text)
    assert np.array_equal(sig, _sig(text))
    assert np.array_equal(minhash.text_signature(text, words), sig)  # words given: same values
    assert minhash.is_empty(minhash.text_signature(""))


def test_permutations_made_once_give_datasketch_values():
    items = {f"shingle {i}" for i in range(50)}
    m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)  # fresh permutations, every time
    m.update_batch([s.encode("utf-8") for s in items])
    assert np.array_equal(minhash.signature(items), m.hashvalues)
    assert np.array_equal(minhash.signature(items), minhash.signature(sorted(items)))
    other = MinHash(num_perm=16, seed=7)
    other.update_batch([s.encode("utf-8") for s in items])
    assert np.array_equal(minhash.signature(items, num_perm=16, seed=7), other.hashvalues)  # per scheme


def test_signature_equals_datasketch_minhash(semeval_path):
    """The numpy signature is datasketch's own (stored signatures and LSH keys stay valid)."""
    import json

    with semeval_path.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text1"] for line in list(f)[:30]]
    for text in [*texts, "a", "one two", "ok ok ok"]:
        items = minhash.shingles(arabic.words(text))
        m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
        m.update_batch([s.encode("utf-8") for s in items])
        ours = minhash.signature(items)
        assert ours.dtype == np.uint32 and np.array_equal(ours, m.hashvalues)
        assert minhash.resemblance(minhash.lean(ours).hashvalues, ours) == 1.0
    assert np.array_equal(minhash.signature(set()), MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED).hashvalues)
    assert not np.array_equal(minhash.signature({"x"}, seed=2), minhash.signature({"x"}))
