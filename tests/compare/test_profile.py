"""Per-article profiles: entity keys, vectors and sentences, entities by canonical name, the background."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.compare import profile as P
from khabar.compare.background import Background, fit_background
from khabar.load import load_article
from khabar.types import Article, Mention


def test_entity_key_ignores_brackets_quotes_and_article():
    assert P.entity_key("(بيرقدار)") == P.entity_key("بيرقدار")
    assert P.entity_key("«جيش الإسلام»") == P.entity_key("جيش الاسلام")
    assert P.entity_key("الغوطة الشرقية") == P.entity_key("غوطه شرقيه")
    assert P.entity_key("روسيا") != P.entity_key("سوريا")


@pytest.fixture(scope="module")
def background(examples_dir):
    return fit_background([load_article(str(p)) for p in sorted(examples_dir.glob("*.txt"))])


def test_profile_vectors_and_sentences(examples_dir, background):
    art = load_article(str(examples_dir / "alghad-ghouta-denial.txt"))
    p = P.build_profile(art, background)
    for v in (p.word, p.title_vec, p.lead_vec, p.char):
        assert abs(float(v.multiply(v).sum()) - 1.0) < 1e-4
    assert p.sent_vecs.shape[0] == len(p.sent_spans) > 0
    assert all(0 <= a < b <= len(art.text) for a, b in p.sent_spans)
    assert p.entities is None and p.quotes is None  # not analysed: unknown, not empty
    assert p.n_terms > 20 and p.signature.shape == (128,)


def test_entities_group_by_canonical_name_with_aliases(background):
    text = "قال حمزة بيرقدار الناطق باسم هيئة أركان جيش الإسلام، ونفى (بيرقدار) ذلك."
    art = Article(id="x", title="", text=text, raw=text, lang="ar")
    ms = [
        Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار"),
        Mention("بيرقدار", "PERS", 57, 64, "حمزه بيرقدار"),
        Mention("جيش الإسلام", "ORG", 40, 51, "هيءه اركان جيش الاسلام"),
    ]
    p = P.build_profile(art, background, ms, [])
    pers = p.entities[P.entity_key("حمزه بيرقدار")]
    assert pers.count == 2 and pers.surfaces == ["حمزة بيرقدار", "بيرقدار"]
    org = p.entities[P.entity_key("هيءه اركان جيش الاسلام")]
    assert P.entity_key("جيش الإسلام") in org.aliases
    assert p.quotes == []


def test_background_state_round_trip_and_update(examples_dir, background):
    again = Background.from_state(background.to_state())
    assert again.n_docs == background.n_docs == 2
    assert np.array_equal(again.word_df, background.word_df)
    assert np.array_equal(again.char_df, background.char_df)
    art = load_article(str(examples_dir / "orient-ghouta-denial.txt"))
    bigger = P.update_idf(background, [P.build_profile(art, background)])
    assert bigger.n_docs == 3 and background.n_docs == 2
    w_old, _ = background.idf()
    w_new, _ = bigger.idf()
    seen = np.flatnonzero(background.word_df == 2)
    assert np.all(w_new[seen] >= w_old[seen])  # a word in every document stays the least informative


# --- the fast path gives the profiles the vectorizers gave (issue 14) ------------------------------------


def _reference_weigh(counts, idf):
    """The original weighting: scipy's TF-IDF, row norms and diagonal product."""
    import scipy.sparse as sp

    m = counts.tocsr().astype(np.float32)
    m.sum_duplicates()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)


def _reference_profile(p: P.Profile, article: Article, background: Background) -> P.Profile:
    """``p`` with every vector, figure and signature remade as the code before issue 14 made them:
    scikit-learn's HashingVectorizers, scipy's weighting, a second tokenisation for the signature."""
    import dataclasses

    from khabar.analyse.bounds import analysed_part
    from khabar.compare import minhash
    from khabar.compare.background import CHAR_HV, WORD_HV
    from khabar.compare.config import DEFAULT
    from khabar.compare.figures import extract_numbers
    from khabar.text import arabic

    word_idf, char_idf = background.idf()
    n_lead = DEFAULT.lead_sentences
    text = analysed_part(article.text)
    lang = article.lang
    spans = arabic.sentences(text)
    sent_terms = [arabic.terms(text[a:b], lang=lang) for a, b in spans]
    all_terms = [t for st in sent_terms for t in st]
    lead_terms = [t for st in sent_terms[:n_lead] for t in st]
    kept = [i for i, st in enumerate(sent_terms) if st][: DEFAULT.max_sentences]
    counts = WORD_HV.transform([all_terms, arabic.terms(article.title, lang=lang), lead_terms]
                               + [sent_terms[i] for i in kept])
    weighted = _reference_weigh(counts, word_idf)
    lead_text = text[spans[0][0] : spans[min(n_lead, len(spans)) - 1][1]] if spans else ""
    char_counts = CHAR_HV.transform([arabic.normalize(t) for t in (text, article.title, lead_text)])
    chars = _reference_weigh(char_counts, char_idf)
    return dataclasses.replace(
        p, word=weighted[0], title_vec=weighted[1], lead_vec=weighted[2], sent_vecs=weighted[3:],
        char=chars[0], title_char=chars[1], lead_char=chars[2], word_tf=counts[0], char_tf=char_counts[0],
        presence=P._presence(counts[0], word_idf), signature=minhash.text_signature(text),
        numbers=extract_numbers(article.title + "\n" + text, DEFAULT.min_quantity), packed=None,
    )


