/**
 * Synthetic police exports, like the samples of police zones Carma (Dutch, `;`) and Namur
 * (French, `,`) with the same headers and the same mess: mixed date spellings, every way of
 * writing a phone number, names in capitals with stray spaces, coded values in several
 * spellings, a few orange and red dossiers, rows without PV number or phone, hostile remarks
 * (formulas, markup, quoted delimiters and line breaks), exact duplicates. Every person is
 * invented. Deterministic from the seed, and streaming: a million rows are written with flat memory.
 *
 * `MESS` holds the rates of each injected fault, so tests can check that the parser finds them.
 */

import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { encodeCsvRow } from '../../kernel/spreadsheet/csv.ts';
import { FLUSH_EVERY, flushed } from '../../kernel/spreadsheet/xlsx.ts';

export type ExportLang = 'nl' | 'fr';

export interface GenerateOptions {
  rows: number;
  lang: ExportLang;
  seed?: number;
}

export const POLICE_HEADERS: Record<ExportLang, readonly string[]> = {
  nl: [
    'PV-nummer',
    'Datum feiten',
    'Datum registratie',
    'Politiezone',
    'Gemeente',
    'Postcode',
    'Straat',
    'Huisnr',
    'Bus',
    'Naam',
    'Voornaam',
    'Geboortedatum',
    'Geslacht',
    'Hoedanigheid',
    'GSM',
    'Telefoon',
    'E-mail',
    'Taal',
    'Relatie',
    'Minderjarigen aanwezig',
    'Kleurcode',
    'Opmerkingen',
  ],
  fr: [
    'Numéro PV',
    'Date des faits',
    "Date d'enregistrement",
    'Zone de police',
    'Commune',
    'Code postal',
    'Rue',
    'Numéro',
    'Boîte',
    'Nom',
    'Prénom',
    'Date de naissance',
    'Sexe',
    'Qualité',
    'GSM',
    'Téléphone',
    'E-mail',
    'Langue',
    'Relation',
    'Mineurs présents',
    'Code couleur',
    'Remarques',
  ],
};

/** Rates of the injected faults (per row unless said otherwise). */
export const MESS = {
  /** PV number left empty. */
  noPv: 0.01,
  /** Dossier colour orange / red (per PV: every person of the dossier shares it). */
  orange: 0.02,
  red: 0.005,
  /** Mobile empty, `onbekend`, or cut short by two digits (unusable). */
  mobileEmpty: 0.05,
  mobileUnknown: 0.03,
  mobileShort: 0.025,
  /** Facts date 31/02 (impossible). */
  factsImpossible: 0.004,
  /** Birth date empty. */
  birthEmpty: 0.03,
  /** Last name in capitals with stray spaces. */
  shouting: 0.06,
  /** Language empty. */
  languageEmpty: 0.08,
  /** The previous row repeated exactly. */
  duplicate: 0.01,
} as const;

interface Municipality {
  name: string;
  postcode: string;
  /** NIS code, where the project names it. */
  nis?: string;
  weight: number;
}

/** The municipalities of the Genk project "Hoe gaat het met u?" (police zone Carma and neighbours). */
export const GENK_MUNICIPALITIES: readonly Municipality[] = [
  { name: 'Genk', postcode: '3600', nis: '71016', weight: 46 },
  { name: 'Houthalen-Helchteren', postcode: '3530', nis: '72039', weight: 17 },
  { name: 'Oudsbergen', postcode: '3660', nis: '72042', weight: 9 },
  { name: 'As', postcode: '3665', nis: '71002', weight: 6 },
  { name: 'Kinrooi', postcode: '3640', nis: '72018', weight: 6 },
  { name: 'Bocholt', postcode: '3950', nis: '72003', weight: 6 },
  { name: 'Bree', postcode: '3960', nis: '72004', weight: 5 },
  { name: 'Zutendaal', postcode: '3690', nis: '71067', weight: 5 },
];

export const NAMUR_MUNICIPALITIES: readonly Municipality[] = [
  { name: 'Namur', postcode: '5000', weight: 54 },
  { name: 'Jambes', postcode: '5100', weight: 16 },
  { name: 'Andenne', postcode: '5300', weight: 11 },
  { name: 'Eghezée', postcode: '5310', weight: 10 },
  { name: 'Gembloux', postcode: '5030', weight: 9 },
];

