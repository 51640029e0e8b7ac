//! The outline, folding, selection ranges and links on every file of the shared corpus: no
//! panic, and each feature's promises hold on real manifests (install bundles, charts'
//! rendered output, CRDs, multi-document files).

use picket_ide::{AnalysisHost, DocumentSymbol, FileId, FileKind, ParsedFile, TextRange, TextSize};
use picket_test_utils::{corpus_dir, skip_without_corpus, yaml_files};

#[test]
fn structure_promises_hold_on_the_corpus() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let mut checked = 0;
    let mut symbols = 0;
    for path in yaml_files(&corpus) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut host = AnalysisHost::new();
        host.set_file(
            FileId(1),
            "f.yaml",
            FileKind::Yaml,
            ParsedFile::parse(&text),
        );
        let a = host.analysis();
        let len = TextSize::of(&*text);
        let name = path.display();
        let whole = |r: TextRange| {
            r.end() <= len
                && text.is_char_boundary(r.start().into())
                && text.is_char_boundary(r.end().into())
        };

        fn walk(s: &DocumentSymbol, parent: Option<TextRange>, n: &mut usize) -> bool {
            *n += 1;
            !s.name.is_empty()
                && s.range.contains_range(s.selection_range)
                && parent.is_none_or(|p| p.contains_range(s.range))
                && s.children.iter().all(|c| walk(c, Some(s.range), n))
        }
        for s in a.document_symbols(FileId(1)).unwrap() {
            assert!(whole(s.range), "{name}: {s:?}");
            assert!(walk(&s, None, &mut symbols), "{name}: {s:?}");
        }

        let folds = a.folding_ranges(FileId(1)).unwrap();
        for f in &folds {
            assert!(whole(f.range), "{name}: {f:?}");
            assert!(text[f.range].contains(['\n', '\r']), "{name}: {f:?}");
        }

        // A few hundred offsets per file, on character boundaries.
        let step = (text.len() / 300).max(1);
        let offsets: Vec<TextSize> = (0..=text.len())
            .step_by(step)
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| TextSize::new(i as u32))
            .collect();
        for (o, chain) in offsets
            .iter()
            .zip(a.selection_ranges(FileId(1), &offsets).unwrap())
        {
            let mut prev = TextRange::empty(*o);
            for r in &chain {
                assert!(whole(*r), "{name}: {r:?}");
                assert!(
                    r.contains_range(prev) && *r != prev,
                    "{name} at {o:?}: {chain:?}"
                );
                prev = *r;
            }
            assert_eq!(prev, TextRange::up_to(len), "{name} at {o:?}");
        }

        for l in a.document_links(FileId(1)).unwrap() {
            assert!(whole(l.range), "{name}: {l:?}");
            assert_eq!(text[l.range], l.target, "{name}");
            assert!(
                l.target.starts_with("http://") || l.target.starts_with("https://"),
                "{name}: {l:?}"
            );
            assert!(
                !l.target.ends_with(['.', ',', ';', ':', '\'', '"']),
                "{name}: {l:?}"
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no YAML file in {}", corpus.display());
    assert!(symbols > 0, "no symbol in the whole corpus");
}
