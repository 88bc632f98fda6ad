"""The reader in a real browser, as a person uses it: Debian's Chromium driven by Playwright against
`create_app` served by uvicorn on 127.0.0.1 (fixtures in conftest.py).

Open the front page and use the keys, open a story, follow a citation to its highlighted passage,
search and page through results, follow and unfollow an entity, subscribe to a feed served from
127.0.0.1 and watch its story form, check that hostile articles execute nothing on any page, and that
the story page fits a phone.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests.browser.harness import BrowserSession, Reader, WatchedPage, missing_browser_reason
from tests.browser.hostile import (
    HOMOGLYPH_OUTLET,
    HOSTILE_WORD,
    HTML_PAGE_TITLE,
    IFRAME,
    IMG,
    JS_URL,
    JS_URL_TITLE,
    MARKUP_URL,
    MARKUP_URL_TITLE,
    PAGING_ARTICLES,
    PAGING_WORD,
    QUOTED_SPEAKER_KEY,
    RTL_OVERRIDE,
    SCRIPT,
    STYLE,
    SVG,
    TEMPLATE,
)

_reason = missing_browser_reason()
if _reason is not None:
    pytest.skip(f"browser tests skipped: {_reason}", allow_module_level=True)

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

STRIKE = "Port Arlen"  # the examples' four-article story
FEED_WORD = "Orrin"  # the story of fixtures/feed
SEARCH_PAGE_SIZE = 20
SELECTED = re.compile(r"\bselected\b")
ATOM = "{http://www.w3.org/2005/Atom}"

# Everything that could run or load on a page, gathered in one pass over the DOM.
PAGE_AUDIT = """
() => {
  const protocol = (value) => { try { return new URL(value, location.href).protocol; } catch (e) { return "bad:" + value; } };
  const handlers = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.toLowerCase().startsWith("on")) { handlers.push(element.tagName + "[" + attribute.name + "]"); }
    }
  }
  return {
    pwned: typeof window.__pwned,
    scripts: Array.from(document.querySelectorAll("script")).map((s) => s.getAttribute("src") || "inline: " + s.textContent.slice(0, 80)),
    handlers: handlers,
    bad_links: Array.from(document.querySelectorAll("a[href], area[href]")).map((a) => a.getAttribute("href"))
      .filter((href) => !["http:", "https:"].includes(protocol(href))),
    bad_sources: Array.from(document.querySelectorAll("[src], [action], [formaction], [xlink\\\\:href]"))
      .map((e) => e.getAttribute("src") || e.getAttribute("action") || e.getAttribute("formaction") || "")
      .filter((value) => value && !["http:", "https:"].includes(protocol(value))),
    embedded: Array.from(document.querySelectorAll("iframe, frame, object, embed, base, meta[http-equiv], svg, math"))
      .map((e) => e.outerHTML.slice(0, 120)),
    styles: Array.from(document.querySelectorAll("style, [style]")).map((e) => e.outerHTML.slice(0, 120)),
    body_display: getComputedStyle(document.body).display,
    csp: window.__cspViolations || [],
  };
}
"""


# ---------------------------------------------------------------- helpers


def api(watched: WatchedPage, reader: Reader, path: str) -> Any:
    response = watched.page.request.get(reader.base_url + path)
    assert response.ok, f"{path}: {response.status}"
    return response.json()


def open_story(watched: WatchedPage, reader: Reader, words: str) -> str:
    """From the front page, click the story whose title has WORDS; its id."""
    tab = watched.page
    tab.goto(reader.base_url + "/")
    tab.locator("ol.stories a.item-link", has_text=words).first.click()
    tab.wait_for_url(re.compile(r"/story/[^/?#]+$"))
    return urlsplit(tab.url).path.rsplit("/", 1)[1]


def assert_nothing_runs(watched: WatchedPage, *, scripts: tuple[str, ...] = ("/static/reader.js",)) -> None:
    """The page ran none of the hostile payloads and holds nothing that could: no script but ours, no
    event-handler attribute, no javascript: link, no frame or SVG, no inline style, no CSP report."""
    audit = watched.page.evaluate(PAGE_AUDIT)
    assert audit["pwned"] == "undefined", "a payload ran"
    assert audit["scripts"] == list(scripts)
    assert audit["handlers"] == []
    assert audit["bad_links"] == []
    assert audit["bad_sources"] == []
    assert audit["embedded"] == []
    assert audit["body_display"] != "none", "injected CSS hid the page"
    if scripts:  # our pages carry no inline style (Chromium's own text viewer does)
        assert audit["styles"] == []
    # Escaped markup never even tries to run, so the CSP has nothing to report.
    assert audit["csp"] == []
    assert watched.csp_console == []
    assert watched.dialogs == []


def text_of(watched: WatchedPage, selector: str = "main") -> str:
    """What a reader sees of SELECTOR (innerText: rendered text, markup of the content shown as text)."""
    return str(watched.page.locator(selector).inner_text())


def hostile_ids(watched: WatchedPage, reader: Reader) -> dict[str, str]:
    """Article ids of the hostile articles by title, and the hostile story's id under "story"."""
    found = api(watched, reader, "/api/search?" + f"q={HOSTILE_WORD}")
    ids = {result["title"]: result["id"] for result in found["results"]}
    story_ids = {result["story_id"] for result in found["results"]}
    assert len(story_ids) == 1, f"the hostile articles should form one story, not {story_ids}"
    return ids | {"story": story_ids.pop()}


