use super::*;

/// Greetings and sign-offs for the tests, and the markers of every built-in pack.
fn vocab() -> Vocabulary {
    static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let reg = crate::rules::Registry::new(&Default::default()).expect("built-in packs");
        Vocabulary {
            greetings: vec!["hi".into(), "dear".into(), "hello".into()],
            signoffs: vec!["best".into(), "thanks".into(), "best regards".into()],
            ..reg.vocabulary().clone()
        }
    })
    .clone()
}

fn kinds(text: &str) -> Vec<(SegmentKind, &str)> {
    segment_lines(text, 0, &vocab())
        .into_iter()
        .map(|s| (s.kind, &text[s.range]))
        .collect()
}

#[test]
fn finds_every_part_of_a_plain_email() {
    let text = "Subject: Quick question\n\nHi Ana,\n\nI read your post.\nIt was good.\n\nSecond para.\n\nBest regards,\nJo\n-- \nJo Smith | Acme\n\nOn Mon, 3 Mar 2025, Ana <a@b.c> wrote:\n> hello\n";
    assert_eq!(
        kinds(text),
        vec![
            (SegmentKind::Subject, "Quick question"),
            (SegmentKind::Greeting, "Hi Ana,"),
            (SegmentKind::Body, "I read your post.\nIt was good."),
            (SegmentKind::Body, "Second para."),
            (SegmentKind::Signoff, "Best regards,\nJo"),
            (SegmentKind::Signature, "-- \nJo Smith | Acme"),
            (
                SegmentKind::Quote,
                "On Mon, 3 Mar 2025, Ana <a@b.c> wrote:\n> hello"
            ),
        ]
    );
}

#[test]
fn greeting_inside_a_longer_first_line() {
    let text = "Hi Ana, I hope this finds you well. I saw your talk.";
    assert_eq!(
        kinds(text),
        vec![
            (SegmentKind::Greeting, "Hi Ana,"),
            (
                SegmentKind::Body,
                "I hope this finds you well. I saw your talk."
            ),
        ]
    );
}

#[test]
fn a_lone_sentence_starting_with_thanks_is_not_a_signoff() {
    let text = "Thanks for connecting! Loved your piece on hiring.";
    assert_eq!(kinds(text), vec![(SegmentKind::Body, text)]);
}

#[test]
fn outlook_header_block_starts_a_quote() {
    let text = "Sounds good.\n\nFrom: Ana Lopez\nSent: Monday\nTo: Jo\nSubject: Re: hi\n\nold text";
    let k = kinds(text);
    assert_eq!(k[0], (SegmentKind::Body, "Sounds good."));
    assert_eq!(k[1].0, SegmentKind::Quote);
}

/// The kind of the segment holding `needle`, and whether anything before it is a quote.
fn kind_of(text: &str, needle: &str) -> Option<SegmentKind> {
    let at = text.find(needle)?;
    segment_lines(text, 0, &vocab())
        .into_iter()
        .find(|s| s.range.start <= at && at < s.range.end.max(s.range.start + 1))
        .map(|s| s.kind)
}

#[test]
fn reply_attributions_in_many_clients_and_languages() {
    for header in [
        "On Mon, 3 Mar 2025 at 10:12, Ana Lopez <ana@example.com> wrote:",
        "On Mar 3, 2025, at 10:12, Ana Lopez <ana@example.com> wrote:",
        "On 3/3/25 10:12, Ana Lopez wrote:",
        "Le lun. 3 mars 2025 à 10:12, Ana Lopez <ana@example.com> a écrit :",
        "El lun, 3 mar 2025 a las 10:12, Ana Lopez (<ana@example.com>) escribió:",
        "Am Mo., 3. März 2025 um 10:12 Uhr schrieb Ana Lopez <ana@example.com>:",
        "Il giorno lun 3 mar 2025 alle ore 10:12 Ana Lopez <ana@example.com> ha scritto:",
        "Op ma 3 mrt. 2025 om 10:12 schreef Ana Lopez <ana@example.com>:",
        "Em seg., 3 de mar. de 2025 às 10:12, Ana Lopez <ana@example.com> escreveu:",
        "W dniu 3.03.2025 o 10:12 Ana Lopez <ana@example.com> napisał(a):",
        "-----Original Message-----",
        "----- Original Message -----",
        "---------- Forwarded message ---------",
        "-------- Message transféré --------",
        "Begin forwarded message:",
        "Anfang der weitergeleiteten Nachricht:",
        "________________________________",
    ] {
        let text = format!("Sounds good, see you then.\n\n{header}\nCan we book a demo?\n");
        assert_eq!(
            kind_of(&text, "Sounds good"),
            Some(SegmentKind::Body),
            "{header}"
        );
        assert_eq!(
            kind_of(&text, "book a demo"),
            Some(SegmentKind::Quote),
            "{header}"
        );
    }
}

#[test]
fn attributions_wrapped_over_two_lines() {
    for header in [
        "On Mon, Mar 3, 2025 at 10:12 AM Ana Lopez <ana.lopez@example.com>\nwrote:",
        "On Mon, Mar 3, 2025 at 10:12 AM Ana Lopez <\nana.lopez@example.com> wrote:",
        "Le lun. 3 mars 2025 à 10:12, Ana Lopez <ana@example.com> a\nécrit :",
    ] {
        let text = format!("Thanks!\n\n{header}\n> Can we book a demo?\n> Ana\n");
        assert_eq!(
            kind_of(&text, "Thanks"),
            Some(SegmentKind::Body),
            "{header}"
        );
        assert_eq!(
            kind_of(&text, "Ana Lopez"),
            Some(SegmentKind::Quote),
            "{header}"
        );
    }
}

