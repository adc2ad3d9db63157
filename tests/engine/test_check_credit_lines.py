"""Which short lines are an image's credit (engine.check.credit_lines): a line between two
photos is the first one's."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newswire.engine.check import credit_lines
from newswire.engine.extract import extract


def _lines(html: str) -> list[list[str]]:
    ex = extract(LexborHTMLParser(f"<html><body><article>{html}</article></body></html>"))
    return [[ex.blocks[at].text for at in credit_lines(ex, n)] for n in range(len(ex.images))]


def test_a_line_under_a_photo_is_its_credit_not_the_next_ones():
    got = _lines('<div><img src="a.jpg" alt=""><p>Photo: Ana Ruiz/Getty Images</p></div>'
                 '<div><img src="b.jpg" alt=""><p>Photo: staff</p></div>')
    assert got == [["Photo: Ana Ruiz/Getty Images"], ["Photo: staff"]]


def test_a_line_above_a_photo_is_its_credit_when_no_photo_stands_before():
    got = _lines('<div><p>Ana Ruiz/Getty Images</p><img src="a.jpg" alt=""></div>'
                 "<p>The council met on Monday to vote on the budget for the year.</p>")
    assert "Ana Ruiz/Getty Images" in got[0]


def test_a_long_paragraph_is_no_credit_line():
    got = _lines('<div><img src="a.jpg" alt=""><p>' + "The budget debate went on. " * 14
                 + "</p></div>")
    assert got == [[]]
