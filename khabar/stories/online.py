"""Online, incremental story clustering with a bounded candidate index.

Each new article is compared only with a few *candidate* stories, found through the story index
(:class:`khabar.store.stories.StoryIndex`), so the cost of one article does not grow with the store:

* **near-copies** — LSH band keys of the article's MinHash signature; a candidate whose estimated
  resemblance reaches ``copy_threshold`` is the same text, and the article joins that article's story
  and near-copy group without further scoring;
* **shared keys** — an inverted index from the article's most mentioned canonical entities and its
  rarest terms (highest tf·idf stems) to stories; keys posted by more than ``max_postings`` stories
  inside the time window are too common and are ignored;
* **time** — only postings within ``window_days`` of the article's date count; an article without a
  date is *undated* (:data:`~khabar.stories.rules.UNDATED`): it meets every day, and every day meets it.

The best ``top_k`` candidates by shared-key weight go to the comparison model, which scores the
article against each story's representatives (the medoid and the next most central members). The
article joins the best story whose medoid, or a majority of whose representatives, score as the same
story, and whose representatives do on average; it never joins on one member alone, so a chain of
weak links cannot glue stories together. The scores carry the event rule (two texts naming days that
lie apart are two happenings, ``rules.event_score``). An
article that links two or more stories *strongly* (medoid score ≤ ``merge_score``) merges them when
their medoids also agree. Otherwise it starts a new story. Every one of these decisions is a rule of
:mod:`khabar.stories.rules`, shared with the Spark job; this module executes no SQL.

>>> from khabar.store.db import Store
>>> from khabar.stories.scorers import LexicalScorer
>>> from khabar.types import Article
>>> with Store(":memory:") as store:
...     a = Article(id="a1", title="t", text="جيش الإسلام ينفي المفاوضات في الغوطة الشرقية", raw="")
...     _ = store.add_many([a])
...     assign(store, [a], scorer=LexicalScorer())
[1]
"""

from __future__ import annotations

import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from khabar.compare import minhash
from khabar.config import DEFAULT, StoryConfig
from khabar.store.db import Store
from khabar.store.stories import Member, NewMember, StoryIndex
from khabar.stories import rules
from khabar.stories.features import (
    ArticleText,
    Features,
    article_terms,
    compute_features,
    item_parts,
    sig_blob,
    sig_from_blob,
)
from khabar.stories.ids import keep_shown_ids, shown_before
from khabar.stories.scorers import LexicalScorer, Scorer, default_scorer, stored_analysis

__all__ = ["Clusterer", "assign", "clusterer_for", "load_item", "recluster"]


