"""Regression tests for what real pages broke in extraction (issue 15), each on a minimal page written
for the test: paywall markup, © lines, decoding, entities, repeated leads and lead images, outlet
names in headlines, closing boilerplate, and the choice between body candidates."""

from __future__ import annotations

import json

import pytest

from vistka.pipeline.extract import ExtractionError, extract_article
from vistka.pipeline.extract.body import Body, image_identity, repeats
from vistka.pipeline.extract.candidates import Candidate, Evidence, choose, without_site_name
from vistka.pipeline.extract.decode import decode_page
from vistka.pipeline.fetch.charset import decode_document

URL = "https://news.example.org/2025/01/27/story.html"
SENTENCES = [
    "The regional council approved the new budget for public transport on Monday evening after a long debate.",
    "Trams on the northern line will run every six minutes from March, the council's transport office said.",
    "Opposition members argued that the money should first go to repairs of the old depot near the river.",
    "The mayor replied that both projects are funded and that the depot works begin in the second half.",
    "Residents of the northern districts have complained about crowded trams for several years now.",
    "A survey by the city found that nine in ten passengers want more frequent services at peak hours.",
]


def page(body: str, head: str = "", title: str = "Council approves the transport budget") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><header><a href='/'>Home</a></header>"
            f"<article><h1>{title}</h1>{body}</article><footer><a href='/about'>About us</a></footer></body></html>")


def paragraphs(count: int = 6) -> str:
    return "".join(f"<p>{sentence}</p>" for sentence in (SENTENCES * 2)[:count])


def json_ld(**article) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **article})}</script>'


# --- paywall markup ----------------------------------------------------------------------------------

def test_paywall_markup_on_the_article_itself_keeps_the_article():
    head = json_ld(headline="Council approves the transport budget", isAccessibleForFree=False,
                   hasPart={"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paid"})
    result = extract_article(page(f'<div class="paid">{paragraphs()}</div>', head), URL)
    assert SENTENCES[3] in result.text and SENTENCES[5] in result.text


