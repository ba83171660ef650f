"""Story clustering: quality on a synthetic stream of real news, then speed, flatness and memory at scale.

The base stream is built from the SemEval-2022 Task 8 training pairs:

* **stories**: connected components of the pairs rated Overall 1–2 (the same story or nearly);
* **noise**: the articles of pairs rated 4 (unrelated), each its own story;
* **near-copies**: a third of the story articles re-posted 1–2 times "by another site": lines
  re-wrapped, share / most-read boilerplate added, the title swapped for the lead sentence.
  Natural wire copies (a rated-1 pair whose bodies resemble ≥ 0.75) are one copy group too.

The base stream is clustered from scratch, in a fixed shuffled order, through the full ingest path
(read, clean, analyse, store, cluster): BCubed P/R/F1 (target ≥ 0.90) and near-copy pair P/R (≥ 0.95).

Then scale: a stream that is not flat by construction (``bench/stories_scale.py``): the base
stories re-told in epochs with new words and names, a third of them running longer than the
clustering window, at a steady 300 articles a day over months, each article perturbed (synonyms,
changed numbers, a sentence moved); gold stories are (story, epoch). Each size runs in a child
process on a fresh store: articles/s end to end (target ≥ 200 on 2 cores), ms per article at the
start and end of the run, CPU ms per article in each tenth of the stream (this process and its
workers; last tenth within 1.3× of the first), peak memory (< 2 GB at 100k), and the time of a
plain ``datasketch.MinHashLSH`` pass over the same texts in the same process, as a ratio.

    python bench/stories.py                       # base stream, then 10k, 30k, 100k
    python bench/stories.py --sizes 2000,10000    # smaller runs
    python bench/stories.py --no-dev --n 20000     # one scale run, CPU per tenth
    python bench/stories.py --sizes ""            # base stream and the dev set only

Beside the SemEval stream: the stories dev set of real page openings (``bench/stories_dev.py``):
BCubed, ARI, stories found, hard negatives kept apart, and the char n-gram TF-IDF baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
SEED = 8

BOILER = {
    "ar": ["شارك هذا المقال", "اقرأ أيضاً", "الأكثر قراءة", "تابعونا على تويتر وفيسبوك", "اشترك في النشرة البريدية",
           "جميع الحقوق محفوظة", "إعلان"],
    "tr": ["Bu haberi paylaş", "İlginizi çekebilir", "En çok okunanlar", "Bizi Twitter'da takip edin", "Reklam",
           "Tüm hakları saklıdır"],
    "fr": ["Partager cet article", "À lire aussi", "Les plus lus", "Suivez-nous sur Twitter", "Publicité",
           "Tous droits réservés"],
}
# Word swaps for perturbation (both directions): close enough that the story is the same.
SYNONYMS = {
    "ar": [("قال", "أوضح"), ("أكد", "شدد"), ("اليوم", "الیوم"), ("الرئيس", "رئيس البلاد"), ("أعلن", "كشف"),
           ("الحكومة", "السلطات"), ("مقتل", "وفاة"), ("منطقة", "محيط"), ("أيضا", "كذلك"), ("خلال", "أثناء")],
    "tr": [("dedi", "ifade etti"), ("açıkladı", "duyurdu"), ("bugün", "bu gün"), ("ancak", "fakat"),
           ("büyük", "önemli"), ("yaptı", "gerçekleştirdi"), ("ayrıca", "bunun yanı sıra")],
    "fr": [("a déclaré", "a affirmé"), ("mais", "cependant"), ("aussi", "également"), ("grand", "important"),
           ("selon", "d'après"), ("lundi", "ce lundi")],
}


# --- the base stream ---------------------------------------------------------------------------------


def load_pairs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _components(edges: list[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def articles_of(pairs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One record per distinct URL: title, raw text, language."""
    arts: dict[str, dict[str, Any]] = {}
    for p in pairs:
        for side in "12":
            arts.setdefault(p[f"url{side}"], {"url": p[f"url{side}"], "title": p[f"title{side}"],
                                              "text": p[f"text{side}"], "lang": p["lang"]})
    return arts


def _resemblance(a: str, b: str) -> float:
    from khabar.compare import minhash
    from khabar.text import arabic

    return minhash.resemblance(minhash.signature(minhash.shingles(arabic.words(a))),
                               minhash.signature(minhash.shingles(arabic.words(b))))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _sentences(text: str) -> list[str]:
    from khabar.text import arabic

    return [text[a:b] for a, b in arabic.sentences(text)]