def _pk(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _pick_reps(members: Iterable[Member], config: StoryConfig) -> list[str]:
    """:func:`khabar.stories.rules.pick_reps` of stored members (ties go to the earliest member)."""
    return rules.pick_reps(
        [(rules.centrality(m.cent_sum, m.cent_n), m.mid, m.copy_group, m.article_id) for m in members], config)


class Clusterer:
    """Assigns articles to stories in a store.

    A batch is handled in three passes: (1) features and candidates of every article, and one
    scoring call for all the pairs the decisions will need (the article against its candidate
    stories' representatives, and against earlier articles of the batch that share its keys);
    (2) the decisions, in order, from those scores; (3) exact medoids of the small stories the
    batch touched, again in one call. The comparison model has a large cost per call, so this
    batching, and a lexical gate (``gate_score``) that keeps clearly unrelated pairs from the model,
    are what make it affordable. Caches are bounded: features and profiles of recent articles
    (LRU) and the scores of the current batch.
    """

    def __init__(
        self, store: Store, config: StoryConfig = DEFAULT, scorer: Scorer | None = None, cache_size: int = 4000,
    ) -> None:
        self.store = store
        self.index = StoryIndex(store)
        self.config = config
        self.scorer = scorer if scorer is not None else default_scorer()
        self.cache_size = cache_size
        self._lex = LexicalScorer()
        # article id → Features / scorer representation: content-addressed, so safe across rollbacks
        self._feats: OrderedDict[str, Features] = OrderedDict()
        self._profiles: OrderedDict[str, Any] = OrderedDict()
        self._pending: dict[str, Any] = {}  # the batch's items, to prepare their representations
        self._pair: dict[tuple[str, str], float] = {}  # scores of the batch in flight
        self.pairs_scored = 0  # pairs the scorer was asked about
        self.batches: list[tuple[int, float]] = []  # (articles, seconds) of each assign call
        self.pairs_gated = 0  # pairs the lexical gate settled without the model

    # -- public ----------------------------------------------------------------------------------
    def assign(self, items: Iterable[Any]) -> list[int]:
        """Put each article (an Analysis or a stored Article) in a story; returns their story ids.

        Runs inside ``store.transaction()`` (the caller's, when there is one). Articles already
        clustered keep their story. The articles must already be in the store.
        """
        items = list(items)
        t0 = time.perf_counter()
        out = self._assign(items)
        self.batches.append((len(items), time.perf_counter() - t0))
        return out

    def _assign(self, items: list[Any]) -> list[int]:
        out: list[int | None] = [None] * len(items)
        with self.store.transaction():
            todo: list[tuple[int, Any, ArticleText]] = []
            first: dict[str, int] = {}
            later: list[tuple[int, int]] = []  # the same article again in this batch: (position, first's)
            for idx, item in enumerate(items):
                article = item_parts(item)[0]
                known = self.index.story_of(article.id)
                if known is not None:
                    out[idx] = known
                elif article.id in first:
                    later.append((idx, first[article.id]))
                else:
                    first[article.id] = idx
                    # an item may bring its terms (the Spark job stems in its tasks, not on the driver)
                    todo.append((idx, item, getattr(item, "terms", None) or article_terms(article)))
            df = self.index.document_frequencies(w for t in todo for w in (*t[2].title_terms, *t[2].body_terms))
            n_docs = self.index.count_clustered()
            batch: list[tuple[int, Any, Features]] = []
            new_df: Counter[str] = Counter()
            for idx, item, text in todo:
                article, mentions, _, profile = item_parts(item)
                f = compute_features(article, mentions, df, n_docs, profile, text)
                for t in f.vocabulary:
                    df[t] = df.get(t, 0) + 1
                new_df.update(f.vocabulary)
                n_docs += 1
                batch.append((idx, item, f))
                self._remember(self._feats, f.article_id, f, 4 * self.cache_size)
            self._pending = {f.article_id: item for _, item, f in batch}
            try:
                self._prefetch([f for _, _, f in batch])
                touched: set[int] = set()
                for idx, _, f in batch:
                    out[idx] = self._assign_one(f, touched)
                self._refine(touched)
            finally:
                self._pending = {}
                self._pair = {}
            for idx, src in later:
                out[idx] = out[src]
            self.index.add_document_frequencies(sorted(new_df.items()))
            return [self._live(sid) for sid in out if sid is not None]

    def _live(self, story_id: int) -> int:
        live = self.index.resolve(story_id)
        return story_id if live is None else live

    # -- candidates -------------------------------------------------------------------------------
    def candidates(self, f: Features) -> tuple[Counter[int], list[tuple[float, int, int, int]]]:
        """Candidate stories of an article by shared-key weight, and its near-copies.

        Near-copies come as ``(resemblance, mid, story id, copy group)``. Every lookup is an indexed
        range read capped at ``max_postings``/``max_band_postings`` rows inside the time window, so
        the cost does not depend on the size of the store. A dated article meets only stories whose
        dated members lie within the window of it (``rules.story_in_window``).
        """
        cfg = self.config
        ranges = rules.window_ranges(f.day, cfg)  # the window, and the undated (unknown) days
        near: set[int] = set()
        bands = f.band_keys(cfg.lsh_bands, cfg.lsh_rows)
        # one more posting than the cap is read, to tell a key at the cap from one over it
        for lo, hi in ranges:
            for mids in self.index.band_postings(bands, lo, hi, cfg.max_band_postings + 1).values():
                if rules.key_usable(len(mids), True, cfg):
                    near.update(mids)
        weight: Counter[int] = Counter()
        copies: list[tuple[float, int, int, int]] = []
        if near:
            for mid, sid, sig, group in self.index.by_mid(sorted(near)):
                r = minhash.resemblance(f.sig, sig_from_blob(sig))
                weight[sid] += rules.key_weight(0, r)  # per near member: its resemblance, then per key below
                if rules.is_copy(r, cfg):
                    copies.append((r, mid, sid, group))
        for lo, hi in ranges:
            for sids in self.index.key_postings(f.keys(cfg), lo, hi, cfg.max_postings + 1).values():
                if rules.key_usable(len(sids), False, cfg):  # a key of too many stories tells none apart
                    for sid in sids:
                        weight[sid] += rules.key_weight(1, 0.0)
        if f.day != rules.UNDATED and weight:  # undated members may have brought in stories dated far away
            spans = self.index.dated_spans(sorted(weight), rules.UNDATED)
            weight = Counter({s: w for s, w in weight.items() if rules.story_in_window(f.day, spans.get(s), cfg)})
            copies = [c for c in copies if c[2] in weight]
        return weight, copies

    def _top(self, weight: Counter[int]) -> list[int]:
        ranked = sorted(weight.items(), key=lambda kv: (-kv[1], -kv[0]))
        return [sid for sid, w in ranked if rules.is_candidate(w, self.config)][: self.config.top_k]

    def _reps_of(self, sids: list[int]) -> dict[int, list[str]]:
        return {sid: reps[: self.config.reps] for sid, reps in self.index.reps_of(sids).items()}

    def _prefetch(self, batch: list[Features]) -> None:
        """Score, in one call, the pairs the batch's decisions are likely to need."""
        cfg = self.config
        want: set[tuple[str, str]] = set()
        index: dict[str, list[str]] = {}  # key → earlier articles of this batch
        for f in batch:
            weight, copies = self.candidates(f)
            keys = f.keys(cfg) + [f"b:{b}" for b in f.band_keys(cfg.lsh_bands, cfg.lsh_rows)]
            if not copies:
                for reps in self._reps_of(self._top(weight)).values():
                    want.update(_pk(f.article_id, aid) for aid in reps)
                near: Counter[str] = Counter()
                for k in keys:
                    earlier = index.get(k, ())
                    # within the batch, band keys are capped like the other keys (a guess, not a decision)
                    if rules.key_usable(len(earlier), False, cfg):
                        near.update(earlier)
                ranked = sorted(near.items(), key=lambda kv: (-kv[1], kv[0]))
                want.update(_pk(f.article_id, aid) for aid, w in ranked[: rules.candidate_budget(cfg)]
                            if rules.is_candidate(w, cfg))
            for k in keys:
                index.setdefault(k, []).append(f.article_id)
        self._scores(sorted(want))

    # -- scores -----------------------------------------------------------------------------------
    def _scores(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Scores of article-id pairs: from this batch's cache, else lexical gate, then the scorer in one call."""
        keyed = [_pk(a, b) for a, b in pairs]
        missing = sorted({k for k in keyed if k not in self._pair})
        if missing:
            fa = [self._features(a) for a, _ in missing]
            fb = [self._features(b) for _, b in missing]
            vals = self._lex.score(fa, fb)
            if isinstance(self.scorer, LexicalScorer):
                self.pairs_scored += len(missing)
            else:
                ask = [i for i, v in enumerate(vals) if rules.needs_model(v, self.config)]
                if ask:
                    got = self.scorer.score([self._profile(missing[i][0]) for i in ask],
                                            [self._profile(missing[i][1]) for i in ask])
                    vals[ask] = got
                self.pairs_scored += len(ask)
                self.pairs_gated += len(missing) - len(ask)
            for k, v in zip(missing, vals, strict=True):
                self._pair[k] = float(v)
        return np.array([self._pair[k] for k in keyed], dtype=np.float64)

    def _remember(self, cache: OrderedDict, key: str, value: Any, size: int) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)

    def _features(self, article_id: str) -> Features:
        hit = self._feats.get(article_id)
        if hit is not None:
            self._feats.move_to_end(article_id)
            return hit
        f = Features.from_row(article_id, *self.index.features_row(article_id))
        self._remember(self._feats, article_id, f, 4 * self.cache_size)
        return f

    def _profile(self, article_id: str) -> Any:
        hit = self._profiles.get(article_id)
        if hit is not None:
            self._profiles.move_to_end(article_id)
            return hit
        f = self._features(article_id)
        item = self._pending.get(article_id)
        p = self.scorer.prepare(item, f) if item is not None else self.scorer.load(self.store, f)
        self._remember(self._profiles, article_id, p, self.cache_size)
        return p

    # -- one article ------------------------------------------------------------------------------
    def _assign_one(self, f: Features, touched: set[int]) -> int:
        weight, copies = self.candidates(f)
        if copies:
            copies.sort(key=lambda c: (-c[0], c[1]))
            _, mid, sid, group = copies[0]
            sid = self._merge_linked(sid, sorted({c[2] for c in copies} - {sid}))
            groups = sorted({c[3] for c in copies if self._live(c[2]) == sid})
            group = groups[0]
            self.index.join_copy_groups(group, groups[1:])  # the article bridges copy groups of one story
            cent_sum, cent_n = self.index.centrality_row(mid)  # a copy is as central as its original
            self._add(sid, f, cent_sum, cent_n, group)
            touched.add(sid)
            return sid

        best, strong, rep_scores = self._judge(f, self._top(weight))
        if best is None:
            sid = self.index.new_story(f.title, f.article_id, [f.article_id], f.seen, f.seen, f.day)
            self._add(sid, f, 0.0, 0, None)
            touched.add(sid)
            return sid
        sid = self._merge_linked(best, [s for s in strong if s != best])
        scored = rep_scores[best]
        self.index.add_member(sid, self._member(f, sid, sum(scored.values()), len(scored), None))
        self.index.bump_centralities(scored.items())
        self._touch_story(sid, f, joined=True)
        touched.add(sid)
        return sid

    def _judge(self, f: Features, cands: list[int]) -> tuple[int | None, list[int], dict[int, dict[str, float]]]:
        """Score the article against the candidates' representatives; the story to join and strong links."""
        cfg = self.config
        reps = self._reps_of(cands)
        pairs = [(sid, aid) for sid in cands for aid in reps.get(sid, [])]
        if not pairs:
            return None, [], {}
        scores = self._scores([(f.article_id, aid) for _, aid in pairs])
        by_story: dict[int, dict[str, float]] = {}
        for (sid, aid), s in zip(pairs, scores, strict=True):
            by_story.setdefault(sid, {})[aid] = float(s)
        joinable: list[tuple[float, float, int]] = []
        strong: list[int] = []
        for sid in cands:
            got = by_story.get(sid)
            if not got:
                continue
            medoid = got[reps[sid][0]]
            vals = list(got.values())
            if rules.joins(medoid, vals, cfg):
                joinable.append(rules.preference(vals, medoid, sid))
                if rules.is_strong(medoid, cfg):
                    strong.append(sid)
        if not joinable:
            return None, [], by_story
        joinable.sort()
        return joinable[0][2], strong, by_story

    # -- representatives --------------------------------------------------------------------------
    def _refine(self, touched: set[int]) -> None:
        """Exact centralities (every pair of members scored) for the small stories the batch touched."""
        small: dict[int, list[Member]] = {}
        for sid in sorted({self._live(s) for s in touched}):
            if rules.has_exact_medoid(self.index.story_size(sid), self.config):
                small[sid] = self.index.members(sid)
        pairs = [(a.article_id, b.article_id) for ms in small.values() for k, a in enumerate(ms) for b in ms[k + 1 :]]
        if not pairs:
            return
        scores = dict(zip(pairs, self._scores(pairs), strict=True))
        for sid, ms in small.items():
            for m in ms:
                got = [scores.get((m.article_id, o.article_id), scores.get((o.article_id, m.article_id)))
                       for o in ms if o is not m]
                m.cent_sum, m.cent_n = float(sum(got)), len(got)
            self.index.set_centralities(ms)
            self.index.set_reps(sid, _pick_reps(ms, self.config))

    # -- writes -----------------------------------------------------------------------------------
    def _member(self, f: Features, sid: int, cent_sum: float, cent_n: int, group: int | None) -> NewMember:
        """The stored form of a member, with its band and key postings."""
        cfg = self.config
        return NewMember(f.article_id, f.seen, f.day, sig_blob(f.sig), f.to_json(),
                         f.band_keys(cfg.lsh_bands, cfg.lsh_rows), f.keys(cfg), cent_sum, cent_n, group)

    def _add(self, sid: int, f: Features, cent_sum: float, cent_n: int, group: int | None) -> None:
        """A member joins without a scored decision (a founder, or a near-copy)."""
        self.index.add_member(sid, self._member(f, sid, cent_sum, cent_n, group))
        self._touch_story(sid, f)

    def _touch_story(self, sid: int, f: Features, joined: bool = False) -> None:
        """Update size, first/last seen and, after a scored join, the representatives."""
        self.index.touch_story(sid, f.seen, f.day)
        if not joined:
            return
        # small stories: any member may be the medoid (exact at the end of the batch); large ones: the
        # newcomer may displace a representative, judged on the scores it has
        if rules.has_exact_medoid(self.index.story_size(sid), self.config):  # joined: two members at least
            members = self.index.members(sid)
        else:
            members = self.index.members_of([*self.index.reps_of([sid])[sid], f.article_id])
        self.index.set_reps(sid, _pick_reps(members, self.config))

    def _merge_linked(self, sid: int, others: list[int]) -> int:
        """Merge into one story those of ``others`` whose medoid agrees with ``sid``'s; returns the survivor."""
        others = sorted({self._live(o) for o in others} - {self._live(sid)})
        sid = self._live(sid)
        if not others:
            return sid
        spans = self.index.dated_spans([sid, *others], rules.UNDATED)
        others = [o for o in others if rules.spans_meet(spans.get(sid), spans.get(o), self.config)]
        if not others:
            return sid
        reps = self._reps_of([sid, *others])
        cross = {o: [(a, b) for a in reps.get(sid, []) for b in reps.get(o, [])] for o in others}
        scores = self._scores([p for o in others for p in cross[o]])
        agree, k = [], 0
        for o in others:
            got = scores[k : k + len(cross[o])]
            k += len(cross[o])
            if len(got) and rules.stories_agree(float(got[0]), [float(x) for x in got], self.config):
                agree.append(o)
        if not agree:
            return sid
        return self.merge([sid, *agree])

    def merge(self, story_ids: Sequence[int]) -> int:
        """Merge stories into the largest (the oldest on a tie); returns the surviving id."""
        ids = sorted({self._live(s) for s in story_ids})
        if len(ids) < 2:
            return ids[0]
        rows = self.index.stories(ids)
        survivor = min(ids, key=lambda i: (-rows[i].size, i))
        gone = [i for i in ids if i != survivor]
        reps = [aid for i in [survivor, *gone] for aid in rows[i].reps]
        self.index.merge_into(rows[survivor], [rows[g] for g in gone])
        # Representatives of the merged story: the old ones met each other only within their story;
        # score the cross pairs once so their centralities cover the whole story.
        owner = {aid: i for i in ids for aid in rows[i].reps}
        cross = [(a, b) for k, a in enumerate(reps) for b in reps[k + 1 :] if owner[a] != owner[b]]
        if cross:
            self.index.bump_centralities(
                (aid, s) for (a, b), s in zip(cross, self._scores(cross), strict=True) for aid in (a, b))
        self.index.set_reps(survivor, _pick_reps(self.index.members_of(reps), self.config))
        return survivor


# --- module-level entry points -------------------------------------------------------------------

_CLUSTERERS: weakref.WeakKeyDictionary[Store, Clusterer] = weakref.WeakKeyDictionary()


def clusterer_for(store: Store, config: StoryConfig | None = None, scorer: Scorer | None = None) -> Clusterer:
    """The store's clusterer, made once per store and process so that its caches carry over batches."""
    c = _CLUSTERERS.get(store)
    if c is None or (config is not None and c.config != config) or (scorer is not None and c.scorer is not scorer):
        c = Clusterer(store, config or DEFAULT, scorer)
        _CLUSTERERS[store] = c
    return c


def assign(
    store: Store, analyses: Iterable[Any], *, config: StoryConfig | None = None, scorer: Scorer | None = None,
) -> list[int]:
    """Put stored articles (Analysis objects, or bare Articles) into stories; one story id per item.

    Call it on each stored batch inside the batch's transaction: it joins that transaction.
    """
    return clusterer_for(store, config, scorer).assign(analyses)


def load_item(store: Store, article_id: str) -> Any:
    """A stored article with its stored analysis (an Analysis when the store has one, else the Article)."""
    article = store.get(article_id)
    if article is None:
        raise KeyError(article_id)
    mentions, statements = stored_analysis(store, article_id)
    if mentions is None:
        return article
    from khabar.analyse.analysis import Analysis

    return Analysis(article, mentions, statements or [])


def recluster(
    store: Store, *, config: StoryConfig | None = None, scorer: Scorer | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Rebuild every story from the stored articles, in a fixed order (published, then id), in one transaction.

    The result depends only on the stored articles, their analyses and the config: two runs give the
    same stories with the same ids. Ids already shown are kept (:mod:`khabar.stories.ids`): a story
    keeps the id most of its members had, and an id no story keeps resolves to where its medoid went.
    """
    cfg = config or DEFAULT
    c = Clusterer(store, cfg, scorer or clusterer_for(store).scorer)
    t0 = time.perf_counter()
    with store.transaction():
        before = shown_before(c.index)
        c.index.clear()
        c.index.id_floor = before[-1] + 1  # fresh stories above every id shown, until keep_shown_ids
        ids = c.index.recluster_order()
        for i in range(0, len(ids), cfg.batch_size):
            c.assign([load_item(store, aid) for aid in ids[i : i + cfg.batch_size]])
            if on_batch:
                on_batch(min(i + cfg.batch_size, len(ids)))
        keep_shown_ids(c.index, before)
    _CLUSTERERS[store] = c
    return {"articles": len(ids), "stories": c.index.live_count(), "seconds": round(time.perf_counter() - t0, 3),
            "scorer": c.scorer.name}
