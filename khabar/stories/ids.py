"""Story ids that hold across a recluster: ``/story/ID`` links, once shown, keep working.

A recluster (:func:`khabar.stories.online.recluster`) builds every story afresh, numbered above every
id ever shown; then :func:`keep_ids` gives the shown ids back:

* a new story takes the old id most of its members had (a tie goes to the old story whose medoid it
  holds, then to the lower id); each old id goes to one story at most, the largest share first;
* an old story whose id no new story took (it split, or was absorbed) resolves to the story its
  medoid is in now (or, when the medoid is gone, the story most of its members went to);
* an id merged before keeps resolving through the story it was merged into.

>>> keep_ids({"a": 1, "b": 1, "c": 2}, {1: "a", 2: "c"}, {3: 1}, {"a": 10, "b": 10, "c": 10})
({10: 1}, [(2, 1), (3, 1)])
"""

from __future__ import annotations

from collections import Counter

from khabar.store.stories import StoryIndex

__all__ = ["keep_ids", "keep_shown_ids", "shown_before"]


def keep_ids(
    old_members: dict[str, int], old_medoids: dict[int, str], old_merged: dict[int, int],
    new_members: dict[str, int],
) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Which new stories take which old ids, and the rows that make the other old ids resolve.

    ``old_members``/``new_members``: article → story id before/after; ``old_medoids``: live story →
    medoid before; ``old_merged``: merged id → the story it pointed at. Returns ``renames`` (new id →
    old id) and ``redirects`` (``(old id, final id it resolves to)``, each target live or listed before).
    """
    votes: Counter[tuple[int, int]] = Counter()
    for aid, new in new_members.items():
        old = old_members.get(aid)
        if old is not None:
            votes[(new, old)] += 1
    holds_medoid = {(new_members[m], old) for old, m in old_medoids.items() if m in new_members}
    renames: dict[int, int] = {}
    taken: set[int] = set()
    for new, old in sorted(votes, key=lambda k: (-votes[k], k not in holds_medoid, k[1], k[0])):
        if new not in renames and old not in taken:
            renames[new] = old
            taken.add(old)
    final = {old: old for old in taken}
    for new in set(new_members.values()) - set(renames):
        final.setdefault(new, new)  # a story no old id went to keeps its fresh id
    redirects: list[tuple[int, int]] = []
    for old in sorted(set(old_medoids) - taken):
        new = new_members.get(old_medoids[old] or "")
        if new is None:  # the medoid is gone: where most of the story's members went
            went = Counter(new_members[a] for a, o in old_members.items() if o == old and a in new_members)
            new = min(went, key=lambda s: (-went[s], s)) if went else None
        if new is not None:
            target = renames.get(new, new)
            redirects.append((old, target))
            final[old] = target
    for gone, into in sorted(old_merged.items()):
        if into in final:  # merged ids always point at a story live when it was merged
            redirects.append((gone, final[into]))
    return renames, redirects


def shown_before(index: StoryIndex) -> tuple[dict[str, int], dict[int, str], dict[int, int], int]:
    """What :func:`keep_shown_ids` needs of the stories before a recluster clears them."""
    members = {aid: sid for aid, (sid, _) in index.memberships().items()}
    medoids, merged, top = index.shown_ids()
    return members, medoids, merged, top


def keep_shown_ids(index: StoryIndex, before: tuple[dict[str, int], dict[int, str], dict[int, int], int]) -> None:
    """After a recluster (stories numbered above ``before``'s highest id): give the shown ids back."""
    old_members, old_medoids, old_merged, _ = before
    new_members = {aid: sid for aid, (sid, _) in index.memberships().items()}
    renames, redirects = keep_ids(old_members, old_medoids, old_merged, new_members)
    index.renumber(renames, redirects)