def test_paywall_markup_on_a_sign_up_box_removes_the_box():
    head = json_ld(headline="Council approves the transport budget",
                   hasPart={"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".offer"})
    box = '<div class="offer"><p>Subscribe now to read every story.</p><button>Sign up</button></div>'
    result = extract_article(page(paragraphs() + box, head), URL)
    assert SENTENCES[5] in result.text and "Subscribe now" not in result.text


# --- © lines -------------------------------------------------------------------------------------------

def test_a_photo_credit_at_the_top_does_not_empty_the_article():
    credit = '<figure><img src="/img/tram.jpg"><figcaption>© Jane Doe</figcaption></figure><p>© Jane Doe</p>'
    result = extract_article(page(credit + paragraphs()), URL)
    assert SENTENCES[0] in result.text and SENTENCES[5] in result.text


def test_a_copyright_footer_at_the_end_still_goes():
    result = extract_article(page(paragraphs() + "<p>© 2025 News Example. All rights reserved.</p>"), URL)
    assert SENTENCES[5] in result.text and "All rights reserved" not in result.text


# --- one decoding path ----------------------------------------------------------------------------------

def test_the_cli_path_decodes_like_the_fetcher():
    """Valid UTF-8 under a wrong windows-1251 declaration: both read UTF-8."""
    html = page(paragraphs() + "<p>Київрада схвалила бюджет на громадський транспорт.</p>",
                head='<meta charset="windows-1251">')
    content = html.encode("utf-8")
    assert decode_page(content, "windows-1251") == decode_document(content, "windows-1251")[0]
    assert "Київрада схвалила бюджет" in extract_article(content, URL, encoding="windows-1251").text


# --- entities -----------------------------------------------------------------------------------------

def test_entities_are_decoded_in_json_ld_and_meta_fields():
    head = json_ld(headline="Council&#8217;s &quot;big&quot; budget passes", description="It&#8217;s done &amp; dusted.",
                   author={"@type": "Person", "name": "Ol&#233;na Petrenko"}, keywords="transport, council&#8217;s budget")
    head += '<meta property="og:title" content="ignored"><meta property="og:site_name" content="News &amp;amp; Views">'
    result = extract_article(page(paragraphs(), head), URL)
    assert result.title == "Council’s \"big\" budget passes"
    assert result.authors == ["Olêna Petrenko".replace("ê", "é")]
    assert "council’s budget" in result.keywords
    assert "&#" not in result.lead and "&amp;" not in result.lead


def test_double_escaped_meta_titles_are_decoded():
    head = '<meta property="og:title" content="Mayor&amp;#8217;s plan for trams">'
    assert extract_article(page(paragraphs(), head), URL).title == "Mayor’s plan for trams"


# --- repeated lead and lead image ----------------------------------------------------------------------

@pytest.mark.parametrize(("block", "head", "repeated"), [
    ("The council approved the budget.", "The council approved the budget.", True),
    ("«The council approved the budget»", '"The council approved the budget."', True),
    ("The city council has approved the new budget on Monday", "The city council approved the new budget on Monday",
     True),
    ("The council approved the budget, and trams will run every six minutes from March on the northern line.",
     "The council approved the budget…", False),  # the body says more than a cut standfirst
    ("Trams will run every six minutes.", "The council approved the budget.", False),
])
def test_a_block_repeats_the_head_up_to_small_differences(block, head, repeated):
    assert repeats(block, head) is repeated


def test_a_lead_that_differs_slightly_is_not_shown_twice():
    lead = "Trams on the northern line will run every six minutes from March, the council says."
    head = json_ld(headline="Council approves the transport budget", description=lead)
    body = f"<p>{lead.replace('says', 'said').replace(',', '')}</p>" + paragraphs()
    result = extract_article(page(body, head), URL)
    assert result.lead == lead and result.text.count("every six minutes from March") == 1


@pytest.mark.parametrize(("url", "other", "same"), [
    ("https://cdn.example.org/2025/01/tram-depot.jpg", "https://news.example.org/wp/tram-depot-1024x683.jpg?v=2", True),
    ("https://cdn.example.org/tram-depot.jpg", "https://cdn.example.org/tram-depot_w800.webp", True),
    ("https://cdn.example.org/tram-depot.jpg", "https://cdn.example.org/tram-line.jpg", False),
])
def test_image_identity_ignores_size_format_and_host(url, other, same):
    assert (image_identity(url) == image_identity(other)) is same


def test_the_lead_image_in_another_size_leaves_the_body():
    head = json_ld(headline="Council approves the transport budget", image="https://cdn.example.org/tram-depot.jpg")
    figure = ('<figure><img src="https://news.example.org/img/tram-depot-1024x683.jpg">'
              "<figcaption>The depot</figcaption></figure>")
    other = '<figure><img src="https://news.example.org/img/council.jpg"><figcaption>The council</figcaption></figure>'
    result = extract_article(page(figure + paragraphs(3) + other + paragraphs(6)[200:], head), URL)
    assert "tram-depot-1024x683" not in result.body_html and "council.jpg" in result.body_html


# --- outlet names in headlines ---------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "site_name", "expected"), [
    ("Council approves the transport budget | Daily Example", "Daily Example", "Council approves the transport budget"),
    ("Daily Example - Council approves the transport budget", "Daily Example", "Council approves the transport budget"),
    ("Council approves the transport budget – news.example.org", "", "Council approves the transport budget"),
    ("Council approves the transport budget — Example", "", "Council approves the transport budget"),
    ("Kyiv: council approves the transport budget", "Daily Example", "Kyiv: council approves the transport budget"),
    ("Daily Example", "Daily Example", "Daily Example"),
])
def test_the_outlet_name_leaves_the_headline(title, site_name, expected):
    assert without_site_name(title, site_name, URL.replace("news.example.org", "news.example.org")) == expected


def test_extracted_titles_lose_the_outlet_name():
    head = '<meta property="og:title" content="Council approves the transport budget | Daily Example">' \
           '<meta property="og:site_name" content="Daily Example">'
    assert extract_article(page(paragraphs(), head), URL).title == "Council approves the transport budget"


# --- closing boilerplate -----------------------------------------------------------------------------------

def test_closing_outlet_boilerplate_leaves_the_body_but_reporting_stays():
    closing = ("<p>The transport office declined to comment.</p>"
               "<p>Leave a comment below. Comments are moderated.</p><p>© 2025 Daily Example</p>")
    result = extract_article(page(paragraphs() + closing), URL)
    assert "declined to comment" in result.text and "Leave a comment" not in result.text


# --- the choice between candidates -----------------------------------------------------------------------

