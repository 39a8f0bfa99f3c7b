/**
 * Languages → ISO 639-1. A caller needs the language to phone in, so "Turks", "turc", "TR" and
 * "Turkish" must all become `tr`; anything not recognised is left empty with `language_unknown`.
 */

import { codeTable, foldKey, type Normalised } from './text.ts';

/** Every ISO 639-1 code (the deprecated `bh` excluded). */
export const ISO_639_1: ReadonlySet<string> = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ' +
    'ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo ' +
    'lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl ' +
    'sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
  ).split(' '),
);

/** Names of the languages met in Belgian outreach, in Dutch, French, English, German and their own name, plus ISO 639-2 codes. */
const NAMES = codeTable({
  nl: ['Nederlands', 'Vlaams', 'Néerlandais', 'Flamand', 'Dutch', 'Flemish', 'Niederländisch', 'Flämisch', 'nld', 'dut'],
  fr: ['Frans', 'Français', 'French', 'Französisch', 'fra', 'fre'],
  en: ['Engels', 'Anglais', 'English', 'Englisch', 'eng'],
  de: ['Duits', 'Allemand', 'German', 'Deutsch', 'deu', 'ger'],
  tr: ['Turks', 'Turc', 'Turque', 'Turkish', 'Türkisch', 'Türkçe', 'tur'],
  ar: ['Arabisch', 'Arabe', 'Arabic', 'العربية', 'ara', 'Marokkaans', 'Marocain', 'Moroccan Arabic', 'Darija'],
  es: ['Spaans', 'Espagnol', 'Spanish', 'Spanisch', 'Español', 'spa'],
  it: ['Italiaans', 'Italien', 'Italian', 'Italienisch', 'Italiano', 'ita'],
  pl: ['Pools', 'Polonais', 'Polish', 'Polnisch', 'Polski', 'pol'],
  ro: ['Roemeens', 'Roumain', 'Romanian', 'Rumänisch', 'Română', 'ron', 'rum'],
  ru: ['Russisch', 'Russe', 'Russian', 'Русский', 'rus'],
  uk: ['Oekraïens', 'Ukrainien', 'Ukrainian', 'Ukrainisch', 'Українська', 'ukr'],
  bg: ['Bulgaars', 'Bulgare', 'Bulgarian', 'Bulgarisch', 'Български', 'bul'],
  sq: ['Albanees', 'Albanais', 'Albanian', 'Albanisch', 'Shqip', 'sqi', 'alb'],
  pt: ['Portugees', 'Portugais', 'Portuguese', 'Portugiesisch', 'Português', 'por'],
  el: ['Grieks', 'Grec', 'Greek', 'Griechisch', 'Ελληνικά', 'ell', 'gre'],
  fa: ['Perzisch', 'Farsi', 'Persan', 'Persian', 'Persisch', 'Dari', 'fas', 'per'],
  ps: ['Pasjtoe', 'Pashto', 'Pachto', 'Paschtu', 'pus'],
  ku: ['Koerdisch', 'Kurde', 'Kurdish', 'Kurdisch', 'Kurmanji', 'Sorani', 'kur'],
  so: ['Somalisch', 'Somali', 'Somalien', 'som'],
  ti: ['Tigrinya', 'Tigrigna', 'Tigrinia', 'tir'],
  am: ['Amhaars', 'Amharique', 'Amharic', 'Amharisch', 'amh'],
  hy: ['Armeens', 'Arménien', 'Armenian', 'Armenisch', 'hye', 'arm'],
  ka: ['Georgisch', 'Géorgien', 'Georgian', 'kat', 'geo'],
  sr: ['Servisch', 'Serbe', 'Serbian', 'Serbisch', 'srp'],
  hr: ['Kroatisch', 'Croate', 'Croatian', 'hrv'],
  bs: ['Bosnisch', 'Bosniaque', 'Bosnian', 'bos'],
  mk: ['Macedonisch', 'Macédonien', 'Macedonian', 'Mazedonisch', 'mkd', 'mac'],
  hu: ['Hongaars', 'Hongrois', 'Hungarian', 'Ungarisch', 'Magyar', 'hun'],
  cs: ['Tsjechisch', 'Tchèque', 'Czech', 'Tschechisch', 'ces', 'cze'],
  sk: ['Slowaaks', 'Slovaque', 'Slovak', 'Slowakisch', 'slk', 'slo'],
  sl: ['Sloveens', 'Slovène', 'Slovenian', 'Slowenisch', 'slv'],
  lt: ['Litouws', 'Lituanien', 'Lithuanian', 'Litauisch', 'lit'],
  lv: ['Lets', 'Letton', 'Latvian', 'Lettisch', 'lav'],
  et: ['Ests', 'Estonien', 'Estonian', 'Estnisch', 'est'],
  zh: ['Chinees', 'Chinois', 'Chinese', 'Chinesisch', 'Mandarijn', 'Mandarin', 'zho', 'chi'],
  ja: ['Japans', 'Japonais', 'Japanese', 'Japanisch', 'jpn'],
  ko: ['Koreaans', 'Coréen', 'Korean', 'Koreanisch', 'kor'],
  vi: ['Vietnamees', 'Vietnamien', 'Vietnamese', 'Vietnamesisch', 'vie'],
  th: ['Thai', 'Thais', 'Thaï', 'Thailändisch', 'tha'],
  hi: ['Hindi', 'hin'],
  ur: ['Urdu', 'Ourdou', 'urd'],
  bn: ['Bengaals', 'Bengali', 'Bengalisch', 'ben'],
  pa: ['Punjabi', 'Pendjabi', 'pan'],
  ta: ['Tamil', 'Tamoul', 'tam'],
  ne: ['Nepalees', 'Népalais', 'Nepali', 'Nepalesisch', 'nep'],
  tl: ['Tagalog', 'Filipino', 'tgl'],
  ln: ['Lingala', 'lin'],
  sw: ['Swahili', 'Kiswahili', 'swa'],
  he: ['Hebreeuws', 'Hébreu', 'Hebrew', 'Hebräisch', 'heb'],
  id: ['Indonesisch', 'Indonésien', 'Indonesian', 'ind'],
  ms: ['Maleis', 'Malais', 'Malay', 'msa', 'may'],
  sv: ['Zweeds', 'Suédois', 'Swedish', 'Schwedisch', 'swe'],
  no: ['Noors', 'Norvégien', 'Norwegian', 'Norwegisch', 'nor'],
  da: ['Deens', 'Danois', 'Danish', 'Dänisch', 'dan'],
  fi: ['Fins', 'Finnois', 'Finnish', 'Finnisch', 'fin'],
  lb: ['Luxemburgs', 'Luxembourgeois', 'Luxembourgish', 'Luxemburgisch', 'ltz'],
  az: ['Azerbeidzjaans', 'Azéri', 'Azerbaijani', 'aze'],
  uz: ['Oezbeeks', 'Ouzbek', 'Uzbek', 'uzb'],
});

/**
 * A language in any of the spellings above, or an ISO 639-1 code in any case. Several languages
 * ("NL/FR", "Frans, Engels") give the first one recognised: the caller's first choice.
 */
export function normaliseLanguage(raw: string): Normalised<string> {
  if (raw.trim() === '') return {};
  const whole = recognise(raw);
  if (whole) return { value: whole };
  for (const part of raw.split(/[/,;+&|]|\s(?:en|et|and|und|of|ou|or)\s/i)) {
    const code = recognise(part);
    if (code) return { value: code };
  }
  return { warning: 'language_unknown' };
}

function recognise(text: string): string | undefined {
  const key = foldKey(text);
  if (key === '') return undefined;
  const named = NAMES.get(key);
  if (named && ISO_639_1.has(named)) return named;
  return key.length === 2 && ISO_639_1.has(key) ? key : undefined;
}
