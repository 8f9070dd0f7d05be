//! Unit tests of the HTML reader.

use super::*;

fn text(html: &str) -> String {
    visible_text(html).layer.text
}

#[test]
fn markup_and_comments_are_skipped() {
    let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\n<p>Hi Ana,</p>\n<p>I read <a href=\"#post\">your post</a> on <b>hiring</b>.<!-- note --></p><script>var a = '<p>x</p>';</script></body></html>";
    assert_eq!(text(html), "Hi Ana,\n\nI read your post on hiring.");
}

#[test]
fn web_link_targets_follow_the_link_text_and_map_to_the_href() {
    let html =
        "<p>Pick a time <a class=\"btn\" href=\"https://calendly.com/jo/15min\">here</a>.</p>";
    let v = visible_text(html);
    assert_eq!(
        v.layer.text,
        "Pick a time here <https://calendly.com/jo/15min>."
    );
    let url = v.layer.text.find("calendly").unwrap();
    let span = v.layer.map.to_source(url..url + "calendly.com/".len());
    assert_eq!(&html[span.clone()], "calendly.com/");
    assert_eq!(span.start, html.find("calendly").unwrap());
    // A button with no text, unquoted and entity-encoded values, an address without a
    // scheme: each is shown; entity-encoded values map onto the whole value.
    let html = "<a href=https://cal.com/jo><img src=b.png></a> <a href=' www.x.io/a?b=1&amp;c=2 '>x</a> <a href=\"tidycal.com/jo\">y</a>";
    let v = visible_text(html);
    assert_eq!(
        v.layer.text,
        "<https://cal.com/jo> x <www.x.io/a?b=1&c=2> y <tidycal.com/jo>"
    );
    let amp = v.layer.text.find("&c").unwrap();
    assert_eq!(
        &html[v.layer.map.to_source(amp..amp + 1)],
        "www.x.io/a?b=1&amp;c=2"
    );
}

#[test]
fn links_that_are_not_shown() {
    for html in [
        "<a href=\"mailto:jo@x.io\">mail me</a>",
        "<a href=\"tel:+123456789\">call</a>",
        "<a href=\"#top\">top</a>",
        "<a href=\"../about.html\">about</a>",
        "<a href=\"{{booking_url}}\">book</a>",
        "<a href=\"javascript:void(0)\">x</a>",
        // The text already shows the address.
        "<a href=\"https://calendly.com/jo/\">calendly.com/jo</a>",
        // Hidden or inside code.
        "<div hidden><a href=\"https://calendly.com/jo\">x</a></div>",
        "<code><a href=\"https://calendly.com/jo\">x</a></code>",
    ] {
        assert!(!text(html).contains('<'), "{html} → {}", text(html));
    }
}

#[test]
fn link_targets_stay_in_their_segment() {
    let html = "<blockquote>Book <a href=\"https://calendly.com/a\">here</a><br>ok</blockquote><p>Hi <a href=\"https://x.io/p\">unclosed";
    assert_eq!(
        text(html),
        "> Book here <https://calendly.com/a>\n> ok\n\nHi unclosed <https://x.io/p>"
    );
}

#[test]
fn spans_map_back_to_the_html() {
    let html = "<p>Caf&eacute; on   <i>Friday</i>?</p>";
    let v = visible_text(html);
    assert_eq!(v.layer.text, "Café on Friday?");
    let friday = v.layer.text.find("Friday").unwrap();
    assert_eq!(&html[v.layer.map.to_source(friday..friday + 6)], "Friday");
    let e = v.layer.text.find('é').unwrap();
    assert_eq!(&html[v.layer.map.to_source(e..e + 2)], "&eacute;");
    assert_eq!(&html[v.layer.map.to_source(0..8)], "Caf&eacute; on");
}

#[test]
fn gmail_divs_and_line_breaks_make_lines_and_paragraphs() {
    let html = "<div dir=\"ltr\"><div>Hi Ana,</div><div><br></div><div>Line one<br>Line two</div><div><br></div><div>Best,</div><div>Jo</div></div>";
    assert_eq!(text(html), "Hi Ana,\n\nLine one\nLine two\n\nBest,\nJo");
}

#[test]
fn quotes_and_signatures_are_marked() {
    let html = "<div>Sounds good.</div><div class=\"gmail_signature\">Jo Smith<br>Acme</div><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, Ana wrote:<br></div><blockquote class=\"gmail_quote\">Can we <b>talk</b>?<br>Thanks</blockquote></div>";
    assert_eq!(
        text(html),
        "Sounds good.\n-- \nJo Smith\nAcme\n\n> On Mon, Ana wrote:\n\n> Can we talk?\n> Thanks"
    );
}

#[test]
fn code_hidden_and_pre() {
    let html = "<p>Run <code>make demo</code> now.</p><div style=\"display: none\">preheader</div><pre>a\n  b</pre>";
    assert_eq!(text(html), "Run now.\n\na\n  b");
}

#[test]
fn broken_html_never_panics() {
    for html in [
        "<",
        "<p",
        "<p class=\"x",
        "&",
        "&#;",
        "&#x110000;",
        "<!--",
        "</",
        "<a href='x>y",
        "é<é>&é;",
        "<pre>\r\n</pre>",
    ] {
        let _ = visible_text(html);
    }
    assert_eq!(text("a < b and c > d"), "a < b and c > d");
}

#[test]
fn suppression_comments_are_found() {
    let html = "<p>Hi</p>\n<!-- tactful-disable early-pitch -->\n<p>Book a demo</p>";
    let v = visible_text(html);
    assert_eq!(v.suppressions.len(), 1);
    assert_eq!(
        &html[v.suppressions[0].covers.clone()],
        "<p>Book a demo</p>"
    );
}