def candidate(method: str, text: str, link_density: float = 0.0) -> Candidate:
    return Candidate(method, Body(html="", text=text, first_paragraph=""), link_density)


ARTICLE = " ".join(SENTENCES * 2)


def test_a_links_box_loses_to_a_convincing_article():
    read_next = candidate("trafilatura", "Read next: " + " ".join(SENTENCES[:4]), link_density=0.9)
    chosen, why, doubt = choose([read_next, candidate("readability", ARTICLE)], Evidence())
    assert chosen.method == "readability" and not doubt and "mostly links" in why


def test_agreement_makes_a_short_body_convincing():
    short = " ".join(SENTENCES[:2])
    chosen, why, doubt = choose([candidate("trafilatura", short), candidate("readability", short + " More.")],
                                Evidence(description="Something else entirely about another matter here"))
    assert chosen.method == "trafilatura" and "agrees" in why and not doubt


def test_a_short_body_that_carries_the_description_is_convincing():
    short = " ".join(SENTENCES[:3])
    chosen, _, doubt = choose([candidate("trafilatura", short)], Evidence(description=SENTENCES[1]))
    assert chosen.method == "trafilatura" and not doubt


def test_no_convincing_candidate_is_a_doubt_with_the_reasons():
    chosen, _, doubt = choose([candidate("trafilatura", "Follow authors and topics you like to get their news", 0.8),
                               candidate("readability", "Photo: Jane Doe for the Daily Example, all rights kept")],
                              Evidence())
    assert chosen is not None and "no convincing article body" in doubt
    assert "trafilatura: mostly links" in doubt and "readability: too short" in doubt


def test_a_page_of_teasers_is_extracted_with_a_doubt():
    teasers = "".join(f'<li><a href="/news/{n}.html">{SENTENCES[n]}</a></li>' for n in range(3))
    html = f"<html><head><title>Latest</title></head><body><ul>{teasers}</ul></body></html>"
    result = extract_article(html, URL)
    assert result.doubt.startswith("no convincing article body") and result.method["body"]


def test_pictures_and_links_come_back_next_to_their_paragraphs():
    """trafilatura reads the text better without images and links; both are put back where they were."""
    figure = '<figure><img src="https://news.example.org/img/depot.jpg"><figcaption>The depot</figcaption></figure>'
    linked = SENTENCES[2].replace("old depot", '<a href="https://news.example.org/depot.html">old depot</a>')
    body = "".join(f"<p>{s}</p>" for s in SENTENCES[:2]) + figure + f"<p>{linked}</p>"
    html = extract_article(page(body + paragraphs(12)), URL).body_html
    assert html.index(SENTENCES[1][:30]) < html.index("depot.jpg") < html.index(SENTENCES[2][:30])
    assert '<a href="https://news.example.org/depot.html" rel="noopener nofollow">old depot</a>' in html


def test_a_page_with_only_a_menu_is_no_article():
    with pytest.raises(ExtractionError):
        extract_article("<html><body><nav>menu</nav><p>Home</p></body></html>", URL)


def test_provenance_says_which_candidate_won_and_why():
    result = extract_article(page(paragraphs(12)), URL)
    assert result.method["body"] == "trafilatura" and "words" in result.method["body_reason"] and not result.doubt


def test_a_description_the_page_does_not_show_is_no_standfirst():
    hidden = '<meta name="description" content="Best deals on trams and buses: compare offers and save today">'
    shown = f'<meta name="description" content="{SENTENCES[0]}">'
    assert extract_article(page(paragraphs(), hidden), URL).method["lead"] == "body"
    assert extract_article(page(paragraphs(), shown), URL).method["lead"] == "meta"


def test_text_the_browser_does_not_show_is_not_extracted():
    hidden = ('<p style="display: none">Hidden teaser text for the pop-up window that nobody reads here.</p>'
              '<p hidden>Spare copy of the newsletter sign-up text hidden from every reader.</p>')
    result = extract_article(page(paragraphs(3) + hidden + "".join(
        f"<p>{s}</p>" for s in SENTENCES[3:])), URL)
    assert SENTENCES[5] in result.text and "Hidden teaser" not in result.text and "Spare copy" not in result.text


