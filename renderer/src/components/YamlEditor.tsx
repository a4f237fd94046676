import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { hoverTooltip } from '@codemirror/view';
import { oneDarkish } from './editor-theme';
import { helpFor, keyPathAt, problemText, type ConfigProblem, type Lang } from '../lib/config-service';

/**
 * CodeMirror 6 over the YAML text. The store owns the text and the lint result (shared/config);
 * the editor only shows them: markers at the problem's character range, hover help per key.
 */
export function YamlEditor(props: {
  text: string;
  problems: readonly ConfigProblem[];
  lang: Lang;
  onChange: (text: string) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const lang = useRef(props.lang);
  lang.current = props.lang;

  useEffect(() => {
    const help = hoverTooltip((v, pos) => {
      const path = keyPathAt(v.state.doc.toString(), pos);
      if (!path) return null;
      const text = helpFor(path, lang.current);
      if (!text) return null;
      return {
        pos,
        above: true,
        create() {
          const dom = document.createElement('div');
          dom.className = 'cm-help';
          const title = document.createElement('div');
          title.className = 'cm-help-path';
          title.textContent = path;
          const body = document.createElement('div');
          body.textContent = text;
          dom.append(title, body);
          return { dom };
        },
      };
    });
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.text,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          // Diagnostics come from the store; this empty linter only enables the lint UI.
          linter(() => [], { delay: 1e9 }),
          help,
          oneDarkish,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; text and problems flow in through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.text) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.text } });
    }
  }, [props.text]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const diagnostics: Diagnostic[] = props.problems
      .filter((p) => p.line > 0)
      .map((p) => {
        const from = Math.min(len, Math.max(0, p.offset));
        const to = Math.min(len, Math.max(from, p.endOffset));
        return { from, to: to > from ? to : Math.min(len, from + 1), severity: p.severity, message: problemText(p), source: p.code };
      });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [props.problems, props.text]);

  return <div className="yaml-editor" ref={host} data-testid="yaml-editor" />;
}