#[test]
fn outlook_header_blocks_in_other_languages() {
    for block in [
        "From: Ana Lopez <ana@example.com>\nSent: Monday, March 3, 2025 10:12 AM\nTo: Jo\nSubject: Demo",
        "De : Ana Lopez <ana@example.com>\nEnvoyé : lundi 3 mars 2025 10:12\nÀ : Jo\nObjet : Démo",
        "Von: Ana Lopez <ana@example.com>\nGesendet: Montag, 3. März 2025 10:12\nAn: Jo\nBetreff: Demo",
        "*From:* Ana Lopez <ana@example.com>\n*Sent:* Monday\n*To:* Jo",
    ] {
        let text = format!("Sure, Tuesday works.\n\n{block}\n\nCan we book a demo?");
        assert_eq!(kind_of(&text, "Sure"), Some(SegmentKind::Body), "{block}");
        assert_eq!(kind_of(&text, "book a demo"), Some(SegmentKind::Quote), "{block}");
    }
}

#[test]
fn the_senders_own_on_sentences_are_not_attributions() {
    let text = "On Monday I wrote:\nwe should meet.\n\nOn the call you said that pricing was open.";
    assert!(segment_lines(text, 0, &vocab())
        .iter()
        .all(|s| s.kind == SegmentKind::Body));
    let text = "Ana wrote: the plan is fine.\n\nLet me know.";
    assert!(segment_lines(text, 0, &vocab())
        .iter()
        .all(|s| s.kind == SegmentKind::Body));
}

#[test]
fn bare_wrote_needs_quoted_lines() {
    let text = "Agreed.\n\nAna Lopez wrote:\n> can we talk\n";
    assert_eq!(kind_of(text, "Ana Lopez"), Some(SegmentKind::Quote));
}

#[test]
fn device_and_contact_signatures() {
    let text = "Hi Ana,\n\nHappy to help with the move.\n\nSent from my iPhone";
    assert_eq!(kind_of(text, "Sent from"), Some(SegmentKind::Signature));
    let text = "Hi Ana,\n\nHappy to help with the move.\n\nJo Smith\nCEO | Acme Logistics\njo@acme.example\n+1 555 123 4567";
    assert_eq!(kind_of(text, "Jo Smith"), Some(SegmentKind::Signature));
    assert_eq!(kind_of(text, "Happy"), Some(SegmentKind::Body));
    // A closing sentence with a link is the sender's words, not a signature.
    let text = "Hi Ana,\n\nHappy to help.\n\nYou can see the plan at www.acme.example/plan\nand tell me what you think.";
    assert_eq!(kind_of(text, "You can see"), Some(SegmentKind::Body));
    // A sign-off followed by contact details stays a sign-off.
    let text = "Hi Ana,\n\nHappy to help.\n\nBest,\nJo Smith\njo@acme.example";
    assert_eq!(kind_of(text, "Best"), Some(SegmentKind::Signoff));
}

#[test]
fn crlf_lines_do_not_leak_carriage_returns() {
    let text = "Hi Ana,\r\n\r\nBody line.\r\n\r\nThanks,\r\nJo\r\n";
    assert_eq!(
        kinds(text),
        vec![
            (SegmentKind::Greeting, "Hi Ana,"),
            (SegmentKind::Body, "Body line."),
            (SegmentKind::Signoff, "Thanks,\r\nJo"),
        ]
    );
}

#[test]
fn a_name_after_the_greeting_comma_belongs_to_the_greeting() {
    let text = "Hi, Jason, it was great meeting you at the expo. Coffee soon?";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, Jason,"));
    let text = "Hello, Dr. Ruiz, thank you for the talk. I had a question.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hello, Dr. Ruiz,"));
    // the sender introducing themselves, or a sentence, is not the reader's name
    let text = "Hi, I'm Tom, and I run a bakery. We bake for cafes.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi,"));
    let text = "Hi, could you send me the price list for May, please? Thanks.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi,"));
}

#[test]
fn a_word_of_address_after_the_greeting_comma_belongs_to_the_greeting() {
    let text = "Hi, babe! Quick question about your shop, do you ship abroad?";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, babe!"));
    let text = "Hi, my dear ! I wanted to ask you something, do you have a minute?";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, my dear !"));
    let text = "Hi, there friend, hope your week is going well. I have a proposal.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, there friend,"));
    let text = "Hi, girl hey! Got a minute? I have a proposal for you.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, girl hey!"));
    let text = "Hello, dear friend, I have a business proposal for you. Reply soon.";
    assert_eq!(
        kinds(text)[0],
        (SegmentKind::Greeting, "Hello, dear friend,")
    );
    // a longer lower-case run, or a word the sentence goes on from, is not an address
    let text = "Hi, quick question, do you still run the Thursday workshop? Thanks.";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi,"));
    let text = "Hi, man, how's it going? Got a second for a quick idea?";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi, man,"));
    let text = "Hi, sorry, that I missed our call yesterday. Could we move it to Friday?";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi,"));
    // after a name, the words that follow are the sentence
    let text = "Hi Nora, as requested, here is the link to the trial. Enjoy!";
    assert_eq!(kinds(text)[0], (SegmentKind::Greeting, "Hi Nora,"));
}
