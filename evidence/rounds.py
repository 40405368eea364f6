"""Evidence in a next round: the links of the previous round, carried over by `carry_evidence`, which the
next-round page passes to assessments.rounds.do_start_next_round (`carry_also`)."""

from typing import Any

from assessments.rounds import NextRound
from evidence.models import EvidenceLink


def carry_evidence(carried: NextRound) -> dict[str, Any]:
    """The same items of the library, attached again to the matching key factor or question of the new round,
    inside the round's transaction; returns how many links were carried, for its history."""
    # A link to a question the new version lacks goes to its key factor as a whole. Deleted items stay behind.
    links: dict[tuple[int, int, int | None], EvidenceLink] = {}
    old_links = EvidenceLink.objects.filter(
        factor__assessment=carried.old, evidence__deleted_at__isnull=True
    ).select_related("factor__key_factor")
    for link in old_links:
        factor = carried.factors.get(link.factor.key_factor.slug)
        if factor is None:
            continue
        question = carried.answers.get(link.question_id) if link.question_id is not None else None
        key = (link.evidence_id, factor.pk, question.pk if question else None)
        # The link keeps who made it (a partner detaches the links they made, in every round).
        copy = EvidenceLink(
            evidence_id=link.evidence_id,
            factor=factor,
            question=question,
            added_by_id=link.added_by_id or carried.by.pk,
        )
        links.setdefault(key, copy)
    EvidenceLink.objects.bulk_create(links.values())
    return {"evidence_links_carried": len(links)}