@pytest.mark.django_db
def test_an_article_without_a_convincing_body_waits_for_an_editor():
    from tests.factories import make_article, make_source
    from vistka.core.models import ArticleStatus
    from vistka.pipeline.publish.decide import publish

    teasers = "".join(f'<li><a href="/news/{n}.html">{SENTENCES[n]}</a></li>' for n in range(3))
    extracted = extract_article(f"<html><body><ul>{teasers}</ul></body></html>", URL)
    article = make_article(make_source(), status=ArticleStatus.FETCHED, extraction_doubt=extracted.doubt)
    publish(article, translated=True)
    assert article.status == ArticleStatus.IN_REVIEW
    assert article.error.startswith("extraction: no convincing article body")


def test_a_one_line_post_that_repeats_its_headline_keeps_its_line():
    line = "Who slips next on the ice? I bet you do. Ouch. Won!"
    result = extract_article(f"<html><head><title>{line}</title></head><body><article><p>{line}</p></article>"
                             "</body></html>", URL)
    assert result.text == line


def test_tracking_pixels_do_not_come_back_as_pictures():
    pixel = '<img src="https://pixel.example.net/b.gif" width="1" height="1">'
    assert "pixel.example.net" not in extract_article(page(paragraphs(3) + pixel + paragraphs(6)), URL).body_html


def test_blocks_nested_in_a_list_item_stay_separate_words():
    import lxml.html

    from vistka.pipeline.extract.body import clean_body
    container = lxml.html.fragment_fromstring(
        "<div><ul><li><h4>JavaScript Debugger</h4><p>Step through code.</p></li></ul>"
        "<p>The Fetch API intends <code>fetch()</code> to help.</p> Text after a paragraph.</div>")
    assert clean_body(container, URL).text.split("\n\n") == [
        "JavaScript Debugger Step through code.", "The Fetch API intends fetch() to help.", "Text after a paragraph."]


# --- what the speed work (issue 15: time per page) must not change ----------------------------------

def test_the_feeds_byline_goes_before_a_guess_from_the_markup():
    from vistka.pipeline.sources.feedreader import FeedEntry

    byline = "<div class='author-box'>Written by Taras Shevchuk, our columnist</div>"
    entry = FeedEntry(guid="g", link=URL, title="Council approves the transport budget", authors=["Olena Petrenko"])
    with_feed = extract_article(page(byline + paragraphs()), URL, entry)
    assert with_feed.authors == ["Olena Petrenko"] and with_feed.method["authors"] == "feed"
    alone = extract_article(page(byline + paragraphs()), URL)
    assert alone.method["authors"] == "trafilatura" and "Taras Shevchuk" in " ".join(alone.authors)


def test_a_date_in_the_pages_markup_is_found_and_one_only_in_its_text_is_not():
    marked = page(paragraphs(), head='<meta property="og:updated_time" content="2025-01-27T10:00:00+02:00">')
    assert extract_article(marked, URL.replace("/2025/01/27", "")).published.date().isoformat() == "2025-01-27"
    # A date written only in the prose is as often one the article speaks of: not the publication day.
    mentioned = page("<p>The plan dates from 14 March 2019, officials said on the day.</p>" + paragraphs())
    assert extract_article(mentioned, "https://news.example.org/story.html").published is None


@pytest.mark.parametrize("markup, label", [
    ("<p>Читайте також: <a href='/a'>Перша</a></p>", True),
    ("<p><b>Read</b> also: <a href='/a'>First</a></p>", True),
    ("<div>\n  <p>   Read more: <a href='/a'>First</a></p></div>", True),
    ("<p>Reading lists: <a href='/a'>First</a></p>", False),
    ("<p>Read also " + "x" * 420 + "</p>", False),  # longer than a label can be
])
def test_read_also_labels_are_told_by_their_first_words(markup, label):
    import lxml.html

    from vistka.pipeline.extract.readalso import pop_read_also_blocks

    tree = lxml.html.document_fromstring(f"<html><body>{markup}<p>Body text stays.</p></body></html>")
    assert bool(pop_read_also_blocks(tree, URL)) is label


def test_a_comment_inside_a_paragraph_keeps_the_rest_of_it():
    html = page("<p>The city is also replacing older, leak-prone <!-- -->water and sewer mains.</p>" + paragraphs())
    assert "leak-prone water and sewer mains." in extract_article(html, URL).text