def rewrap(rec: dict[str, Any], rng: random.Random, site: str) -> dict[str, Any]:
    """A near-copy "on another site": line breaks changed, boilerplate lines added, title swapped."""
    sents = _sentences(rec["text"])
    out, para = [], []
    for s in sents:  # new paragraphing: 1–3 sentences per paragraph, whatever the original had
        para.append(s)
        if len(para) >= rng.randint(1, 3):
            out.append(" ".join(para))
            para = []
    if para:
        out.append(" ".join(para))
    boiler = BOILER.get(rec["lang"], BOILER["ar"])
    lines = [rng.choice(boiler)] + out + rng.sample(boiler, 2)
    lead = [x for x in sents if len(x.split()) >= 5]  # the lead sentence, not a dateline
    title = lead[0][:120] if lead else rec["title"]
    return {**rec, "url": f"https://{site}/news/{zlib.crc32(rec['url'].encode()) % 10**8}", "title": title,
            "text": "\n\n".join(lines)}


def base_stream(pairs: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The base stream: records with ``id, url, title, text, lang``, gold ``story`` and ``copy``."""
    arts = articles_of(pairs)
    same = [(p["url1"], p["url2"]) for p in pairs if p["gold"]["Overall"] <= 2]
    comp = _components(same)
    noise = sorted({p[f"url{s}"] for p in pairs if p["gold"]["Overall"] >= 4 for s in "12"} - set(comp))
    copy_edges = [(p["url1"], p["url2"]) for p in pairs if p["gold"]["Overall"] <= 1
                  and _resemblance(p["text1"], p["text2"]) >= 0.75]
    copy_comp = _components(copy_edges)
    records = []
    for url in sorted(comp) + noise:
        a = arts[url]
        records.append({**a, "story": comp.get(url, url), "copy": copy_comp.get(url, url)})
    copies = []
    story_urls = sorted(comp)
    for url in rng.sample(story_urls, len(story_urls) // 3):
        rec = next(r for r in records if r["url"] == url)
        for k in range(rng.randint(1, 2)):
            copies.append(rewrap(rec, rng, f"mirror{k}-{rng.randint(1, 40)}.example"))
    records += copies
    rng.shuffle(records)
    for i, r in enumerate(records):
        r["id"] = f"b{i:05d}"
    return records


def gold_labels(records: list[dict[str, Any]]) -> None:
    """Replace URL-valued gold labels by short ones (s1, c1 …) in first-seen order."""
    for key in ("story", "copy"):
        names: dict[str, str] = {}
        for r in records:
            r[key] = names.setdefault(r[key], f"{key[0]}{len(names) + 1}")


# --- the test gold set ------------------------------------------------------------------------------

# Stories grouped by hand (read and judged): articles the pairs do not tie together at Overall ≤ 1.5.
HAND_GROUPS = {
    "h-bagcilar-maske": ["haberler.com/istanbul-da-utandiran-goruntu", "sondakika.com/haber-istanbul-da-utandiran",
                         "yasli-adama-zorla-maske-takip", "son-dakika-istanbulda-yasli-adama-maske"],
    "h-salda-kum": ["salda-golunun-tasinan-kumlari", "zarar-gormesin-diye-kazma-kurekle"],
    "h-fenerbahce-virus": ["fenerbahceli-bir-futbolcu-ve-saglik", "turkiyegazetesi.com.tr/spor/690947",
                           "virus-cikan-fenerbahceli-isim-belli"],
}
GOLD_PAIRS = {"ar": 35, "fr": 13, "tr": 20}  # rated-1 pairs per language taken into the test gold set
GOLD_NOISE = {"ar": 14, "fr": 4, "tr": 10}  # articles of rated-4 pairs, each its own story


def trim(text: str, lo: int = 450, hi: int = 700) -> str:
    """The first paragraphs (at least ``lo`` characters where there are, at most ``hi``, cut at a sentence)."""
    from khabar.text import arabic

    out = ""
    for para in _paragraphs(text):
        if len(out) >= lo:
            break
        room = hi - len(out)
        if len(para) > room:
            cut = [b for _, b in arabic.sentences(para) if b <= room]
            para = para[: cut[-1]] if cut else para[:room]
        out += ("\n\n" if out else "") + para
    return out


def gold_set(pairs: list[dict[str, Any]], examples: Path) -> list[dict[str, Any]]:
    """The small test gold set: rated-1 components, hand-grouped stories, noise, and the two examples."""
    arts = articles_of(pairs)
    taken: dict[str, int] = defaultdict(int)
    edges = []
    for p in pairs:
        if p["gold"]["Overall"] <= 1.5 and taken[p["lang"]] < GOLD_PAIRS[p["lang"]]:
            taken[p["lang"]] += 1
            edges.append((p["url1"], p["url2"]))
    story = _components(edges)
    for name, parts in HAND_GROUPS.items():
        for part in parts:
            urls = [u for u in arts if part in u]
            assert len(urls) == 1, (part, urls)
            story[urls[0]] = name
    noise: dict[str, int] = defaultdict(int)
    for p in pairs:
        if p["gold"]["Overall"] >= 4 and noise[p["lang"]] < GOLD_NOISE[p["lang"]]:
            for u in (p["url1"], p["url2"]):
                if u not in story and noise[p["lang"]] < GOLD_NOISE[p["lang"]]:
                    story[u] = u
                    noise[p["lang"]] += 1
    records = [{"url": u, "title": arts[u]["title"], "text": trim(arts[u]["text"]), "lang": arts[u]["lang"],
                "story": story[u]} for u in sorted(story)]
    meta = json.loads((examples / "sources.json").read_text(encoding="utf-8"))
    for name in sorted(meta):
        title, _, body = (examples / name).read_text(encoding="utf-8").strip().partition("\n")
        rec = {"title": title.strip(), "text": trim(body.strip(), 900, 1400), "lang": "ar", "story": "example-ghouta",
               "source": meta[name]["source"]}
        if meta[name].get("url"):
            rec["url"] = meta[name]["url"]
        records.append(rec)
    random.Random(SEED).shuffle(records)
    names: dict[str, str] = {}
    for i, r in enumerate(records):
        r["id"] = f"g{i:03d}"
        r["story"] = names.setdefault(r["story"], f"s{len(names) + 1:03d}")
    return [{k: r[k] for k in ("id", "story", "lang", "url", "source", "title", "text") if k in r} for r in records]


# --- scale -------------------------------------------------------------------------------------------


DATELINE = {"ar": "{d}/{m}/{y} (خاص)", "tr": "({d}.{m}.{y}) Özel haber", "fr": "({d}/{m}/{y}) Exclusif"}


def perturb(rec: dict[str, Any], rng: random.Random, when: str) -> dict[str, Any]:
    """Not an exact copy: a dateline, a few synonyms swapped, numbers changed, two sentences swapped."""
    text, title = rec["text"], rec["title"]
    for a, b in rng.sample(SYNONYMS.get(rec["lang"], SYNONYMS["ar"]), 3):
        src, dst = (a, b) if rng.random() < 0.5 else (b, a)
        text = text.replace(src, dst, 2)
        title = title.replace(src, dst)

    def renumber(m: re.Match) -> str:
        return str(int(m.group()) + rng.randint(1, 9)) if rng.random() < 0.5 else m.group()

    text = re.sub(r"\d{1,6}", renumber, text)
    paras = _paragraphs(text)
    sents = [_sentences(p) for p in paras]
    longest = max(range(len(paras)), key=lambda i: len(sents[i])) if paras else 0
    if paras and len(sents[longest]) >= 3:  # swap two sentences after the first in the longest paragraph
        i = rng.randrange(1, len(sents[longest]) - 1)
        ss = sents[longest]
        ss[i], ss[i + 1] = ss[i + 1], ss[i]
        paras[longest] = " ".join(ss)
    line = DATELINE.get(rec["lang"], DATELINE["ar"]).format(d=int(when[8:10]), m=int(when[5:7]), y=when[:4])
    return {**rec, "title": title, "text": line + "\n\n" + "\n\n".join(paras)}


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# --- runs --------------------------------------------------------------------------------------------


def lsh_baseline(path: Path) -> float:
    """Seconds for a plain datasketch MinHashLSH pass (shingle, sign, query, insert) over the file's texts."""
    from datasketch import MinHash, MinHashLSH

    from khabar.compare import minhash
    from khabar.text import arabic

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=minhash.NUM_PERM)
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            try:
                text = json.loads(line)["text"]
            except (ValueError, KeyError):
                continue
            m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
            m.update_batch([s.encode("utf-8") for s in minhash.shingles(arabic.words(text))])
            lsh.query(m)
            lsh.insert(str(i), m)
    return time.perf_counter() - t0