const LOCALE = {
  nl: {
    delimiter: ';',
    zone: 'CARMA',
    pvPrefix: 'HA.55.L7',
    municipalities: GENK_MUNICIPALITIES,
    streets: [
      'Winterslag',
      'Meeuwerkiezel',
      'Rodeweg',
      'Stationsstraat',
      'Molenweg',
      'Kerkplein',
      'Weg naar As',
      'Sledderlo',
      'Vennestraat',
      'Bochterweg',
      'Dorpsstraat',
      'Hoogstraat',
    ],
    landlines: ['011', '089'],
    gender: { f: 'V', m: 'M' },
    roles: { victim: 'Slachtoffer', suspect: 'Verdachte', involved: 'Betrokkene' },
    colours: { green: 'Groen', orange: 'Oranje', red: 'Rood' },
    relations: [
      ['Partner', 54],
      ['Ex-partner', 24],
      ['Ouder-kind', 10],
      ['Kind-ouder', 8],
      ['Ouderenmis(be)handeling', 2],
      ['Broer-zus', 1.5],
      ['Andere', 0.5],
    ],
    minors: ['Ja', 'ja', 'nee', 'NEE', 'nee', ''],
    languages: ['NL', 'NL', 'NL', 'nederlands', 'FR', 'EN', 'TR', 'Turks', 'AR', 'PL', 'IT'],
    remarks: [
      '',
      '',
      '',
      'Verbale ruzie, geen letsels',
      'Discussie over geld',
      'Buren verwittigden politie',
      'Betrokkene wenst hulp',
      'Eerste tussenkomst op dit adres',
      'Spanning na scheiding; kinderen sliepen',
      'Tekst; met puntkomma',
      'Regel 1\nRegel 2 met "aanhalingstekens"',
      '=HYPERLINK("http://example.invalid","klik")',
      '@cmd',
      '-2+3',
    ],
  },
  fr: {
    delimiter: ',',
    zone: 'NAMUR-CAPITALE',
    pvPrefix: 'NA.11.L3',
    municipalities: NAMUR_MUNICIPALITIES,
    streets: ['Rue de Fer', 'Rue des Carmes', "Place d'Armes", 'Rue Saint-Nicolas', 'Avenue Reine Astrid', 'Chaussée de Louvain'],
    landlines: ['081', '085'],
    gender: { f: 'F', m: 'M' },
    roles: { victim: 'Victime', suspect: 'Suspect', involved: 'Impliqué' },
    colours: { green: 'Vert', orange: 'Orange', red: 'Rouge' },
    relations: [
      ['Partenaire', 54],
      ['Ex-partenaire', 24],
      ['Parent-enfant', 10],
      ['Enfant-parent', 8],
      ['Maltraitance des aînés', 2],
      ['Frère-sœur', 1.5],
      ['Autre', 0.5],
    ],
    minors: ['oui', 'non', 'non', 'NON', 'Oui', ''],
    languages: ['FR', 'FR', 'français', 'NL', 'néerlandais', 'EN', 'TR', 'turc', 'AR', 'arabe', 'PL', 'IT'],
    remarks: [
      '',
      '',
      '',
      'Dispute verbale, pas de blessures',
      'Les voisins ont appelé la police',
      'Tensions après la séparation',
      'Première intervention à cette adresse',
      'Texte, avec virgule',
      'Ligne 1\nLigne 2 avec "guillemets"',
      '+SUM(1;2)',
      '<script>alert(1)</script>',
    ],
  },
} as const;

const LAST_NAMES = [
  'Maes',
  'Peeters',
  'Janssens',
  'Jacobs',
  'Mertens',
  'Willems',
  'Claes',
  'Goossens',
  'Wouters',
  'Dubois',
  'Dupont',
  'Lefèvre',
  'El Amrani',
  'Benali',
  'Haddad',
  'Yılmaz',
  'Özdemir',
  'Çelik',
  'Kowalski',
  'Nowak',
  'Popescu',
  'Rossi',
  'Bianchi',
  'Esposito',
  'Nguyen',
  'Van Gompel',
  'Van den Broeck',
  'Vandenberghe',
  "D'Hondt",
  'Dupont-Lefèvre',
];
const FIRST_NAMES = {
  f: ['Fatima', 'Marie', 'Els', 'An', 'Ilse', 'Sofie', 'Nathalie', 'Leila', 'Ayşe', 'Emine', 'Zeynep', 'Giulia', 'Katarzyna', 'Chloé'],
  m: ['Ahmed', 'Karim', 'Youssef', 'Mehmet', 'Emre', 'Jan', 'Pieter', 'Luc', 'Dirk', 'Kevin', 'Jean-Luc', 'Marco', 'Gianni', 'Tomasz'],
} as const;

