"""Every event one part of newswire tells another of, in one list (after Datasette's
``hookspecs.py``): what each means, who sends it, who listens and why.

The apps run one way (dashboard → pickups and cms → partners → distribution → the wire →
the engine: the import-linter contract in ``pyproject.toml``). When a lower app does
something a higher one acts on, it sends one of these events and never imports the
listener; the listener connects in its app's ``signals.py`` when the app is ready. Inside
an app, an event also lets a module ask for work done by a module that imports it (the
checks ask for a check through :data:`page_to_check`, not through the tasks that run
them), so that no two modules import each other.

Sent as ``event.send(sender=<the sending model or module>, **arguments)``; every argument
is named. A listener's failure is not caught: what it does is part of the sender's work
(inside the sender's transaction when there is one).

The model signals of Django the apps listen to are listed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

#: ``stories_created(stories: list[Story])``
#:
#: - sent by ``wire.stories.create_many`` after it stored new stories in bulk (a bulk
#:   insert sends no ``post_save`` for each);
#: - heard by ``distribution.signals``: the stories already released are pushed to the
#:   partners' WordPress, as a story saved one at a time is.
stories_created = Signal()

#: ``page_showed_beacon(story_id: int, page_url: str)``
#:
#: - sent by ``distribution.beacon`` the first time a page shows a story's beacon on a day;
#: - heard by ``discovery.signals``: the page is handed on to be checked (as
#:   :data:`page_to_check`). Distribution records views and knows nothing of checks;
#:   discovery finds pages, pickups checks them, and neither reads a view.
page_showed_beacon = Signal()

#: ``partner_told(partner_id: int, story_id: int, kind: str, at: datetime)``
#:
#: - sent by ``distribution.notices`` (a correction or withdrawal notice delivered) and
#:   ``distribution.wordpress`` (the partner's post updated or taken down); ``kind`` is
#:   "correction" or "withdrawal";
#: - heard by ``pickups.signals``: the time the partner's copies take to carry the change
#:   starts now (``pickups.watch``).
partner_told = Signal()

#: ``wordpress_post_made(post: WordPressPost)``
#:
#: - sent by ``distribution.wordpress`` after it made a post on a partner's WordPress;
#: - heard by ``discovery.signals``: a published post is a copy from the moment it exists,
#:   handed on to be checked and recorded like any page (as :data:`page_to_check`).
wordpress_post_made = Signal()

#: ``page_to_check(url: str, via: str, watched: int = 0, run_after: datetime | None = None)``
#:
#: - sent by ``discovery.feeds`` (an article in a partner's feed or sitemap),
#:   ``discovery.signals`` (a page that showed the beacon; a post made on a partner's
#:   WordPress) and ``pickups.watch`` (the sooner re-checks of a copy after a correction or
#:   withdrawal: ``watched`` is the story's id, ``run_after`` when);
#: - heard by ``pickups.signals``: a ``check_page`` task is queued when the sender's
#:   transaction commits. Discovery finds pages and never imports the checks (it sits
#:   below pickups); the checks' own modules ask through this too, so that they need not
#:   import the tasks that run them.
page_to_check = Signal()

# --- questions: a lower app asks what a higher app knows -----------------------------------
# Sent like the events above; each listener returns its answer (None: nothing to add), and
# :func:`answers` gathers them. A page of a lower app names no page of a higher one: it
# shows what the higher app answers (tests/test_layers.py holds it to that).


@dataclass(frozen=True)
class Reach:
    """Where a story went: how many copies were found, and where an editor reads them."""

    copies: int
    url: str
    where: str  # e.g. "the dashboard"


@dataclass(frozen=True)
class Link:
    """A link a page shows: ``text`` linked to ``url``, then ``after`` as plain text."""

    text: str
    url: str
    after: str = ""


#: ``story_reach(story: Story) -> Reach``
#:
#: - asked by ``wire.admin`` (a story's "copies found", and the warning before an embargo
#:   on a story partners may have already) and ``wire.views`` (the editors' bar on a
#:   story's page);
#: - answered by ``dashboard.signals``: the copies the pickups app found, and the story's
#:   page on the dashboard.
story_reach = Signal()

#: ``story_page_parts(story: Story) -> str`` (HTML, safe)
#:
#: - asked by ``wire.views`` for a story's public page;
#: - answered by ``distribution.signals``: the "Republish this story" section (the
#:   snippet, with the credit the terms require, and a link to the terms).
story_page_parts = Signal()

#: ``pages_checked_since(urls: list[str], since: datetime) -> set[str]``
#:
#: - asked by ``discovery.feeds``: which of a feed's articles were checked lately (they are
#:   not handed on again);
#: - answered by ``pickups.signals``: the URLs among them with a check since then.
pages_checked_since = Signal()

#: ``partner_links(partner: Partner | None) -> Link``
#:
#: - asked by ``partners.views`` for a partner's own page;
#: - answered by ``dashboard.signals``: the partner's copies of the wire's stories (which
#:   need a fix, and why).
partner_links = Signal()


def answers(question: Signal, sender: Any, **arguments: Any) -> list[Any]:
    """The listeners' answers to a question, in the order they connected (None left out)."""
    return [answer for _, answer in question.send(sender=sender, **arguments)
            if answer is not None]  # fmt: skip


# Django's model signals the apps listen to (in each app's ``signals.py`` unless said):
#
# | signal      | of                          | heard by              | so that
# |-------------|-----------------------------|-----------------------|---------------------------
# | post_save   | StoryVersion (a correction) | distribution.signals  | partners get a correction
# |             |                             |                       | notice; their posts update
# | post_save   | StoryVersion (a correction) | pickups.signals       | every copy is re-checked,
# |             |                             |                       | and its time to correct kept
# | post_save   | Story                       | distribution.signals  | held notices go out on
# |             |                             |                       | release; posts follow the
# |             |                             |                       | story (released, withdrawn)
# | post_save   | Story (withdrawn)           | pickups.signals       | its copies are re-checked
# | post_save   | ApiKey                      | distribution.signals  | the key's cached record goes
# | post_save   | Partner                     | partners.signals      | the partner's keys' cached
# |             |                             |                       | records go
# | post_save   | Partner                     | pickups.signals       | its copies follow its status
# | pre_delete  | Partner                     | pickups.signals       | its copies are unauthorised
# | post_save   | PartnerDomain               | pickups.signals       | copies on the domain are
# |             |                             |                       | the partner's
# | post_save,  | the wire's models           | wire.cache            | cached pages and feeds go;
# | post_delete |                             | (connected by         | a story's parts touch the
# |             |                             | wire.apps)            | story's updated_at