def test_the_hidden_slides_of_a_slideshow_stay_and_a_hidden_pop_up_goes():
    slides = "".join(
        f'<div class="slide{" hidden" if n else ""}" style="display: {"none" if n else "block"};">'
        f"<h2>{n + 1}. Item number {n + 1}</h2><p>{SENTENCES[n]}</p></div>" for n in range(5))
    pop_up = '<div class="newsletter-pop-up" style="display:none"><p>Subscribe to our newsletter today.</p></div>'
    result = extract_article(page(slides + pop_up + f"<p>{SENTENCES[5]}</p>"), URL)
    assert all(sentence in result.text for sentence in SENTENCES[1:5])
    assert "Subscribe" not in result.text


# --- labels and closing lines in other languages -----------------------------------------------------------

@pytest.mark.parametrize("label", ["Lesen Sie auch:", "Lea también:", "VEA TAMBIÉN:", "À lire aussi :", "Czytaj też:",
                                   "Leia também:", "Leggi anche:", "Mira:"])
def test_read_also_labels_in_other_languages_leave_the_body_as_links(label):
    teaser = f"<p>{label} <a href='/2025/01/20/depot.html'>The old depot will close in spring</a></p>"
    result = extract_article(page(paragraphs(3) + teaser + paragraphs(6)[3:]), URL)
    assert "old depot will close" not in result.text and SENTENCES[5] in result.text
    assert result.read_also == [{"url": "https://news.example.org/2025/01/20/depot.html",
                                 "title": "The old depot will close in spring"}]


def test_a_sentence_that_opens_with_a_one_word_label_stays():
    opening = "<p>Mira quickly became the spokeswoman of the passengers' association that winter.</p>"
    result = extract_article(page(opening + paragraphs()), URL)
    assert "Mira quickly became" in result.text


@pytest.mark.parametrize("closing", [
    "<p>Keine Kommentare</p>",
    "<p>Todos los derechos reservados.</p>",
    "<p>Síguenos en <a href='https://t.me/example'>Telegram</a> para recibir en directo todas nuestras "
    "actualizaciones del día y de la semana.</p>",
])
def test_closing_outlet_lines_in_other_languages_leave_the_body(closing):
    result = extract_article(page(paragraphs() + closing), URL)
    assert SENTENCES[5] in result.text and closing[3:10] not in result.text


def test_a_closing_promo_line_with_its_link_goes_even_before_a_picture():
    # trafilatura's text has no links: they are put back first, so the promo line is told by its link;
    # the picture put back after it does not end the closing lines
    promo = ("<p>Follow our channel on <a href='https://t.me/example'>Telegram</a> for the news of the city, every "
             "morning and every evening, with the weather and the traffic.</p>"
             "<img src='https://news.example.org/media/bus.jpg' alt='Bus' width='800' height='600'>")
    result = extract_article(page(paragraphs() + promo), URL)
    assert SENTENCES[5] in result.text and "Follow our channel" not in result.text
    assert "bus.jpg" in result.body_html


@pytest.mark.parametrize("credit", ["Titelbild: Agency/Photographer", "Crédits photos : Agence", "Foto: Stadtwerke"])
def test_a_picture_credit_after_the_text_leaves_the_body(credit):
    result = extract_article(page(paragraphs() + f"<p>{credit}</p>"), URL)
    assert SENTENCES[5] in result.text and credit not in result.text


def test_an_empty_related_box_in_a_short_article_takes_only_its_label():
    # a "Related" box a script fills later sits inside the article's own container: the label goes,
    # the article stays (its parent is no links box)
    short = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES[:3])
    markup = (f"<div class='entry-content'>{short}<div class='related-posts'><h3>See also</h3></div>"
              "<p>See the <a href='/plan.html'>plan</a>.</p></div>")
    result = extract_article(page(markup), URL)
    assert SENTENCES[0] in result.text and SENTENCES[2] in result.text and "See also" not in result.text


def test_a_teaser_box_under_a_label_comes_back_as_links():
    teasers = "".join(f"<div><a href='/t{n}.html'>Teaser number {n}</a><p>A short excerpt of the story.</p></div>"
                      for n in range(3))
    box = f"<div class='related'><h4>Das könnte Sie auch interessieren</h4>{teasers}</div>"
    result = extract_article(page(paragraphs() + box), URL)
    assert [link["title"] for link in result.read_also] == ["Teaser number 0", "Teaser number 1", "Teaser number 2"]
    assert "Teaser number" not in result.text and SENTENCES[5] in result.text
