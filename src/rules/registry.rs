//! Where rules come from: the built-in files, plus the user's rule files and folders. Packs are
//! compiled lazily, one language at a time, the first time a message in that language is seen.

use super::builtin;
use super::load::{
    load_definition, load_definition_text, load_evidence, load_evidence_text, Definition,
    Definitions, LoadedFile,
};
use super::pack::Pack;
use super::schema::{CategoryDef, FileShape, PackDef};
use crate::error::SourceError;
use crate::message::{MarkerWords, Markers, Vocabulary};
use crate::yaml;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Which rules a run uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RuleSources {
    /// Extra rule files or folders (`--rules`, config `rules:`).
    pub extra: Vec<PathBuf>,
    /// Leave out the built-in rules (used by `tactful test` on a folder of rules).
    pub no_builtin: bool,
}

type PackResult = Result<Arc<Pack>, Vec<SourceError>>;

pub struct Registry {
    categories: Vec<CategoryDef>,
    pack_defs: BTreeMap<String, PackDef>,
    user_files: Vec<LoadedFile>,
    /// Rules the user's definition files define (they replace built-in ones of the same id).
    user_defs: Definitions,
    no_builtin: bool,
    packs: BTreeMap<String, OnceLock<PackResult>>,
    vocab: Vocabulary,
    /// Built-in evidence is read without its examples ([`Registry::for_linting`]).
    lean: bool,
}

/// The language a rule file belongs to when it does not say: its folder, if that looks like a
/// language code (`es`, `any`), else `any`.
fn lang_of_path(path: &Path) -> String {
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let looks_like_lang =
        (2..=3).contains(&folder.len()) && folder.chars().all(|c| c.is_ascii_lowercase());
    if looks_like_lang {
        folder.to_string()
    } else {
        "any".into()
    }
}

fn yaml_files(root: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<SourceError>) {
    if root.is_file() {
        out.push(root.to_path_buf());
        return;
    }
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(true)
        .build();
    let mut found = false;
    for entry in walker {
        match entry {
            Ok(e) => {
                let p = e.path();
                if p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    if p.file_name().is_some_and(|n| n == "categories.yaml") {
                        continue;
                    }
                    out.push(p.to_path_buf());
                    found = true;
                }
            }
            // A missing root is reported once, below.
            Err(_) if !root.exists() => {}
            Err(e) => errors.push(SourceError::whole(
                &root.display().to_string(),
                format!("cannot read rule folder: {e}"),
            )),
        }
    }
    if !found && !root.exists() {
        errors.push(SourceError::whole(
            &root.display().to_string(),
            "rule path does not exist",
        ));
    }
}

/// The pattern variables of a language; for `any` (rules that read every language) each
/// variable is the alternation of every pack's value, so `{field-talk}` there matches the
/// phrase in whichever language the message is in.
fn vars_of(pack_defs: &BTreeMap<String, PackDef>, lang: &str) -> BTreeMap<String, String> {
    if lang != "any" {
        return pack_defs
            .get(lang)
            .map(|d| d.vars.clone())
            .unwrap_or_default();
    }
    let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut own = BTreeMap::new();
    for (lang, d) in pack_defs {
        for (k, v) in &d.vars {
            all.entry(k.clone()).or_default().push(format!("(?:{v})"));
            // Each language's own value too, as `{<lang>--<name>}`: the same name may mean
            // different things in two languages (a rule that must read the message's own
            // language's variable uses these; see kinds/learned.rs).
            if let Ok(e) = super::literals::expand_vars(v, &d.vars) {
                own.insert(format!("{lang}--{k}"), e);
            }
        }
    }
    let mut out: BTreeMap<String, String> =
        all.into_iter().map(|(k, vs)| (k, vs.join("|"))).collect();
    out.extend(own);
    out
}

/// A pack's markers must each compile: a bad one is an error at its place in the YAML.
fn check_markers(def: &PackDef, path: &str, text: &str, errors: &mut Vec<SourceError>) {
    for (key, list) in def.markers.lists() {
        for w in list {
            if let Err(e) = Markers::check_fragment(&w.value) {
                errors.push(SourceError::new(
                    path,
                    text,
                    yaml::spanned_range(w, text),
                    format!("invalid `markers.{key}` pattern: {e}"),
                ));
            }
        }
    }
}

