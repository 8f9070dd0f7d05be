//! Mail-merge syntax: placeholders, conditionals, spintax and template comments, in the forms
//! outreach tools use (Mustache/Handlebars, Liquid/Jinja, Mailchimp, Salesforce, Woodpecker,
//! Mautic, HubSpot, `%FIRST_NAME%`, `[[first_name]]`, `[First Name]` …).
//!
//! A template is parsed once into a small tree and *rendered* into the text rules read: each
//! placeholder becomes a neutral stand-in ("Hi {{first_name}}," reads "Hi Alex,"), comments and
//! block tags disappear, and every conditional or spintax choice is taken in some rendering, so
//! both branches are checked. Rendering 0 takes the first branch everywhere with stand-ins;
//! rendering `n` takes branch `n` (or the last), and fallbacks instead of stand-ins.
//!
//! The same recognition runs on every draft, template or not: in a finished draft a leftover
//! placeholder is what the `mass-message` rules report.

mod dialects;
mod parse;
mod render;
mod scan;
mod tree;

use super::layer;

#[cfg(test)]
use parse::parse;
pub use parse::parse_with_fields;
pub use render::stand_in;
pub use tree::{Rendered, RenderedPlaceholder, Suppression, Template};

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, n: usize) -> (String, Vec<(String, String, bool)>) {
        let t = parse(text, true);
        let r = t.render(text, n);
        let ph = r
            .placeholders
            .iter()
            .map(|p| {
                (
                    r.layer.text[p.rendered.clone()].to_string(),
                    text[p.tag.clone()].to_string(),
                    p.has_fallback,
                )
            })
            .collect();
        (r.layer.text, ph)
    }

    #[test]
    fn every_syntax_becomes_a_stand_in() {
        for (tag, name) in [
            ("{{first_name}}", "first_name"),
            ("{{ contact.firstname }}", "contact.firstname"),
            ("{{{Recipient.FirstName}}}", "Recipient.FirstName"),
            ("*|FNAME|*", "FNAME"),
            ("{!Contact.FirstName}", "Contact.FirstName"),
            ("{!User:First Name;}", "User:First Name"),
            ("%FIRST_NAME%", "FIRST_NAME"),
            ("%First Name%", "First Name"),
            ("[[first_name]]", "first_name"),
            ("[First Name]", "First Name"),
            ("{contactfield=firstname}", "firstname"),
            ("{{lead.First Name}}", "lead.First Name"),
            ("@firstname", "firstname"),
        ] {
            let text = format!("Hi {tag}, good to meet you.");
            let t = parse(&text, true);
            let r = t.render(&text, 0);
            assert_eq!(r.layer.text, "Hi Alex, good to meet you.", "{tag}");
            assert_eq!(r.placeholders.len(), 1, "{tag}");
            assert_eq!(r.placeholders[0].name, name, "{tag}");
            assert_eq!(&text[r.placeholders[0].tag.clone()], tag);
            assert!(!r.placeholders[0].has_fallback, "{tag}");
        }
    }

    #[test]
    fn fallbacks_are_found_and_rendered_in_the_second_variant() {
        for (tag, fallback) in [
            ("{{FIRST_NAME | \"there\"}}", "there"),
            ("{{ first_name | default: \"there\" }}", "there"),
            ("{{ contact.firstname|default('there') }}", "there"),
            ("{{lead.First Name:default=there}}", "there"),
            ("{contactfield=firstname|there}", "there"),
            ("[[first_name|Dear Reader]]", "Dear Reader"),
            ("{{ first_name or 'there' }}", "there"),
        ] {
            let text = format!("Hi {tag},");
            let (r0, ph) = render(&text, 0);
            assert_eq!(r0, "Hi Alex,", "{tag}");
            assert!(ph[0].2, "{tag} has a fallback");
            let (r1, _) = render(&text, 1);
            assert_eq!(r1, format!("Hi {fallback},"), "{tag}");
        }
    }

    #[test]
    fn filters_are_not_fallbacks() {
        let (_, ph) = render("Hi {{ first_name | capitalize }},", 0);
        assert!(!ph[0].2);
        let (_, ph) = render("Hi {{ first_name | default: \"\" }},", 0);
        assert!(!ph[0].2, "an empty fallback still renders `Hi ,`");
    }

    #[test]
    fn both_branches_of_a_conditional_are_rendered() {
        let text = "Hi {{#if first_name}}{{first_name}}{{else}}there{{/if}},\n\nBody.";
        let t = parse(text, false);
        assert_eq!(t.variants, 2);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex,\n\nBody.");
        assert_eq!(t.render(text, 1).layer.text, "Hi there,\n\nBody.");
        let (_, ph) = render(text, 0);
        assert!(ph[0].2, "guarded by an else branch");
    }

    #[test]
    fn liquid_blocks_on_their_own_lines_vanish_with_their_lines() {
        let text = "Hi {{ name }},\n{% if company %}\nI saw {{ company }} is hiring.\n{% else %}\nI saw your post.\n{% endif %}\nBest,\nJo";
        let t = parse(text, false);
        assert_eq!(
            t.render(text, 0).layer.text,
            "Hi Alex,\nI saw Acme is hiring.\nBest,\nJo"
        );
        assert_eq!(
            t.render(text, 1).layer.text,
            "Hi Alex,\nI saw your post.\nBest,\nJo"
        );
        assert!(t.notes.is_empty());
    }

    #[test]
    fn mustache_inverted_sections_and_unless() {
        let text = "{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex,");
        assert_eq!(t.render(text, 1).layer.text, "Hello,");
        let (_, ph) = render("{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}", 0);
        assert!(ph[0].2, "the inverted section is the else branch");
        let text = "{% unless first_name %}Hello,{% endunless %}";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "");
        assert_eq!(t.render(text, 1).layer.text, "Hello,");
    }

    #[test]
    fn mailchimp_conditionals_and_apollo_endif() {
        let text = "*|IF:FNAME|*Hi *|FNAME|*,*|ELSE:|*Hi,*|END:IF|* ok";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex, ok");
        assert_eq!(t.render(text, 1).layer.text, "Hi, ok");
        let text = "{{#if company}}at {{company}}{{#endif}} ok";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "at Acme ok");
        assert_eq!(t.render(text, 1).layer.text, " ok");
    }

    #[test]
    fn spintax_options_are_checked_one_per_rendering() {
        let text = "{Hi|Hello|Hey} Ana, {{SPINTAX | \"quick question\" | \"one question\"}}";
        let t = parse(text, false);
        assert_eq!(t.variants, 3);
        assert_eq!(t.render(text, 0).layer.text, "Hi Ana, quick question");
        assert_eq!(t.render(text, 1).layer.text, "Hello Ana, one question");
        assert_eq!(t.render(text, 2).layer.text, "Hey Ana, one question");
    }

    #[test]
    fn comments_vanish_and_suppressions_are_read() {
        let text = "{{!-- tactful-disable early-pitch --}}\nBook a demo with us.\n{# tactful-disable #}\n{% if x %}\nA\n{% endif %}\nB";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Book a demo with us.\nA\nB");
        assert_eq!(t.suppressions.len(), 2);
        assert_eq!(t.suppressions[0].targets, vec!["early-pitch".to_string()]);
        assert_eq!(
            &text[t.suppressions[0].covers.clone()],
            "Book a demo with us."
        );
        assert!(t.suppressions[1].targets.is_empty());
        assert!(text[t.suppressions[1].covers.clone()].ends_with("{% endif %}"));
    }

    #[test]
    fn hubspot_missing_token_is_a_marker() {
        let text = "Hi [[MISSING TOKEN contact.firstname]],";
        let t = parse(text, false);
        let r = t.render(text, 0);
        assert!(r.placeholders[0].marker);
        assert_eq!(r.placeholders[0].name, "contact.firstname");
    }

    #[test]
    fn ordinary_prose_is_left_alone() {
        for text in [
            "We grew 20% last year and 30% this year.",
            "See [1] and [the report](https://x.y).",
            "A set {a, b} and an email ana@example.com.",
            "- [ ] task\n- [x] done",
            "Prices: *from* $5 | *to* $9",
            "[[Some Page]] in my notes",
        ] {
            let t = parse(text, false);
            assert!(!t.has_syntax, "{text}");
            assert_eq!(t.render(text, 0).layer.text, text);
        }
    }

    #[test]
    fn angle_and_parenthesised_fields_only_in_plain_text() {
        let text = "Hello <name>, I saw <Company> and the <exact-role> post. (your name)";
        let names = |t: &Template| -> Vec<String> {
            t.render(text, 0)
                .placeholders
                .iter()
                .map(|p| p.name.clone())
                .collect()
        };
        assert_eq!(
            names(&parse(text, false)),
            ["name", "Company", "exact-role", "your name"]
        );
        // In HTML and Markdown, angle brackets are markup: never a field.
        let fields = ["name".to_string(), "company".to_string()];
        let t = parse_with_fields(text, false, false, &fields);
        assert!(names(&t).is_empty());
        for prose in [
            "Mail me at <ana@example.com> or see <https://example.com>.",
            "It took <3 minutes (their new app is fast) and the <title> tag <b>too</b>.",
            "I met the founder (the company is tiny) and her partner (name withheld).",
        ] {
            let t = parse(prose, false);
            assert!(!t.has_syntax, "{prose}");
        }
    }

    #[test]
    fn python_javascript_and_php_fields() {
        let text = "Hi %(real_name)s, ${name ? name : ''} at ${contact.company} and $email. It costs $5, $AAPL too.";
        let t = parse(text, false);
        let names: Vec<String> = t
            .render(text, 0)
            .placeholders
            .iter()
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(names, ["real_name", "name", "contact.company", "email"]);
        for prose in [
            "It costs $5 or $ 6.",
            "A 5%(approx) rise.",
            "See $HOME and $PATH.",
        ] {
            assert!(!parse(prose, false).has_syntax, "{prose}");
        }
    }

    #[test]
    fn broken_blocks_are_noted_not_fatal() {
        let text = "{{#if a}}Hi {{/each}} there";
        let t = parse(text, false);
        assert!(!t.notes.is_empty());
        let _ = t.render(text, 0);
        let text = "{% endif %} text {{ unclosed";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, " text {{ unclosed");
    }
}
