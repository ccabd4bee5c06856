/**
 * Realistic asset data and metadata for generated ledgers. Chosen to exercise what breaks
 * naive implementations (reference §1.1): accents, CJK, emoji outside the BMP (as values and
 * as a metadata KEY, next to a BMP key above the surrogate range so UTF-16 and code-point key
 * orders differ), quotes, backslashes and control characters that must be escaped, non-integral
 * floats (dyadic, so every float printer agrees on the shortest digits; one in exponent form)
 * and an integer beyond 2^53.
 */
import type { JsonValue } from '../../src/model/json.js';
import type { Rng } from './rng.js';

const MAKERS = ['Véloce Ltd', 'Fahrradwerk Müller', 'Bicicletas Peña', '自転車工房さくら', 'Nordic Cykel ÅB'];
const COLORS = ['rouge', 'blau', 'verde', '黒', 'ivory'];
const ARTISTS = ['Zoë Ðuričić', 'François Lefèvre', '王小明', 'Björk Guðmundsdóttir', 'Søren Kierkegård'];
const TITLES = ['東京の夜', 'L’été à Montréal', 'Ночь над Невой', 'Sonata № 7', 'Ελληνικό φως'];
const PEOPLE = ['José Álvarez', 'Łukasz Żółć', 'Amélie Poulain', '李华', 'Ōta Hanako', 'Nguyễn Văn An'];
const PLACES = ['Zürich', 'München', 'São Paulo', '東京', 'Kraków', 'Reykjavík', 'Berlin'];
const NOTES = ['first owner 🚲', 'gift 🎁', 'resale after service', 'Übergabe im Laden', '転売 😀', 'ok ✓'];
const EVENTS = ['🎸 Rock am Ring', 'Fête de la Musique', '音楽祭 2017', 'Jazz à Vienne'];

/**
 * Asset data for a CREATE (never null: BigchainDB users describe what they register). Every
 * template carries `n`, so no two CREATEs are identical (an identical one would have the same id).
 */
export function assetData(rng: Rng, n: number): JsonValue {
  switch (rng.int(0, 6)) {
    case 0: return {
      type: 'bicycle', manufacturer: rng.pick(MAKERS), color: rng.pick(COLORS),
      serial_number: `SN-${String(100000 + n).padStart(7, '0')}`, weight_kg: rng.int(40, 80) / 4 + 0.125,
    };
    case 1: return { type: 'artwork', title: rng.pick(TITLES), artist: rng.pick(ARTISTS), year: rng.int(1890, 2017), edition: [n % 7 + 1, 10], catalogue_no: `CAT-${n}` };
    case 2: return {
      type: 'diploma', holder: rng.pick(PEOPLE), university: rng.pick(['Universität Zürich', 'Université de Montréal', '東京大学']),
      degree: 'MSc', honours: rng.chance(0.3), certificate_no: n,
    };
    case 3: return { type: 'ticket', event: rng.pick(EVENTS), seat: `R${rng.int(1, 40)}-${rng.int(1, 30)}`, ticket_no: `T${n}`, price_eur: rng.int(15, 99) + 0.5 };
    case 4: return {
      type: 'energy', meter: `DE-${rng.int(1000, 9999)}`, reading_no: n, kwh: rng.int(1, 4000) / 8 + 0.0625, calibration: 2.5e-7, location: rng.pick(PLACES),
      tags: ['solar', 'grid'], reading: { raw: rng.int(0, 1_000_000), unit: 'Wh' },
    };
    case 5: return {
      type: 'shipment', from: rng.pick(PLACES), to: rng.pick(PLACES), waybill: `WB${n}`,
      label: 'Fragile: "glass"\ttab\\backslash\nsecond line', container_id: 12345678901234567890n + BigInt(n),
    };
    default: return { type: 'license', product: `Editor ${rng.int(1, 9)}`, seats: rng.int(1, 500), 'ключ': `KEY-${n}` };
  }
}

/** Metadata for a CREATE or TRANSFER: null or a non-empty object (the v1.0 schema refuses `{}`). */
export function metadata(rng: Rng, n: number): JsonValue {
  const r = rng.int(0, 9);
  if (r <= 2) return null;
  if (r === 3) {
    // 'ｎｏｔｅ' (U+FF4E…) sorts BEFORE '📝' (U+1F4DD) by code point, AFTER it by UTF-16 code unit.
    return { '📝': rng.pick(NOTES), 'ｎｏｔｅ': 'メモ', 'a': n };
  }
  if (r === 4) return { location: rng.pick(PLACES), temperature_c: rng.int(-20, 35) + 0.25, sequence: n };
  if (r === 5) return { sequence: n, signed_by: rng.pick(PEOPLE), remarks: rng.pick(NOTES) };
  if (r === 6) return { sequence: n, mood: '🎉 fertig' };
  return { sequence: n };
}

/** Tiny payloads for cheap benchmark ledgers. */
export function plainAssetData(n: number): JsonValue {
  return { serial: n };
}

/**
 * Strings users really type that canonical JSON writers get wrong (issue 8): a literal
 * backslash-u sequence (`\u001f` typed as text, Windows paths), every escaped control
 * character, NUL inside a value, U+2028/U+2029, a BOM, DEL, private-use and non-BMP
 * characters, quotes after backslashes. Keys stay free of U+0000: RethinkDB truncates
 * such keys (SPEC.md §20), so no BigchainDB ledger holds one.
 */
export const ODD_STRINGS = [
  'literal \\u001f text', 'C:\\Users\\u00e9tienne\\new', '\\u00E9 and \\\\u0041', 'tab\there\nnew line\r\n',
  'nul \u0000 inside', 'ctl \u0001\u0008\u000b\u000c\u001b[31m\u001f end', 'line \u2028 sep \u2029 para', '\ufeffBOM first',
  'del \u007f', 'quote " and \\" and \\\\', 'private \ue000 and \uffff', 'emoji 🎉 𝄞 \u{10ffff}', 'slash / and \\/',
];

/** Asset data holding odd strings as values and (U+0000-free) keys, plus the usual fields. */
export function oddAssetData(rng: Rng, n: number): JsonValue {
  const a = rng.pick(ODD_STRINGS), b = rng.pick(ODD_STRINGS);
  return { type: 'note', n, text: a, [b.replace(/\u0000/g, '0')]: [a, b], nested: { '\ue000': b, '🎉': a, 'key \\u0041': n } };
}

/** Metadata with odd strings, or null. */
export function oddMetadata(rng: Rng, n: number): JsonValue {
  return rng.chance(0.3) ? null : { sequence: n, remark: rng.pick(ODD_STRINGS) };
}