/// A field name as templates compare them: its letters and digits, lower case.
fn normalize_field(f: &str) -> String {
    f.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The built-in rule definitions (`rules/<category>.yaml`), parsed once per process on first
/// use: a run that never builds a pack or describes a rule does not pay for them.
pub fn builtin_definitions() -> &'static Result<Definitions, Vec<SourceError>> {
    static DEFS: OnceLock<Result<Definitions, Vec<SourceError>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut out = Definitions::new();
        let mut errors = Vec::new();
        let empty = BTreeMap::new();
        for f in builtin::FILES.iter().filter(|f| f.is_definition()) {
            let path = f.path();
            let loaded = f.load_lean(
                |def| load_definition(&path, f.text, def, "any", &empty, false, true),
                || load_definition_text(&path, f.text, "any", &empty, false, true),
            );
            match loaded {
                Ok((_, defs)) => {
                    for d in defs {
                        if d.def.kind.is_none() {
                            errors.push(SourceError::new(
                                &path,
                                f.text,
                                yaml::spanned_range(&d.def.id, f.text),
                                format!(
                                    "built-in rule `{}` does not name its `kind`",
                                    d.def.id.value
                                ),
                            ));
                        }
                        out.insert(d.def.id.value.clone(), Arc::new(d));
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    })
}

impl Registry {
    /// A registry for linting only: built-in rules carry no examples (they are not parsed),
    /// which makes building a pack markedly cheaper. Everything else is as [`Registry::new`].
    pub fn for_linting(sources: &RuleSources) -> Result<Registry, Vec<SourceError>> {
        let mut r = Registry::new(sources)?;
        r.lean = true;
        Ok(r)
    }

    pub fn new(sources: &RuleSources) -> Result<Registry, Vec<SourceError>> {
        let mut errors = Vec::new();
        let categories = builtin::categories().clone().unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        let mut pack_defs = BTreeMap::new();
        if !sources.no_builtin {
            for f in builtin::FILES.iter().filter(|f| f.is_pack()) {
                match f.parse_lean::<PackDef>() {
                    // Built-in markers are checked by a unit test, not at every start-up (compiling
                    // each fragment alone cost a fifth of a one-message run).
                    Ok(p) => {
                        pack_defs.insert(p.lang.clone(), p);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        // User files: packs first (their vars are needed to compile rules), then rules.
        let mut paths = Vec::new();
        for root in &sources.extra {
            yaml_files(root, &mut paths, &mut errors);
        }
        let mut texts = Vec::new();
        for p in paths {
            let shown = p.display().to_string();
            match std::fs::read(&p) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => texts.push((p, shown, t)),
                    Err(e) => errors.push(SourceError::whole(
                        &shown,
                        format!(
                            "rule file is not UTF-8 (byte {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )),
                },
                Err(e) => errors.push(SourceError::whole(
                    &shown,
                    format!("cannot read rule file: {e}"),
                )),
            }
        }
        for (p, shown, text) in &texts {
            if p.file_name().is_some_and(|n| n == "pack.yaml") {
                match yaml::parse::<PackDef>(text, shown) {
                    Ok(def) => {
                        check_markers(&def, shown, text, &mut errors);
                        pack_defs.insert(def.lang.clone(), def);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        // Definition files (with `category:`) first: a language file may give evidence for
        // a rule a user's file defines.
        let mut user_files = Vec::new();
        let mut user_defs = Definitions::new();
        let mut evidence = Vec::new();
        for (p, shown, text) in &texts {
            if p.file_name().is_some_and(|n| n == "pack.yaml") {
                continue;
            }
            let lang = lang_of_path(p);
            let vars = &vars_of(&pack_defs, &lang);
            let shape = match yaml::parse::<FileShape>(text, shown) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if shape.category.is_none() {
                evidence.push((lang, shown, text));
                continue;
            }
            match load_definition_text(shown, text, &lang, vars, true, true) {
                Ok((f, defs)) => {
                    user_files.push(f);
                    for d in defs {
                        user_defs.insert(d.def.id.value.clone(), Arc::new(d));
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !evidence.is_empty() {
            let builtin = if sources.no_builtin {
                None
            } else {
                match builtin_definitions().as_ref() {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.extend(e.iter().cloned());
                        None
                    }
                }
            };
            let lookup = |id: &str| {
                user_defs
                    .get(id)
                    .or_else(|| builtin.and_then(|b| b.get(id)))
                    .cloned()
            };
            for (lang, shown, text) in evidence {
                let vars = &vars_of(&pack_defs, &lang);
                match load_evidence_text(shown, text, &lang, vars, true, &lookup) {
                    Ok(f) => user_files.push(f),
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut langs: BTreeSet<String> = pack_defs.keys().cloned().collect();
        langs.insert("any".into());
        if !sources.no_builtin {
            langs.extend(
                builtin::FILES
                    .iter()
                    .filter(|f| f.is_evidence())
                    .map(|f| f.lang.to_string()),
            );
        }
        langs.extend(user_files.iter().map(|f| f.lang.clone()));
        let mut vocab = Vocabulary::default();
        let mut markers = MarkerWords::default();
        for d in pack_defs.values() {
            let m = &d.markers;
            for (into, from) in [
                (&mut markers.subject, &m.subject),
                (&mut markers.separators, &m.separators),
                (&mut markers.forward_headers, &m.forward_headers),
                (&mut markers.attribution_openers, &m.attribution_openers),
                (&mut markers.wrote, &m.wrote),
                (&mut markers.attribution_lines, &m.attribution_lines),
                (&mut markers.header_from, &m.header_from),
                (&mut markers.header_fields, &m.header_fields),
                (&mut markers.device_signatures, &m.device_signatures),
                (&mut markers.contact_labels, &m.contact_labels),
            ] {
                for w in from {
                    if !into.contains(&w.value) {
                        into.push(w.value.clone());
                    }
                }
            }
            vocab
                .fields
                .extend(d.fields.iter().map(|f| normalize_field(f)));
            let a = &mut vocab.address;
            for (into, from) in [
                (&mut a.openers, &d.address.openers),
                (&mut a.closers, &d.address.closers),
                (&mut a.clause, &d.address.clause),
            ] {
                into.extend(from.iter().map(|w| crate::text::fold::fold_str(w)));
            }
            vocab
                .greetings
                .extend(d.greetings.iter().map(|g| crate::text::fold::fold_str(g)));
            vocab
                .signoffs
                .extend(d.signoffs.iter().map(|g| crate::text::fold::fold_str(g)));
        }
        vocab
            .greetings
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        vocab.greetings.dedup();
        vocab
            .signoffs
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        vocab.signoffs.dedup();
        // Longest first: an alternation tries its branches in order.
        for list in [
            &mut markers.subject,
            &mut markers.separators,
            &mut markers.forward_headers,
            &mut markers.attribution_openers,
            &mut markers.wrote,
            &mut markers.header_from,
            &mut markers.header_fields,
            &mut markers.device_signatures,
            &mut markers.contact_labels,
        ] {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        vocab.markers = Markers::new(markers);
        vocab.fields.sort();
        vocab.fields.dedup();
        Ok(Registry {
            categories,
            pack_defs,
            user_files,
            user_defs,
            no_builtin: sources.no_builtin,
            packs: langs.into_iter().map(|l| (l, OnceLock::new())).collect(),
            vocab,
            lean: false,
        })
    }

    /// The rules of the user's rule files (compiled when the registry was built).
    pub fn user_rules(&self) -> impl Iterator<Item = &super::Rule> {
        self.user_files.iter().flat_map(|f| f.rules.iter())
    }

    /// The shared definition of a rule id: the user's, else the built-in one.
    pub fn definition(&self, id: &str) -> Option<Arc<Definition>> {
        self.user_defs.get(id).cloned().or_else(|| {
            if self.no_builtin {
                return None;
            }
            builtin_definitions().as_ref().ok()?.get(id).cloned()
        })
    }

    /// Every rule definition (user definitions replace built-in ones), by id. Errors in the
    /// built-in definitions are reported when a pack is built.
    pub fn definitions(&self) -> Definitions {
        let mut out = if self.no_builtin {
            Definitions::new()
        } else {
            builtin_definitions().as_ref().cloned().unwrap_or_default()
        };
        out.extend(self.user_defs.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Whether the built-in rule files are part of this registry.
    pub fn has_builtin(&self) -> bool {
        !self.no_builtin
    }

    pub fn categories(&self) -> &[CategoryDef] {
        &self.categories
    }

    pub fn category(&self, id: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// Greeting and sign-off words of every pack, for segmentation.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Each pack's stop words, for language detection.
    pub fn stopwords(&self) -> BTreeMap<String, Vec<String>> {
        self.pack_defs
            .iter()
            .filter(|(l, _)| *l != "any")
            .map(|(l, d)| {
                (
                    l.clone(),
                    d.stopwords
                        .iter()
                        .map(|w| crate::text::fold::fold_str(w))
                        .collect(),
                )
            })
            .collect()
    }

    /// Language codes with a rule pack (not `any`).
    pub fn languages(&self) -> Vec<String> {
        self.packs.keys().filter(|l| *l != "any").cloned().collect()
    }

    pub fn has_language(&self, lang: &str) -> bool {
        lang != "any" && self.packs.contains_key(lang)
    }

    pub fn language_name(&self, lang: &str) -> Option<&str> {
        self.pack_defs.get(lang).map(|d| d.name.as_str())
    }

    /// A pack's pattern variable with the variables inside it expanded; `None` when the pack or
    /// the variable does not exist.
    pub fn pack_var(&self, lang: &str, name: &str) -> Option<String> {
        let vars = &self.pack_defs.get(lang)?.vars;
        super::literals::expand_vars(vars.get(name)?, vars).ok()
    }

    /// The compiled pack for a language (`any` for the language-neutral rules).
    pub fn pack(&self, lang: &str) -> Option<&PackResult> {
        let cell = self.packs.get(lang)?;
        Some(cell.get_or_init(|| self.build_pack(lang)))
    }

    fn build_pack(&self, lang: &str) -> PackResult {
        let def = self.pack_defs.get(lang);
        let vars = &vars_of(&self.pack_defs, lang);
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        if !self.no_builtin {
            match builtin_definitions().as_ref() {
                Ok(defs) => {
                    let lookup = |id: &str| defs.get(id).cloned();
                    for f in builtin::FILES
                        .iter()
                        .filter(|f| f.lang == lang && f.is_evidence())
                    {
                        let path = f.path();
                        let loaded = if self.lean {
                            f.load_lean(
                                |file| {
                                    load_evidence(&path, f.lean, file, lang, vars, false, &lookup)
                                },
                                || load_evidence_text(&path, f.lean, lang, vars, false, &lookup),
                            )
                        } else {
                            load_evidence_text(&path, f.text, lang, vars, false, &lookup)
                        };
                        match loaded {
                            Ok(loaded) => rules.extend(loaded.rules),
                            Err(mut e) => errors.append(&mut e),
                        }
                    }
                }
                Err(e) => errors.extend(e.iter().cloned()),
            }
        }
        for f in self.user_files.iter().filter(|f| f.lang == lang) {
            // A user rule with a built-in id replaces the built-in one.
            for r in &f.rules {
                rules.retain(|x: &super::Rule| x.id != r.id);
            }
            rules.extend(f.rules.iter().cloned());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let prefixes = def
            .map(|d| {
                d.word_prefixes
                    .iter()
                    .filter_map(|p| p.chars().next())
                    .collect()
            })
            .unwrap_or_default();
        let name = def.map_or_else(|| lang.to_string(), |d| d.name.clone());
        Ok(Arc::new(Pack::new(lang.to_string(), name, prefixes, rules)))
    }

    /// Every rule of every language (compiles every pack).
    pub fn all_rules(&self) -> Result<Vec<(Arc<Pack>, usize)>, Vec<SourceError>> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for lang in self.packs.keys() {
            match self.pack(lang) {
                Some(Ok(p)) => out.extend((0..p.rules.len()).map(|i| (p.clone(), i))),
                Some(Err(e)) => errors.extend(e.iter().cloned()),
                None => {}
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::schema::EvidenceFileDef;

    /// Start-up skips checking the built-in packs' markers; this is where a bad one fails.
    #[test]
    fn builtin_pack_markers_compile() {
        let mut errors = Vec::new();
        let mut packs = 0;
        for f in builtin::FILES.iter().filter(|f| f.is_pack()) {
            let def: PackDef = yaml::parse(f.text, &f.path()).unwrap_or_else(|e| panic!("{e}"));
            check_markers(&def, &f.path(), f.text, &mut errors);
            packs += 1;
        }
        assert!(packs >= 9, "{packs}");
        assert!(errors.is_empty(), "{errors:?}");
    }

    /// Issue 10: a rule is defined once. Every built-in language file holds evidence only, and
    /// every definition names its kind.
    #[test]
    fn no_shared_metadata_is_repeated_in_a_language_file() {
        let defs = builtin_definitions()
            .as_ref()
            .expect("built-in definitions load");
        assert!(defs.len() > 100, "{}", defs.len());
        assert!(defs.values().all(|d| d.def.kind.is_some()));
        let mut entries = 0;
        for f in builtin::FILES.iter().filter(|f| f.is_evidence()) {
            let file: EvidenceFileDef =
                yaml::parse(f.text, &f.path()).unwrap_or_else(|e| panic!("{e}"));
            assert!(file.category.is_none(), "{}", f.path());
            let stem = f.name.trim_end_matches(".yaml");
            for r in &file.rules {
                entries += 1;
                let id = &r.id.value;
                for (key, v) in [
                    ("kind", &r.kind),
                    ("severity", &r.severity),
                    ("message", &r.message),
                    ("description", &r.description),
                    ("help", &r.help),
                    ("when", &r.when),
                    ("segments", &r.segments),
                ] {
                    assert!(v.is_none(), "{}: {id} sets `{key}`", f.path());
                }
                let d = defs
                    .get(id)
                    .unwrap_or_else(|| panic!("{}: {id} is not defined", f.path()));
                assert_eq!(d.category, stem, "{}: {id}", f.path());
            }
        }
        assert!(entries > 500, "{entries}");
    }
}
