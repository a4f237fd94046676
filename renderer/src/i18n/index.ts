import { de } from './de';
import { en, type MessageKey } from './en';

export type Lang = 'en' | 'de';
export type { MessageKey };
export const LANGS: readonly Lang[] = ['en', 'de'];
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, de };

/** Looks up a message and fills `{name}` placeholders. */
export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = dictionaries[lang][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function detectLang(): Lang {
  const nav = (globalThis as { navigator?: { language?: string } }).navigator;
  return nav?.language?.toLowerCase().startsWith('de') ? 'de' : 'en';
}
