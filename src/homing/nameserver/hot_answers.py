"""Whole answers to the questions asked most, kept as sent, forgotten per name when it changes.

The fast path (``fastpath``) builds an answer from a question in some sixty
Python steps; an answer kept here costs a slice, a lookup and a join. A
question is kept by its bytes after the ID (flags, counts, the name in the
letter case it was sent, type, class, OPT), so a kept answer is exactly the
one the fast path would build again: it depends on nothing else but the
owner's compiled RRsets, and the view forgets every question of an owner
when a change puts that owner's RRsets (``CompiledView``), and everything
when a zone comes, goes or is signed. Only positive answers of at most 512
bytes to questions without EDNS options are kept: no size limit truncates
them, so they are the same over UDP and TCP; negative answers carry the SOA,
which every serial bump changes; and options (cookies) make each client's
question unique.

Traffic decides whether keeping is worth it. Under a hot set or a Zipf mix
most answers come from here; under uniformly random names over a million
hosts almost none would, and keeping them would only cost. So only one
cold answer in ``fastpath.HOT_SAMPLE`` is offered, the store is cleared
when full, and when the answers kept were asked for again fewer times than
there are of them, offering pauses for ``DORMANT_FILLS`` times as many
offers: the cost under a uniform mix is then one emptiness check per query.
"""

from __future__ import annotations

CAPACITY = 4096
"""Questions kept at most: the head of a Zipf mix, a few hundred kilobytes."""
DORMANT_FILLS = 8
"""After a fill that did not pay, offers ignored: this many times ``CAPACITY``."""


class HotAnswers:
    """Answers by question (bytes after the ID) and the questions kept per owner name."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.replies: dict[bytes, tuple[int, bytes]] = {}
        """Question → (its type, for the answer counts; the answer after its ID)."""
        self.hits = 0
        """Answers served from here since the last fill began (``FastPath`` counts them)."""
        self._questions: dict[bytes, list[bytes]] = {}
        self._dormant = 0

    def offer(self, owner: bytes, question: bytes, qtype: int, answer: bytes) -> None:
        """Keep the ``answer`` (after its ID) to ``question``, whose owner key is ``owner``."""
        if self._dormant:
            self._dormant -= 1
            return
        replies = self.replies
        if question in replies:
            return
        if len(replies) >= self.capacity:
            if self.hits < len(replies):
                self._dormant = DORMANT_FILLS * self.capacity
            self.clear()
            if self._dormant:
                return
        replies[question] = (qtype, answer)
        self._questions.setdefault(owner, []).append(question)

    def forget(self, owner: bytes) -> None:
        """Drop every answer kept for questions about ``owner`` (its RRsets changed)."""
        questions = self._questions.pop(owner, None)
        if questions is not None:
            for question in questions:
                self.replies.pop(question, None)

    def clear(self) -> None:
        self.replies.clear()
        self._questions.clear()
        self.hits = 0
