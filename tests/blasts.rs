//! Mail-merge blasts through the real binary: drafts filled in from one template are one blast
//! however many of its fields differ (1 to 4 here), and the finding names the fields; drafts
//! that share only a greeting and a sign-off are not. In English, Spanish, German and Polish
//! (all drafts written for these tests).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const RULE: &str = "mass-message/duplicate-blast";

struct Template {
    lang: &'static str,
    greeting: &'static str,
    signoff: &'static str,
    /// `{name}`, `{company}`, `{industry}`, `{city}` are the fields.
    body: &'static str,
    /// Six values for each field, in the order name, company, industry, city.
    values: [[&'static str; 6]; 4],
}

const FIELDS: [&str; 4] = ["{name}", "{company}", "{industry}", "{city}"];

const EN: Template = Template {
    lang: "en",
    greeting: "Hi",
    signoff: "Best,\nSam",
    body: "I noticed that {company} is growing its {industry} team in {city}, and I thought of you, {name}. We help {industry} firms cut onboarding time in half with a simple checklist tool. Would {company} be open to a short call next week to see whether it fits?",
    values: [
        ["Anna", "Dev", "Marta", "Oliver", "Chen", "Priya"],
        ["Northwind Traders", "Tailspin", "Contoso", "Fabrikam Foods", "Litware", "Adatum"],
        ["logistics", "retail", "insurance", "healthcare", "banking", "hospitality"],
        ["Leeds", "Porto", "Gdańsk", "Lyon", "Utrecht", "Bologna"],
    ],
};

const ES: Template = Template {
    lang: "es",
    greeting: "Hola",
    signoff: "Un saludo,\nLucía",
    body: "Vi que {company} está ampliando su equipo de {industry} en {city} y pensé en ti, {name}. Ayudamos a empresas de {industry} a reducir a la mitad el tiempo de incorporación con una herramienta sencilla. ¿Tendría {company} un momento para una llamada breve la próxima semana?",
    values: [
        ["Ana", "Jorge", "Carmen", "Pablo", "Inés", "Raúl"],
        ["Transportes Norte", "Grupo Sol", "Viajes Brisa", "Seguros Roble", "Datanova", "Hornos Vega"],
        ["logística", "comercio", "seguros", "salud", "banca", "hostelería"],
        ["Sevilla", "Bilbao", "Valencia", "Zaragoza", "Murcia", "Vigo"],
    ],
};

const DE: Template = Template {
    lang: "de",
    greeting: "Hallo",
    signoff: "Viele Grüße\nJonas",
    body: "Ich habe gesehen, dass {company} sein Team für {industry} in {city} ausbaut, und dabei an Sie gedacht, {name}. Wir helfen Firmen aus der Branche {industry}, die Einarbeitung neuer Leute mit einer einfachen Checkliste zu halbieren. Hätte {company} nächste Woche Zeit für ein kurzes Gespräch?",
    values: [
        ["Frau Berg", "Herr Özdemir", "Frau Lang", "Herr Wolf", "Frau Kühn", "Herr Adler"],
        ["Nordlicht GmbH", "Falkenwerk", "Brückner Logistik AG", "Heidepost", "Sonnhaus", "Kranich Daten"],
        ["Logistik", "Handel", "Versicherung", "Gesundheit", "Banken", "Gastronomie"],
        ["Bremen", "Leipzig", "Kassel", "Ulm", "Rostock", "Trier"],
    ],
};

const PL: Template = Template {
    lang: "pl",
    greeting: "Dzień dobry Pani",
    signoff: "Pozdrawiam,\nKasia",
    body: "Pani {name}, zauważyłam, że {company} rozbudowuje zespół od {industry} w mieście {city}. Pomagamy firmom z branży {industry} skrócić o połowę wdrażanie nowych osób dzięki prostej liście kontrolnej. Czy {company} znajdzie w przyszłym tygodniu chwilę na krótką rozmowę?",
    values: [
        ["Anno", "Ewo", "Magdo", "Zofio", "Olu", "Basiu"],
        ["Północ Trans", "Sokół", "Bursztyn Dane", "Lipa Serwis", "Wisła Logistyka", "Kruk"],
        ["logistyki", "handlu", "ubezpieczeń", "zdrowia", "bankowości", "gastronomii"],
        ["Gdańsku", "Poznaniu", "Lublinie", "Toruniu", "Opolu", "Rzeszowie"],
    ],
};

/// Draft `i` of the template with the first `varying` fields filled with value `i` and the
/// others with value 0.
fn draft(t: &Template, varying: usize, i: usize) -> String {
    let mut body = t.body.to_string();
    for (f, field) in FIELDS.iter().enumerate() {
        let v = if f < varying { i } else { 0 };
        body = body.replace(field, t.values[f][v]);
    }
    let name = t.values[0][if varying > 0 { i } else { 0 }];
    format!(
        "---\nlang: {}\n---\n{} {name},\n\n{body}\n\n{}\n",
        t.lang, t.greeting, t.signoff
    )
}

fn check_dir(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--no-config", "--format", "json", "."])
        .current_dir(dir)
        .output()
        .expect("run tactful");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Each file's duplicate-blast messages, by path.
fn blasts(doc: &Value) -> Vec<(String, Vec<String>)> {
    doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let msgs = f["diagnostics"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .filter(|d| d["rule"] == RULE)
                        .map(|d| d["message"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            (f["path"].as_str().unwrap_or("").to_string(), msgs)
        })
        .collect()
}

fn blast_of(t: &Template, varying: usize) {
    let d = tempfile::tempdir().expect("tempdir");
    for i in 0..6 {
        std::fs::write(d.path().join(format!("d{i}.txt")), draft(t, varying, i)).expect("write");
    }
    let doc = check_dir(d.path());
    let found = blasts(&doc);
    assert_eq!(found.len(), 6);
    for (path, msgs) in &found {
        assert_eq!(
            msgs.len(),
            1,
            "{} with {varying} varying: {path} is one of six copies: {found:#?}",
            t.lang
        );
        let m = &msgs[0];
        assert!(m.contains("5 other drafts"), "{m}");
        assert!(m.contains("differ only in: "), "{m}");
        // Every varying field's first two values are named.
        for f in 0..varying {
            let first_two = format!("{}/{}", t.values[f][0], t.values[f][1]);
            assert!(m.contains(&first_two), "{} field {f}: {m}", t.lang);
        }
    }
}

#[test]
fn english_blasts_with_one_to_four_fields_filled_in() {
    for varying in 1..=4 {
        blast_of(&EN, varying);
    }
}

#[test]
fn spanish_blasts_with_one_to_four_fields_filled_in() {
    for varying in 1..=4 {
        blast_of(&ES, varying);
    }
}

#[test]
fn german_blasts_with_one_to_four_fields_filled_in() {
    for varying in 1..=4 {
        blast_of(&DE, varying);
    }
}

#[test]
fn polish_blasts_with_one_to_four_fields_filled_in() {
    for varying in 1..=4 {
        blast_of(&PL, varying);
    }
}

/// Drafts to one person each, about something of theirs: only the greeting and the sign-off
/// are shared.
fn distinct(t: &Template, bodies: &[&str]) {
    let d = tempfile::tempdir().expect("tempdir");
    for (i, body) in bodies.iter().enumerate() {
        let text = format!(
            "---\nlang: {}\n---\n{} {},\n\n{body}\n\n{}\n",
            t.lang, t.greeting, t.values[0][0], t.signoff
        );
        std::fs::write(d.path().join(format!("d{i}.txt")), text).expect("write");
    }
    let doc = check_dir(d.path());
    for (path, msgs) in blasts(&doc) {
        assert!(msgs.is_empty(), "{} {path}: {msgs:?}", t.lang);
    }
}

#[test]
fn distinct_drafts_with_a_shared_greeting_and_sign_off_stay_silent() {
    distinct(
        &EN,
        &[
            "Your talk on cold-chain audits at the Leeds meetup made me rethink how we log fridge temperatures. Did the paper checklist survive the busy season, or did you move it to tablets?",
            "I read your thread about hiring your first support lead. We are about to do the same at our bakery co-op and I wondered which interview question told you the most.",
            "Congratulations on the new depot in Porto. A friend who drives for you mentioned the night shifts got shorter; I would love to hear how you planned the routes around the bridge works.",
            "Thank you for answering my question in the forum last month about pallet labels. It saved us a week. If it helps, I can send you the template we ended up printing.",
            "I saw your comment that small insurers still fax claims forms. My sister runs claims at a local broker and says the same, so I am curious what finally made your team switch.",
            "Your photo of the rebuilt loading bay was a nice surprise in my feed. How long did the permits take? We are planning something similar and the council has been slow.",
        ],
    );
    distinct(
        &ES,
        &[
            "Tu charla sobre auditorías de frío en Sevilla me hizo replantear cómo apuntamos las temperaturas de las cámaras. ¿Seguís con la lista en papel o ya usáis tabletas?",
            "Leí tu hilo sobre la contratación del primer responsable de soporte. Nosotros vamos a hacer lo mismo en la cooperativa y me gustaría saber qué pregunta te resultó más útil.",
            "Enhorabuena por el nuevo almacén de Bilbao. Un amigo que conduce para vosotros me contó que los turnos de noche son más cortos; me encantaría saber cómo planificasteis las rutas.",
            "Gracias por responder en el foro el mes pasado a mi duda sobre las etiquetas de los palés. Nos ahorró una semana, y si te sirve puedo enviarte la plantilla que imprimimos al final.",
            "Vi tu comentario de que las aseguradoras pequeñas todavía envían partes por fax. Mi hermana lleva siniestros en una correduría y dice lo mismo, así que tengo curiosidad por saber qué os hizo cambiar.",
            "La foto del muelle de carga reformado fue una sorpresa agradable. ¿Cuánto tardaron los permisos? Estamos planeando algo parecido y el ayuntamiento va muy lento.",
        ],
    );
    distinct(
        &DE,
        &[
            "Ihr Vortrag über Kühlketten-Audits in Bremen hat mich dazu gebracht, unsere Temperaturprotokolle zu überdenken. Nutzen Sie die Papierliste noch, oder sind Sie auf Tablets umgestiegen?",
            "Ich habe Ihren Beitrag über die erste Leitung im Kundendienst gelesen. Wir stellen gerade selbst jemanden ein und mich würde interessieren, welche Frage im Gespräch am meisten verraten hat.",
            "Glückwunsch zum neuen Lager in Leipzig. Ein Bekannter, der für Sie fährt, erzählte von kürzeren Nachtschichten; mich würde interessieren, wie Sie die Touren um die Baustelle geplant haben.",
            "Danke für Ihre Antwort im Forum letzten Monat zu den Palettenetiketten. Das hat uns eine Woche gespart, und gern schicke ich Ihnen die Vorlage, die wir am Ende gedruckt haben.",
            "Sie schrieben, dass kleine Versicherer Schadensmeldungen noch faxen. Meine Schwester arbeitet bei einem Makler und erlebt dasselbe, daher frage ich mich, was bei Ihnen den Wechsel ausgelöst hat.",
            "Das Foto der umgebauten Laderampe war eine schöne Überraschung. Wie lange haben die Genehmigungen gedauert? Wir planen etwas Ähnliches und die Stadt lässt sich Zeit.",
        ],
    );
}