/** mulberry32: a small, fast, seedable generator; plenty for test data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = random(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }
  weighted<T>(list: readonly (readonly [T, number])[]): T {
    const total = list.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of list) {
      r -= w;
      if (r < 0) return value;
    }
    return (list[list.length - 1] as readonly [T, number])[0];
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A date in one of the spellings the exports mix (75% dd/mm/yyyy). */
function spellDate(dice: Dice, d: Date): string {
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const r = dice.next();
  if (r < 0.75) return `${pad(day)}/${pad(m)}/${y}`;
  if (r < 0.82) return `${day}/${m}/${y}`;
  if (r < 0.87) return `${pad(day)}/${m}/${y}`;
  if (r < 0.94) return `${y}-${pad(m)}-${pad(day)}`;
  return `${pad(day)}.${pad(m)}.${y}`;
}

/** A Belgian mobile (9 national digits) in one of the spellings the exports use. */
function spellMobile(dice: Dice): string {
  const n = `4${dice.int(7, 9)}${dice.int(0, 9)}${pad(dice.int(0, 999999), 6)}`;
  const [a, b, c, d, e] = [n.slice(0, 3), n.slice(3, 5), n.slice(5, 7), n.slice(7, 9), n.slice(3, 6)];
  const r = dice.next();
  if (r < 0.15) return `0${n}`;
  if (r < 0.33) return n;
  if (r < 0.47) return `0032${n}`;
  if (r < 0.59) return `0${a} ${b} ${c} ${d}`;
  if (r < 0.74) return `+32 ${a}/${b}.${c}.${d}`;
  return `0${a}/${e} ${n.slice(6)}`;
}

function spellLandline(dice: Dice, zones: readonly string[]): string {
  const zone = dice.pick(zones);
  const six = pad(dice.int(200000, 999999), 6);
  return dice.chance(0.5) ? `${zone}/${six.slice(0, 3)}.${six.slice(3)}` : `${zone} ${six.slice(0, 2)} ${six.slice(2, 4)} ${six.slice(4)}`;
}

const DAY = 86_400_000;
const FIRST_FACTS = Date.UTC(2023, 0, 1);
const FACT_DAYS = 730;

/**
 * The export's rows as raw cells (header first), in the order and spelling of the samples.
 * Synchronous and deterministic: the same options give the same rows.
 */
