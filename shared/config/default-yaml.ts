import type { Lang, TileCompileConfig } from './config-types';
import { getAtPath } from './defaults';
import { SCHEMA, describeExpected, yamlLiteral } from './schema';
import type { SchemaEntry } from './schema-entry';

const SECTION_TITLES: Readonly<Record<string, { en: string; de: string }>> = {
  input: { en: 'Which files are the light frames', de: 'Welche Dateien die Light-Frames sind' },
  data: { en: 'Camera data, used when the FITS headers do not say', de: 'Kameradaten, wenn die FITS-Header nichts angeben' },
  linearity: { en: 'Linearity heuristic (warnings only)', de: 'Linearitätsprüfung (nur Warnungen)' },
  calibration: { en: 'Bias, dark and flat calibration', de: 'Kalibrierung mit Bias, Dark und Flat' },
  assumptions: { en: 'Modes and frame-count thresholds', de: 'Modi und Schwellen der Frame-Anzahl' },
  normalization: { en: 'Background normalization', de: 'Hintergrundnormierung' },
  registration: { en: 'Registration of every frame to the reference frame', de: 'Registrierung jedes Frames auf den Referenzframe' },
  dithering: { en: 'Dither diagnostics', de: 'Dither-Diagnose' },
  global_metrics: { en: 'Global frame weights G', de: 'Globale Frame-Gewichte G' },
  tile: { en: 'Tile grid', de: 'Kachelraster' },
  local_metrics: { en: 'Local tile weights L', de: 'Lokale Kachelgewichte L' },
  synthetic: { en: 'State clustering and synthetic frames', de: 'Zustands-Clustering und synthetische Frames' },
  stacking: { en: 'Stacking and rejection', de: 'Stapeln und Ausreißerverwerfung' },
  tile_denoise: { en: 'Tile denoising (non-linear, off)', de: 'Kachel-Entrauschen (nichtlinear, aus)' },
  reconstruction: { en: 'Overlap-add reconstruction', de: 'Overlap-Add-Rekonstruktion' },
  debayer: { en: 'Colour reconstruction of OSC data', de: 'Farbrekonstruktion von OSC-Daten' },
  output: { en: 'What the run writes', de: 'Was der Lauf schreibt' },
  runtime: { en: 'Workers and memory (not part of config_hash)', de: 'Worker und Speicher (nicht Teil von config_hash)' },
  validation: { en: 'Result validation', de: 'Validierung des Ergebnisses' },
  distributed: { en: 'Distributed mode over RabbitMQ (not part of config_hash)', de: 'Verteilter Modus über RabbitMQ (nicht Teil von config_hash)' },
  bge: { en: 'Background gradient extraction (optional)', de: 'Entfernung von Hintergrundgradienten (optional)' },
  astrometry: { en: 'Plate solving with ASTAP (optional)', de: 'Astrometrie mit ASTAP (optional)' },
  pcc: { en: 'Photometric colour calibration (optional)', de: 'Photometrische Farbkalibrierung (optional)' },
};

const TEXT = {
  en: {
    header: [
      'tile_compile.yaml - Tile Compile configuration (METHOD.md section 4).',
      'Every key is listed with its default. A key left out takes its default, so a profile only',
      'needs the lines it changes. Values outside their range are errors, never clipped.',
    ],
    frozen: [
      'config.yaml - the effective configuration of a run (METHOD.md section 5), every key filled in.',
      'Loading it gives exactly the plan the run used; config.sha256 holds its config_hash.',
    ],
    expected: 'Expected',
    def: 'Default',
  },
  de: {
    header: [
      'tile_compile.yaml - Konfiguration von Tile Compile (METHOD.md Abschnitt 4).',
      'Jeder Schlüssel steht mit seinem Standardwert da. Ein weggelassener Schlüssel erhält den',
      'Standardwert, ein Profil braucht also nur die Zeilen, die es ändert. Werte außerhalb ihres',
      'Bereichs sind Fehler und werden nie stillschweigend begrenzt.',
    ],
    frozen: [
      'config.yaml - wirksame Konfiguration eines Laufs (METHOD.md Abschnitt 5), alle Schlüssel gesetzt.',
      'Sie ergibt genau den Plan, den der Lauf verwendet hat; config.sha256 enthält seinen config_hash.',
    ],
    expected: 'Erwartet',
    def: 'Standard',
  },
} as const;

const WRAP_COLUMNS = 100;

interface Tree {
  readonly children: Map<string, Tree | SchemaEntry>;
}

/**
 * The full default file: every key, each preceded by `# ` comment lines with its meaning, accepted
 * values, default and METHOD.md section. Loading it back gives exactly the defaults, no problems.
 */
export function defaultConfigYaml(lang: Lang = 'en'): string {
  return renderYaml((e) => e.default, TEXT[lang].header, lang);
}

/**
 * A plan written out in full (the run directory's frozen config.yaml): every key with its value and
 * the same comments as the default file. Loading it back gives an equal plan and the same config_hash.
 */
export function configToYaml(config: TileCompileConfig, lang: Lang = 'en'): string {
  return renderYaml((e) => getAtPath(config, e.path), TEXT[lang].frozen, lang);
}

function renderYaml(valueOf: (e: SchemaEntry) => unknown, header: readonly string[], lang: Lang): string {
  const root: Tree = { children: new Map() };
  for (const e of SCHEMA) {
    const parts = e.path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.children.get(part) as Tree | undefined;
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.children.set(parts[parts.length - 1], e as SchemaEntry);
  }
  const lines: string[] = header.map((l) => `# ${l}`);
  emit(root, '', lang, valueOf, lines);
  return `${lines.join('\n')}\n`;
}

function emit(node: Tree, indent: string, lang: Lang, valueOf: (e: SchemaEntry) => unknown, lines: string[]): void {
  for (const [key, child] of node.children) {
    if (indent === '') {
      lines.push('');
      const title = SECTION_TITLES[key];
      if (title) lines.push(`# ===== ${title[lang]} =====`);
    }
    if ('children' in child) {
      lines.push(`${indent}${key}:`);
      emit(child, `${indent}  `, lang, valueOf, lines);
    } else {
      for (const c of wrap(commentFor(child, lang), WRAP_COLUMNS - indent.length - 2)) lines.push(`${indent}# ${c}`);
      lines.push(`${indent}${key}: ${yamlLiteral(valueOf(child))}`);
    }
  }
}

function commentFor(e: SchemaEntry, lang: Lang): string {
  const t = TEXT[lang];
  return `${e.help[lang]} ${t.expected}: ${describeExpected(e, lang)}. ${t.def}: ${yamlLiteral(e.default)}. (METHOD.md ${e.ref})`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