def run_child(path: Path, batch: int, out: Path, model: Path | None = None) -> None:
    """One measured run (in its own process): cluster the file as a stream, then the LSH baseline."""
    import stories_scale  # bench/, beside this file

    from khabar.store.db import Store
    from khabar.stories import evaluate
    from khabar.stories import online as cluster
    from khabar.stories.scorers import ModelScorer

    marks: list[tuple[int, float]] = []
    cpu_marks: list[tuple[int, float]] = []  # (articles, CPU s of this process and its workers)
    cpu0 = stories_scale.cpu_seconds()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="khabar-bench-") as tmp, Store(Path(tmp) / "b.db") as store:
        done = 0

        def on_batch(n: int) -> None:
            nonlocal done
            done += n
            marks.append((done, time.perf_counter() - t0))
            cpu_marks.append((done, stories_scale.cpu_seconds() - cpu0))

        scorer = ModelScorer(str(model)) if model else None
        report = evaluate.stream(str(path), store, batch_size=batch, on_batch=on_batch, analyse=_can_analyse(),
                                 scorer=scorer)
        elapsed = time.perf_counter() - t0
        result = _score(path, store)
        result["scorer"] = cluster.clusterer_for(store).scorer.name
        result["analysed"] = _can_analyse()
    n = marks[-1][0] if marks else 0
    tenth = max(1, len(marks) // 10)

    def rate(seg: list[tuple[int, float]], prev: tuple[int, float]) -> float:
        return (seg[-1][1] - prev[1]) / max(1, seg[-1][0] - prev[0]) * 1000

    first = rate(marks[:tenth], (0, 0.0))
    last = rate(marks[-tenth:], marks[-tenth - 1] if len(marks) > tenth else (0, 0.0))
    base_s = lsh_baseline(path)
    result.update({
        "articles": n, "seconds": round(elapsed, 1), "articles_per_s": round(n / elapsed, 1),
        "ms_first_10pct": round(first, 2), "ms_last_10pct": round(last, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "lsh_seconds": round(base_s, 1), "ratio_vs_lsh": round(elapsed / base_s, 1),
        "failed": len(report["failed"]), "pairs_scored": report["pairs_scored"],
        "ms_cluster": round(report["cluster_seconds"] / max(1, n) * 1000, 2),
        "ms_cluster_first_10pct": _per_article(report["cluster_batches"][:tenth]),
        "ms_cluster_last_10pct": _per_article(report["cluster_batches"][-tenth:]),
        "cpu_ms_tenths": stories_scale.tenths(cpu_marks),
    })
    out.write_text(json.dumps(result))


def _per_article(batches: list[tuple[int, float]]) -> float:
    return round(sum(t for _, t in batches) / max(1, sum(n for n, _ in batches)) * 1000, 2)


def _can_analyse() -> bool:
    """Whether entity and quote extraction are installed (the full path); without them, no analysis."""
    try:
        import khabar.analyse.entities  # noqa: F401
        import khabar.analyse.quotes  # noqa: F401
    except ImportError:
        return False
    return True


def _score(path: Path, store: Any) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score

    from khabar.store.stories import StoryIndex
    from khabar.stories import evaluate

    gold: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            gold[r["id"]] = (r["story"], r["copy"])
    ids = evaluate.record_article_ids(str(path))
    index = StoryIndex(store)
    members = index.memberships()
    live = {sid: index.resolve(sid) for sid in {m[0] for m in members.values()}}
    g, p, gc, pc = [], [], [], []
    for input_id, (story, copy) in gold.items():
        m = members.get(ids.get(input_id, ""))
        if m is not None:
            g.append(story)
            p.append(live[m[0]])
            gc.append(copy)
            pc.append(m[1])
    return {"bcubed": evaluate.bcubed(g, p), "ari": round(float(adjusted_rand_score(g, p)), 4),
            "copies": evaluate.pair_scores(gc, pc), "stories": len(set(p)), "gold_stories": len(set(g))}


def measure(records: list[dict[str, Any]], batch: int, tmp: Path, name: str, model: Path | None) -> dict[str, Any]:
    path = tmp / f"{name}.jsonl"
    write_jsonl(records, path)
    out = tmp / f"{name}.result.json"
    cmd = [sys.executable, __file__, "--child", str(path), "--batch", str(batch), "--out", str(out)]
    proc = subprocess.run(cmd + (["--model", str(model)] if model else []), capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"error: run {name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--sizes", default="10000,30000,100000", help="Comma-separated stream sizes; '' for none.")
    ap.add_argument("--n", type=int, help="One scale run of this many articles (instead of --sizes).")
    ap.add_argument("--batch", type=int, default=200, help="Articles per ingest batch (transaction).")
    ap.add_argument("--model", type=Path, help="A similarity model file other than the shipped one.")
    ap.add_argument("--dev", type=Path, default=None, help="The stories dev set (default ../shared/data/stories-dev.jsonl).")
    ap.add_argument("--no-dev", action="store_true", help="Skip the dev-set section.")
    ap.add_argument("--write-gold", type=Path, metavar="PATH",
                    help="Write the small test gold set (tests/data/stories_gold.jsonl) and stop.")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_child(args.child, args.batch, args.out, args.model)
        return
    if not args.data.exists():
        sys.exit(f"error: {args.data}: not found (the shared data folder is needed for this benchmark)")
    if args.write_gold:
        recs = gold_set(load_pairs(args.data), ROOT / "examples")
        write_jsonl(recs, args.write_gold)
        print(f"{args.write_gold}: {len(recs)} articles, {len({r['story'] for r in recs})} stories, "
              f"{args.write_gold.stat().st_size // 1024} KB")
        return
    rng = random.Random(SEED)
    base = base_stream(load_pairs(args.data), rng)
    gold_labels(base)
    import stories_scale  # bench/, beside this file

    sizes = [args.n] if args.n else [int(s) for s in args.sizes.split(",") if s.strip()]
    if any(not 100 <= n <= 10_000_000 for n in sizes):
        sys.exit("error: stream sizes must be 100..10,000,000")
    with tempfile.TemporaryDirectory(prefix="khabar-bench-") as tmp:
        r = measure(base, args.batch, Path(tmp), "base", args.model)
        n_copies = sum(1 for x in base if x["url"].startswith("https://mirror"))
        print(f"base stream          {r['articles']} articles ({n_copies} made near-copies), "
              f"{r['gold_stories']} gold stories, {r['stories']} found   scorer: {r['scorer']}"
              + ("" if r["analysed"] else "   (no entity/quote analysis installed)"))
        b = r["bcubed"]
        print(f"BCubed               P {b['p']:.3f}  R {b['r']:.3f}  F1 {b['f1']:.3f}   (target F1 >= 0.90)")
        print(f"ARI                  {r['ari']:.3f}")
        c = r["copies"]
        print(f"near-copy pairs      P {c['p']:.3f}  R {c['r']:.3f}   ({c['pairs_gold']} gold pairs; target >= 0.95)")
        print(f"speed                {r['articles_per_s']:.0f} articles/s end to end (read, clean, analyse, store, "
              f"cluster), of which clustering {r['ms_cluster']:.2f} ms/article; peak {r['peak_mb']} MB")
        print()
        if not args.no_dev:
            import stories_dev

            stories_dev.report(args.dev or stories_dev.DEV)
            print()
        if sizes:
            print(f"{'size':>8} {'art/s':>7} {'ms/art first10%':>16} {'last10%':>8} {'cluster ms first/last10%':>25} "
                  f"{'peak MB':>8} {'F1':>6} {'copyP':>6} {'copyR':>6} {'vs LSH':>7}")
        per_article = []
        tenth_rows = []
        for size in sizes:
            recs = stories_scale.scaled_stream(base, size, SEED + size, perturb, rewrap)
            r = measure(recs, args.batch, Path(tmp), f"s{size}", args.model)
            tenth_rows.append((size, r["cpu_ms_tenths"], recs[0]["published"][:10], recs[-1]["published"][:10]))
            per_article.append(1000 / r["articles_per_s"])
            print(f"{size:>8} {r['articles_per_s']:>7.0f} {r['ms_first_10pct']:>16.2f} {r['ms_last_10pct']:>8.2f} "
                  f"{r['ms_cluster_first_10pct']:>17.2f} / {r['ms_cluster_last_10pct']:<5.2f} {r['peak_mb']:>8} "
                  f"{r['bcubed']['f1']:>6.3f} {r['copies']['p']:>6.3f} {r['copies']['r']:>6.3f} "
                  f"{r['ratio_vs_lsh']:>6.1f}x", flush=True)
        for size, ts, first_day, last_day in tenth_rows:  # CPU: other load on the machine does not blur it
            print(f"{size}: CPU ms/article per tenth ({first_day} … {last_day}): " + " ".join(f"{t:.1f}" for t in ts)
                  + (f"   last/first {ts[-1] / ts[0]:.2f}x (target <= 1.3x)" if len(ts) > 1 and ts[0] else ""))
        if len(per_article) > 1:
            print(f"time per article, largest / smallest size: {per_article[-1] / per_article[0]:.2f}x "
                  "(target <= 1.5x)")


if __name__ == "__main__":
    main()
