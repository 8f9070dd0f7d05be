//! Code actions: one quick fix per suggestion under the cursor, and one "fix all" for the safe
//! rewrites.

use super::diagnostics::{diagnostic, offset, range};
use super::documents::Doc;
use crate::text::position::LineIndex16;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, WorkspaceEdit,
};
use std::collections::HashMap;

pub(super) const FIX_ALL: &str = "source.fixAll.tactful";

pub(super) fn code_actions(doc: &Doc, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &p.text_document.uri;
    let Some(result) = &doc.result else {
        return Vec::new();
    };
    let idx = LineIndex16::new(&doc.text);
    let (start, end) = (offset(&idx, p.range.start), offset(&idx, p.range.end));
    let only = p.context.only.as_ref();
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|o| {
            o.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    };
    let mut out = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for f in &result.findings {
            let Some(s) = &f.suggestion else { continue };
            let touches = f.span.start <= end && start <= f.span.end;
            if !touches {
                continue;
            }
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with \"{}\" ({})", s.replacement, f.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(uri, &idx, f)]),
                edit: Some(edit(vec![TextEdit::new(
                    range(&idx, &s.span),
                    s.replacement.to_string(),
                )])),
                is_preferred: Some(s.safe),
                ..Default::default()
            }));
        }
    }
    let fix_all = CodeActionKind::from(FIX_ALL.to_string());
    if wants(&fix_all) {
        let plan = crate::fix::plan(&doc.text, &result.findings);
        if !plan.is_empty() {
            let edits = plan
                .edits
                .iter()
                .map(|e| TextEdit::new(range(&idx, &e.span), e.replacement.clone()))
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "Apply {} safe tactful fix{}",
                    plan.edits.len(),
                    if plan.edits.len() == 1 { "" } else { "es" }
                ),
                kind: Some(fix_all),
                edit: Some(edit(edits)),
                ..Default::default()
            }));
        }
    }
    out
}