def _same_matrix(a, b) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


@pytest.fixture(scope="module")
def real_pairs(semeval_path):
    """40 real SemEval pairs (Arabic, Turkish, French…), both sides cleaned as ingest cleans them."""
    import json

    from khabar.read.clean import to_article
    from khabar.types import Document

    pairs = []
    with semeval_path.open(encoding="utf-8") as f:
        for line in list(f)[::12][:40]:
            r = json.loads(line)
            pairs.append(tuple(
                to_article(Document(text=r[f"text{s}"], title=r[f"title{s}"], url=r[f"url{s}"], lang=r["lang"],
                                    origin=f"{r['pair_id']}-{s}"))
                for s in ("1", "2")))
    return pairs


def test_profiles_equal_the_vectorizers_and_give_the_same_pair_features(real_pairs, model):
    assert len(real_pairs) == 40
    new, old = [], []
    for pair in real_pairs:
        for art in pair:
            p = P.build_profile(art, model.background)
            ref = _reference_profile(p, art, model.background)
            for name in ("word", "title_vec", "lead_vec", "sent_vecs", "char", "title_char", "lead_char",
                         "word_tf", "char_tf", "presence"):
                assert _same_matrix(getattr(p, name), getattr(ref, name)), (art.id, name)
            assert np.array_equal(p.signature, ref.signature), art.id
            assert p.numbers == ref.numbers, art.id
            new.append(p)
            old.append(ref)
    f_new = model.features(list(zip(new[0::2], new[1::2], strict=True)))
    f_old = model.features(list(zip(old[0::2], old[1::2], strict=True)))
    assert f_new.shape == (40, f_new.shape[1]) and np.isfinite(f_new).any()
    assert np.array_equal(f_new, f_old, equal_nan=True)


def test_profile_pickles_compactly_and_unpickles_to_the_same_features(real_pairs, model):
    import pickle

    ps = [model.profile(a) for pair in real_pairs[:10] for a in pair]
    blobs = [pickle.dumps(p, protocol=5) for p in ps]
    back = [pickle.loads(b) for b in blobs]
    plain = [pickle.dumps({k: v for k, v in vars(p).items() if k != "packed"}, protocol=5) for p in ps]
    assert sum(map(len, blobs)) < 0.8 * sum(map(len, plain))  # counts as uint16, shared buckets, no derived arrays
    for p, q in zip(ps, back, strict=True):
        for name in ("word", "char", "word_tf", "char_tf", "presence", "sent_vecs"):
            assert _same_matrix(getattr(p, name), getattr(q, name)), name
        assert np.array_equal(p.sent_colpos, q.sent_colpos) and q.packed is None
    pairs = list(zip(ps[0::2], ps[1::2], strict=True))
    again = list(zip(back[0::2], back[1::2], strict=True))
    assert np.array_equal(model.features(pairs), model.features(again), equal_nan=True)


def test_profile_arrays_travel_in_one_buffer_writable_and_older_states_still_load(real_pairs, model):
    import copy
    import pickle

    p = model.profile(real_pairs[0][0])
    state = p.__getstate__()
    assert sum(isinstance(v, np.ndarray) for v in state.values()) == 0  # all in the buffer
    for q in (pickle.loads(pickle.dumps(p, protocol=5)), pickle.loads(pickle.dumps(p, protocol=2)), copy.deepcopy(p)):
        for name in ("word", "char", "word_tf", "char_tf", "presence", "sent_vecs", "lead_char"):
            assert _same_matrix(getattr(p, name), getattr(q, name)), name
            assert getattr(q, name).data.flags.writeable and getattr(q, name).indices.flags.aligned
        for name in ("signature", "sent_cols", "sent_rows", "sent_colpos"):  # derived arrays travel too
            a, b = getattr(p, name), getattr(q, name)
            assert a.dtype == b.dtype and np.array_equal(a, b) and b.flags.writeable, name
    # a state pickled before the buffer (arrays in place, derived ones left out) still loads
    old = {k: v for k, v in vars(p).items() if k not in ("packed", "sent_cols", "sent_rows", "sent_colpos")}
    r = P.Profile.__new__(P.Profile)
    r.__setstate__(old)
    assert np.array_equal(r.sent_colpos, p.sent_colpos) and _same_matrix(r.char_tf, p.char_tf)


def test_hashed_counts_equal_the_vectorizers():
    from khabar.compare import hashing
    from khabar.compare.background import CHAR_HV, WORD_HV
    from khabar.text import arabic

    texts = ["قال حمزة بيرقدار إن المفاوضات لم تبدأ", "a b cd F16 2018", "", "ولم يقل شيئاً 1,200 مرة"]
    norm = [arabic.normalize(t) for t in texts]
    assert _same_matrix(hashing.char_counts(norm).csr(), CHAR_HV.transform(norm).tocsr())
    rows = [arabic.terms(t) for t in texts]
    assert _same_matrix(hashing.word_counts(rows).csr(), WORD_HV.transform(rows).tocsr())