export function* policeRecords(opts: GenerateOptions): Generator<string[]> {
  const L = LOCALE[opts.lang];
  const dice = new Dice(opts.seed ?? 1);
  const pvOffset = dice.int(0, 999_999);
  yield [...POLICE_HEADERS[opts.lang]];
  let written = 0;
  let previous: string[] | undefined;
  for (let dossier = 0; written < opts.rows; dossier++) {
    // A permutation of 0..999999 (7919 is prime to 10^6): PV numbers never repeat.
    const pv = `${L.pvPrefix}.${pad((pvOffset + dossier * 7919) % 1_000_000, 6)}/${dice.pick([2023, 2024])}`;
    const facts = new Date(FIRST_FACTS + dice.int(0, FACT_DAYS - 1) * DAY);
    const r = dice.next();
    const colour = r < MESS.red ? L.colours.red : r < MESS.red + MESS.orange ? L.colours.orange : L.colours.green;
    const place = dice.weighted(L.municipalities.map((m) => [m, m.weight] as const));
    const street = dice.pick(L.streets);
    const houseNumber = String(dice.int(1, 250));
    const relation = dice.weighted(L.relations);
    const minors = dice.pick(L.minors);
    const persons = dice.weighted([
      [1, 10],
      [2, 78],
      [3, 10],
      [4, 2],
    ] as const);
    const sharedName = dice.pick(LAST_NAMES);
    const roles = dice.chance(0.45) ? [L.roles.victim, L.roles.suspect] : [L.roles.involved, L.roles.involved];
    for (let p = 0; p < persons && written < opts.rows; p++) {
      if (previous && dice.chance(MESS.duplicate)) {
        yield previous;
        written++;
        if (written >= opts.rows) return;
      }
      const gender = dice.chance(0.5) ? 'f' : 'm';
      const first = dice.pick(FIRST_NAMES[gender]);
      const last = dice.chance(0.6) ? sharedName : dice.pick(LAST_NAMES);
      const birth = new Date(Date.UTC(1935, 0, 1) + dice.int(0, 70 * 365) * DAY);
      const registered = new Date(facts.getTime() + dice.int(0, 3) * DAY);
      const m = dice.next();
      const mobile =
        m < MESS.mobileEmpty
          ? ''
          : m < MESS.mobileEmpty + MESS.mobileUnknown
            ? 'onbekend'
            : m < MESS.mobileEmpty + MESS.mobileUnknown + MESS.mobileShort
              ? `0${dice.int(470, 499)} ${pad(dice.int(0, 99))} ${pad(dice.int(0, 99))}`
              : spellMobile(dice);
      const emailNumber = dice.int(1, 99);
      const row = [
        dice.chance(MESS.noPv) ? '' : pv,
        dice.chance(MESS.factsImpossible) ? `31/02/${facts.getUTCFullYear()}` : spellDate(dice, facts),
        spellDate(dice, registered),
        L.zone,
        place.name,
        place.postcode,
        street,
        houseNumber,
        dice.chance(0.1) ? `b${dice.int(1, 9)}` : '',
        dice.chance(MESS.shouting) ? `  ${last.toUpperCase()} ` : last,
        first,
        dice.chance(MESS.birthEmpty) ? '' : spellDate(dice, birth),
        L.gender[gender],
        roles[p] ?? L.roles.involved,
        mobile,
        dice.chance(0.4) ? spellLandline(dice, L.landlines) : '',
        dice.chance(0.3) ? `${first}.${last.replace(/\s+/g, '')}${emailNumber}@example.be`.toLowerCase() : '',
        dice.chance(MESS.languageEmpty) ? '' : dice.pick(L.languages),
        relation,
        minors,
        colour,
        dice.pick(L.remarks),
      ];
      yield row;
      previous = row;
      written++;
    }
  }
}

/** The export as CSV text, one line (CRLF) per string, the first with a UTF-8 byte-order mark. */
export async function* generatePoliceExport(opts: GenerateOptions): AsyncGenerator<string> {
  const delimiter = LOCALE[opts.lang].delimiter;
  let first = true;
  for (const cells of policeRecords(opts)) {
    yield `${first ? '\uFEFF' : ''}${encodeCsvRow(cells, delimiter)}\r\n`;
    first = false;
  }
}

/**
 * The export as XLSX, streamed into `out` with exceljs's streaming writer. Like a real Excel
 * export: most dates are date cells, mobiles written as bare digits are number cells (so their
 * leading 0 is lost, as Excel does), the rest stays text.
 */
export async function writePoliceExportXlsx(out: Writable, opts: GenerateOptions): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(opts.lang === 'nl' ? 'Blad1' : 'Feuil1');
  const dice = new Dice((opts.seed ?? 1) ^ 0x5eed);
  let header = true;
  let n = 0;
  for (const cells of policeRecords(opts)) {
    const values = header ? cells : cells.map((cell, i) => typedCell(dice, cell, i));
    const row = sheet.addRow(values);
    values.forEach((v, i) => {
      if (v instanceof Date) row.getCell(i + 1).numFmt = 'dd/mm/yyyy';
    });
    row.commit();
    header = false;
    if (++n % FLUSH_EVERY === 0) await flushed(sheet, out);
  }
  sheet.commit();
  await workbook.commit();
}

const DATE_COLUMNS = new Set([1, 2, 11]);
const PHONE_COLUMNS = new Set([14, 15]);

function typedCell(dice: Dice, cell: string, column: number): string | number | Date {
  if (DATE_COLUMNS.has(column) && dice.chance(0.8)) {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
    if (m) {
      const date = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])));
      // 31/02 stays text: Excel would not make a date of it either.
      if (date.getUTCDate() === Number(m[1])) return date;
    }
  }
  if (PHONE_COLUMNS.has(column) && /^\d+$/.test(cell)) return Number(cell);
  return cell;
}