# ---------------------------------------------------------------- the reader's paths


def test_the_browser_cannot_reach_other_hosts(page: WatchedPage, browser: BrowserSession) -> None:
    before = len(browser.external_requests)
    with pytest.raises(PlaywrightError):
        page.page.goto("http://example.org/")
    assert browser.external_requests[before:] == ["http://example.org/"]
    del browser.external_requests[before:]  # the guard worked; the page fixture checks nothing else left


def test_front_page_lists_the_story_and_answers_the_keys(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(reader.base_url + "/")
    expect(tab.locator("ol.stories a.item-link", has_text=STRIKE)).to_have_count(1)
    items = tab.locator("main .items > .item")
    assert items.count() >= 2

    tab.keyboard.press("j")
    expect(items.nth(0)).to_have_class(SELECTED)
    tab.keyboard.press("j")
    expect(items.nth(1)).to_have_class(SELECTED)
    expect(items.nth(0)).not_to_have_class(SELECTED)
    expect(items.nth(1).locator("a.item-link")).to_be_focused()
    tab.keyboard.press("k")
    expect(items.nth(0)).to_have_class(SELECTED)
    expect(items.nth(1)).not_to_have_class(SELECTED)

    dialog = tab.locator("#help-dialog")
    expect(dialog).to_be_hidden()
    tab.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Keyboard shortcuts")
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    tab.keyboard.press("/")
    expect(tab.locator("#site-search")).to_be_focused()
    tab.keyboard.press("Escape")
    expect(tab.locator("#site-search")).not_to_be_focused()

    target = items.nth(0).locator("a.item-link").get_attribute("href")
    tab.keyboard.press("o")
    tab.wait_for_url(reader.base_url + target)
    expect(tab.locator("h1#story-title")).to_be_visible()


def test_story_page_has_summary_timeline_quotes_and_coverage(page: WatchedPage, reader: Reader) -> None:
    story_id = open_story(page, reader, STRIKE)
    tab = page.page
    twin = api(page, reader, f"/api/stories/{story_id}")
    synthesis = twin["synthesis"]
    assert synthesis is not None

    expect(tab.locator("h1#story-title")).to_contain_text(synthesis["title"])
    for heading in ("Summary", "Timeline", "Quotes", "Coverage"):
        section = tab.locator(f"section[aria-labelledby='h-{heading.lower()}']")
        expect(section).to_be_visible()
        expect(section.locator("h2")).to_have_text(heading)

    sentences = tab.locator("section[aria-labelledby='h-summary'] ol.summary-sentences > li")
    expect(sentences).to_have_count(len(synthesis["summary"]))
    for index, sentence in enumerate(synthesis["summary"]):
        expect(sentences.nth(index)).to_contain_text(sentence["text"])
        assert sentences.nth(index).locator("a.cite").count() >= 1
    expect(tab.locator("section[aria-labelledby='h-timeline'] li.item")).to_have_count(
        len(synthesis["timeline"])
    )
    expect(tab.locator("section[aria-labelledby='h-timeline'] time[datetime]").first).to_be_visible()
    assert tab.locator("section[aria-labelledby='h-quotes'] blockquote").count() >= 1
    coverage = tab.locator("section[aria-labelledby='h-coverage'] table.outlets tbody tr")
    expect(coverage).to_have_count(len(synthesis["coverage"]["outlets"]))
    for outlet in ("Harbour Bulletin", "Regional Wire", "The Arlen Courier"):
        expect(tab.locator("section[aria-labelledby='h-coverage']")).to_contain_text(outlet)
    assert_nothing_runs(page)


def test_a_citation_opens_its_passage_highlighted_and_in_view(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.set_viewport_size({"width": 900, "height": 500})  # short: the passage lies below the fold
    open_story(page, reader, STRIKE)
    cites = tab.locator("section[aria-labelledby='h-summary'] a.cite")
    assert cites.count() >= 1
    # The citation furthest into its article: the page must scroll to show it.
    citations = []
    for index in range(cites.count()):
        href = str(cites.nth(index).get_attribute("href"))
        match = re.fullmatch(r"/article/([^?]+)\?hl=(\w+):(\d+)-(\d+)#passage", href)
        assert match, href
        citations.append((int(match.group(3)), int(match.group(4)), match.group(2), match.group(1), index))
    start, end, field, article_id, index = max(citations)

    cites.nth(index).click()
    tab.wait_for_url(re.compile(r"/article/.*#passage$"))
    passage = tab.locator("mark#passage")
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    expect(passage).to_be_focused()
    assert tab.evaluate("window.scrollY") > 0, "the page did not scroll to the passage"

    article = api(page, reader, f"/api/articles/{article_id}")["article"]
    cited = (article[field] or "")[start:end]
    assert cited.strip()
    marks = tab.locator("mark.passage")
    # The passage is one <mark> per piece between annotations; the first one carries the anchor.
    expect(marks.first).to_have_id("passage")
    assert "".join(marks.all_text_contents()) == cited.replace("\n\n", "")
    assert_nothing_runs(page)


def test_search_highlights_matches_and_its_pages_keep_the_query(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(reader.base_url + "/")
    tab.keyboard.press("/")
    tab.keyboard.type(PAGING_WORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/search\?"))
    assert parse_qs(urlsplit(tab.url).query)["q"] == [PAGING_WORD]

    results = tab.locator("ol.results > li")
    expect(results).to_have_count(SEARCH_PAGE_SIZE)
    for index in range(SEARCH_PAGE_SIZE):
        marked = results.nth(index).locator("mark").all_text_contents()
        assert marked and {m.lower() for m in marked} == {PAGING_WORD}, marked

    tab.locator("nav.pager a[rel='next']").click()
    tab.wait_for_url(re.compile(r"page=2"))
    assert parse_qs(urlsplit(tab.url).query)["q"] == [PAGING_WORD]
    expect(results).to_have_count(PAGING_ARTICLES - SEARCH_PAGE_SIZE)
    expect(tab.locator("form.filters input[name='q']")).to_have_value(PAGING_WORD)
    expect(tab.locator("#site-search")).to_have_value(PAGING_WORD)
    previous = str(tab.locator("nav.pager a[rel='prev']").get_attribute("href"))
    assert parse_qs(urlsplit(previous).query)["q"] == [PAGING_WORD]
    assert_nothing_runs(page)


def test_search_filters_keep_the_query(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(f"{reader.base_url}/search?q={PAGING_WORD}")
    filters = tab.locator("form.filters")
    filters.locator("select[name='outlet']").select_option("Harbour Notices")
    filters.locator("select[name='sort']").select_option("date")
    with tab.expect_navigation() as navigation:
        filters.get_by_role("button", name="Search").click()
    assert navigation.value is not None and navigation.value.status == 200, navigation.value.status
    query = parse_qs(urlsplit(tab.url).query)
    assert query["q"] == [PAGING_WORD]
    assert query["outlet"] == ["Harbour Notices"]
    results = tab.locator("ol.results > li")
    expect(results).to_have_count(SEARCH_PAGE_SIZE)
    expect(results.first.locator("h2")).to_contain_text(f"notice {PAGING_ARTICLES}:")  # newest first
    following = parse_qs(urlsplit(str(tab.locator("nav.pager a[rel='next']").get_attribute("href"))).query)
    assert following["q"] == [PAGING_WORD]
    assert following["sort"] == ["date"]
    assert following["outlet"] == ["Harbour Notices"]
    assert_nothing_runs(page)


def test_front_page_filters_by_outlet(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(reader.base_url + "/")
    filters = tab.locator("form.filters")
    filters.locator("select[name='outlet']").select_option("Harbour Bulletin")
    with tab.expect_navigation() as navigation:
        filters.get_by_role("button", name="Filter").click()
    assert navigation.value is not None and navigation.value.status == 200, navigation.value.status
    expect(tab.locator("ol.stories a.item-link")).to_have_count(1)
    expect(tab.locator("ol.stories a.item-link")).to_contain_text(STRIKE)
    expect(tab.locator("form.filters select[name='outlet']")).to_have_value("Harbour Bulletin")
    assert_nothing_runs(page)


def test_follow_an_entity_then_unfollow_it(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    open_story(page, reader, STRIKE)
    tab.locator("section[aria-labelledby='h-entities'] a", has_text="Ingrid Sol").click()
    tab.wait_for_url(re.compile(r"/entity/"))
    entity_url = tab.url
    expect(tab.locator("main h1")).to_contain_text("Ingrid Sol")

    with tab.expect_navigation() as navigation:
        tab.get_by_role("button", name="Follow", exact=True).click()
    assert navigation.value is not None and navigation.value.status == 200, navigation.value.status
    expect(tab.locator("main h1")).to_contain_text("Ingrid Sol")  # back on the entity page
    following = tab.get_by_role("button", name="Following ✓")
    expect(following).to_have_attribute("aria-pressed", "true")

    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Follows").click()
    tab.wait_for_url(re.compile(r"/follows$"))
    entry = tab.locator("ul.follows > li", has_text="Ingrid Sol")
    expect(entry).to_have_count(1)
    expect(entry.locator(".badge")).to_have_text("entity")

    entry.locator("a.item-link").click()
    expect(tab.locator("main h1")).to_have_text("What's new: Ingrid Sol")
    with tab.expect_navigation() as navigation:
        tab.get_by_role("button", name="Unfollow").click()
    assert navigation.value is not None and navigation.value.status == 200, navigation.value.status
    assert urlsplit(tab.url).path == "/follows"
    expect(tab.locator("ul.follows > li", has_text="Ingrid Sol")).to_have_count(0)

    tab.goto(entity_url)
    expect(tab.get_by_role("button", name="Follow", exact=True)).to_have_attribute("aria-pressed", "false")
    assert_nothing_runs(page)


def test_add_a_feed_from_this_machine_and_watch_its_story_form(
    page: WatchedPage, reader: Reader, feed_site: str
) -> None:
    tab = page.page
    feed_url = f"{feed_site}/orrin.xml"
    tab.goto(reader.base_url + "/")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Sources").click()
    tab.locator("#source-location").fill(feed_url)
    with tab.expect_navigation() as navigation:
        tab.get_by_role("button", name="Add source").click()
    assert navigation.value is not None and navigation.value.status == 200, navigation.value.status
    assert urlsplit(tab.url).path == "/sources"
    row = tab.locator("table.sources-table tbody tr", has_text=feed_url)
    expect(row).to_have_count(1)

    # The scheduler fetches the feed and its three pages off the request path; the page shows it.
    deadline = time.monotonic() + 60
    while True:
        cells = row.locator("td")
        fetched = cells.nth(1).inner_text().strip() not in ("", "never")
        articles = int(cells.nth(3).inner_text().strip() or 0)
        if fetched and articles >= 3:
            break
        assert row.locator(".error").count() == 0, row.inner_text()
        assert time.monotonic() < deadline, f"the feed was not fetched in 60 s: {row.inner_text()}"
        tab.wait_for_timeout(1000)
        tab.reload()
    expect(row.locator(".error")).to_have_count(0)

    story = tab.locator("ol.stories a.item-link", has_text=FEED_WORD)
    while True:
        tab.goto(reader.base_url + "/")
        if story.count():
            break
        assert time.monotonic() < deadline, "no story formed from the feed in 60 s"
        tab.wait_for_timeout(1000)
    expect(story).to_have_count(1)
    story.click()
    articles = tab.locator("section[aria-labelledby='h-articles'] ol.articles > li")
    expect(articles).to_have_count(3)
    expect(articles.first).to_contain_text("Lakeshore Post")
    assert_nothing_runs(page)


# ---------------------------------------------------------------- hostile articles


def test_hostile_front_page_shows_payloads_as_text(page: WatchedPage, reader: Reader) -> None:
    page.page.goto(reader.base_url + "/")
    stories = api(page, reader, "/api/front")["stories"]
    hostile = [s for s in stories if HOSTILE_WORD in s["title"]]
    assert len(hostile) == 1
    assert "<" in hostile[0]["title"]  # the title the reader shows carries a payload
    item = page.page.locator("ol.stories > li", has=page.page.locator("a.item-link", has_text=HOSTILE_WORD))
    expect(item.locator("a.item-link")).to_have_text(hostile[0]["title"])
    if hostile[0]["summary"]:
        expect(item.locator("p.summary")).to_have_text(hostile[0]["summary"])
    assert_nothing_runs(page)


def test_hostile_story_page(page: WatchedPage, reader: Reader) -> None:
    ids = hostile_ids(page, reader)
    page.page.goto(f"{reader.base_url}/story/{ids['story']}")
    shown = text_of(page)
    for title in (JS_URL_TITLE, MARKUP_URL_TITLE, HTML_PAGE_TITLE):
        assert title in shown
    assert f"Vexmoor Gazette {RTL_OVERRIDE}" in shown
    synthesis = api(page, reader, f"/api/stories/{ids['story']}")["synthesis"]
    for sentence in synthesis["summary"]:
        assert sentence["text"] in shown
    for quote_ in synthesis["quotes"][:30]:
        assert quote_["text"] in shown
    # The two articles from the look-alike "Reutеrs" are flagged where they are listed.
    flagged = page.page.locator("ol.articles > li", has_text=HOMOGLYPH_OUTLET).locator("strong.warning")
    expect(flagged).to_have_count(2)
    expect(flagged.first).to_have_text("⚠ look-alike name")
    assert_nothing_runs(page)


def test_hostile_article_with_a_javascript_url(page: WatchedPage, reader: Reader) -> None:
    article_id = hostile_ids(page, reader)[JS_URL_TITLE]
    page.page.goto(f"{reader.base_url}/article/{article_id}")
    expect(page.page.locator("h1#article-title")).to_have_text(JS_URL_TITLE)
    meta = text_of(page, "main header p.meta")
    assert HOMOGLYPH_OUTLET in meta
    assert f"{IMG} Hana Petrel" in meta
    assert '<b onmouseover="window.__pwned=1">World</b>' in meta
    warning = page.page.locator("main header strong.warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("mixes Latin and Cyrillic")
    assert STYLE in text_of(page, ".standfirst")
    body = text_of(page, ".body")
    for payload in (SCRIPT, IMG, SVG, IFRAME, TEMPLATE, RTL_OVERRIDE):
        assert payload in body
    captions = text_of(page, "aside.captions")
    assert IFRAME in captions
    assert SCRIPT in captions  # the credit
    # The javascript: address is not linked anywhere, nor shown as the source.
    expect(page.page.locator("a[rel~='external']")).to_have_count(0)
    assert JS_URL not in text_of(page)
    assert_nothing_runs(page)


def test_hostile_article_with_markup_in_its_url(page: WatchedPage, reader: Reader) -> None:
    article_id = hostile_ids(page, reader)[MARKUP_URL_TITLE]
    page.page.goto(f"{reader.base_url}/article/{article_id}")
    expect(page.page.locator("h1#article-title")).to_have_text(MARKUP_URL_TITLE)
    original = page.page.locator("a[rel~='external']")
    expect(original).to_have_count(1)
    expect(original).to_have_attribute("href", MARKUP_URL)  # one attribute, escaped: no element escaped it
    expect(original).to_have_text("gazette.example.net")
    assert f'<a href="{JS_URL}">read more</a>' in text_of(page, ".body")
    assert STYLE in text_of(page, ".body")
    assert f"Vexmoor Gazette {RTL_OVERRIDE}" in text_of(page, "main header p.meta")
    assert_nothing_runs(page)


def test_a_right_to_left_override_stays_inside_the_outlet_name(page: WatchedPage, reader: Reader) -> None:
    article_id = hostile_ids(page, reader)[MARKUP_URL_TITLE]
    page.page.goto(f"{reader.base_url}/article/{article_id}")
    # Where the first and last characters of the date are drawn: left to right, unless the override leaks.
    first_left, last_left = page.page.evaluate(
        """() => {
          const node = document.querySelector("main header p.meta time").firstChild;
          const left = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                return r.getBoundingClientRect().left; };
          return [left(0), left(node.textContent.length - 1)];
        }"""
    )
    assert first_left < last_left, "the date after the outlet is drawn right to left"


def test_hostile_saved_page(page: WatchedPage, reader: Reader) -> None:
    article_id = hostile_ids(page, reader)[HTML_PAGE_TITLE]
    page.page.goto(f"{reader.base_url}/article/{article_id}")
    expect(page.page.locator("h1#article-title")).to_have_text(HTML_PAGE_TITLE)
    expect(page.page.locator("main header strong.warning")).to_contain_text("mixes Latin and Cyrillic")
    body = text_of(page, ".body")
    assert "Click here <script>alert(1)</script>" in body  # escaped in the page: text, shown as text
    assert "head script ran" not in text_of(page)  # the page's own scripts are not article text
    assert_nothing_runs(page)

    # The stored input, markup and all, is served as sandboxed plain text.
    page.page.goto(f"{reader.base_url}/article/{article_id}/raw")
    raw = str(page.page.locator("body").inner_text())
    assert '<script>window.__pwned = 1; alert("head script ran");</script>' in raw
    assert_nothing_runs(page, scripts=())


def test_hostile_search_results(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(reader.base_url + "/")
    tab.locator("#site-search").fill(HOSTILE_WORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/search\?"))
    results = tab.locator("ol.results > li")
    expect(results).to_have_count(3)
    titles = set(results.locator("h2 a").all_inner_texts())
    assert titles == {JS_URL_TITLE, MARKUP_URL_TITLE, HTML_PAGE_TITLE}
    for index in range(3):
        assert HOSTILE_WORD in results.nth(index).locator("mark").all_text_contents()
    assert_nothing_runs(page)


def test_hostile_entity_page(page: WatchedPage, reader: Reader) -> None:
    tab = page.page
    tab.goto(f"{reader.base_url}/entity/{quote(QUOTED_SPEAKER_KEY, safe='')}")
    expect(tab.locator("main h1")).to_contain_text("Tomas Brenner")
    twin = api(page, reader, f"/api/entities/{quote(QUOTED_SPEAKER_KEY, safe='')}")
    quotes = tab.locator("section[aria-labelledby='h-quotes'] blockquote")
    expect(quotes).to_have_count(len(twin["quotes"]))
    shown = text_of(page, "section[aria-labelledby='h-quotes']")
    assert any(SVG in q["text"] for q in twin["quotes"])
    for quote_ in twin["quotes"]:
        assert quote_["text"] in shown
    assert_nothing_runs(page)


def test_hostile_atom_feeds(page: WatchedPage, reader: Reader) -> None:
    ids = hostile_ids(page, reader)
    front_title = next(
        s["title"] for s in api(page, reader, "/api/front")["stories"] if HOSTILE_WORD in s["title"]
    )
    # Each feed, and the hostile titles it must carry as plain text (None: any entry at all).
    feeds: dict[str, set[str] | None] = {
        "/feed.atom": {front_title},
        f"/story/{ids['story']}/feed.atom": None,
        f"/search/feed.atom?q={HOSTILE_WORD}": {JS_URL_TITLE, MARKUP_URL_TITLE, HTML_PAGE_TITLE},
    }
    for path, titles in feeds.items():
        response = page.page.goto(reader.base_url + path)
        assert response is not None and response.ok
        root = ET.fromstring(response.body())
        assert root.tag == f"{ATOM}feed"
        # Nothing but Atom elements: no XHTML <script> smuggled into the XML.
        assert {element.tag.split("}")[0] for element in root.iter()} == {ATOM[:-1]}
        entry_titles = {str(entry.findtext(f"{ATOM}title")) for entry in root.iter(f"{ATOM}entry")}
        if titles is not None:
            assert titles <= entry_titles, (path, entry_titles)
        else:
            assert entry_titles
        assert_nothing_runs(page, scripts=())


def test_the_csp_blocks_inline_script_and_reports_it(page: WatchedPage, reader: Reader) -> None:
    """The control for the checks above: markup that does reach the DOM is refused by the policy, and
    the refusal is recorded (so an empty record means nothing tried)."""
    article_id = hostile_ids(page, reader)[JS_URL_TITLE]
    tab = page.page
    tab.goto(f"{reader.base_url}/article/{article_id}")
    tab.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__pwned = 1";
          document.body.appendChild(script);
          const button = document.createElement("button");
          button.setAttribute("onclick", "window.__pwned = 1");
          document.body.appendChild(button);
          button.click();
        }"""
    )
    tab.wait_for_function("() => window.__cspViolations.length >= 2")
    assert tab.evaluate("typeof window.__pwned") == "undefined"
    violations = tab.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src-elem") for v in violations), violations
    assert any(v.startswith("script-src-attr") for v in violations), violations
    assert page.csp_console


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(STRIKE, id="examples-story"),
        pytest.param(HOSTILE_WORD, id="hostile-story"),
    ],
)
def test_story_page_fits_a_phone(page: WatchedPage, reader: Reader, words: str) -> None:
    tab = page.page
    tab.set_viewport_size({"width": 390, "height": 844})
    story_id = open_story(page, reader, words)
    assert_nothing_runs(page)  # before the screenshot, which leaves style attributes of its own
    shot = reader.tmp_dir / f"story-phone-{story_id}.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    width = tab.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390 + 1, f"story {story_id} scrolls sideways on a phone ({width} px wide)"
