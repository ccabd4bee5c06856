/**
 * RapidJSON's `Writer::Double` (internal/dtoa.h + diyfp.h at RapidJSON 1.1.0,
 * commit f54b0e47, the version python-rapidjson 0.0.11 bundles — the one
 * BigchainDB 1.0–1.3 pins), ported bit for bit.
 *
 * Why a port and not `Number#toString`: Grisu2 is not always the shortest
 * round-trip form. For a small share of doubles it prints one digit more, or
 * another last digit, than the shortest-and-closest digits JavaScript prints;
 * the id of a document with such a float in it depends on RapidJSON's digits.
 * 64-bit unsigned arithmetic is done with BigInt and masked where C++ wraps.
 */

const M64 = (1n << 64n) - 1n;
const HIDDEN = 1n << 52n;
const SIGNIFICAND_MASK = HIDDEN - 1n;
const EXPONENT_BIAS = 0x3ff + 52;
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

interface DiyFp { f: bigint; e: number }

// 10^-348, 10^-340, ..., 10^340 (kCachedPowers_F / kCachedPowers_E).
const CACHED_F = (
  'fa8fd5a0081c0288 baaee17fa23ebf76 8b16fb203055ac76 cf42894a5dce35ea 9a6bb0aa55653b2d e61acf033d1a45df '
  + 'ab70fe17c79ac6ca ff77b1fcbebcdc4f be5691ef416bd60c 8dd01fad907ffc3c d3515c2831559a83 9d71ac8fada6c9b5 '
  + 'ea9c227723ee8bcb aecc49914078536d 823c12795db6ce57 c21094364dfb5637 9096ea6f3848984f d77485cb25823ac7 '
  + 'a086cfcd97bf97f4 ef340a98172aace5 b23867fb2a35b28e 84c8d4dfd2c63f3b c5dd44271ad3cdba 936b9fcebb25c996 '
  + 'dbac6c247d62a584 a3ab66580d5fdaf6 f3e2f893dec3f126 b5b5ada8aaff80b8 87625f056c7c4a8b c9bcff6034c13053 '
  + '964e858c91ba2655 dff9772470297ebd a6dfbd9fb8e5b88f f8a95fcf88747d94 b94470938fa89bcf 8a08f0f8bf0f156b '
  + 'cdb02555653131b6 993fe2c6d07b7fac e45c10c42a2b3b06 aa242499697392d3 fd87b5f28300ca0e bce5086492111aeb '
  + '8cbccc096f5088cc d1b71758e219652c 9c40000000000000 e8d4a51000000000 ad78ebc5ac620000 813f3978f8940984 '
  + 'c097ce7bc90715b3 8f7e32ce7bea5c70 d5d238a4abe98068 9f4f2726179a2245 ed63a231d4c4fb27 b0de65388cc8ada8 '
  + '83c7088e1aab65db c45d1df942711d9a 924d692ca61be758 da01ee641a708dea a26da3999aef774a f209787bb47d6b85 '
  + 'b454e4a179dd1877 865b86925b9bc5c2 c83553c5c8965d3d 952ab45cfa97a0b3 de469fbd99a05fe3 a59bc234db398c25 '
  + 'f6c69a72a3989f5c b7dcbf5354e9bece 88fcf317f22241e2 cc20ce9bd35c78a5 98165af37b2153df e2a0b5dc971f303a '
  + 'a8d9d1535ce3b396 fb9b7cd9a4a7443c bb764c4ca7a44410 8bab8eefb6409c1a d01fef10a657842c 9b10a4e5e9913129 '
  + 'e7109bfba19c0c9d ac2820d9623bf429 80444b5e7aa7cf85 bf21e44003acdd2d 8e679c2f5e44ff8f d433179d9c8cb841 '
  + '9e19db92b4e31ba9 eb96bf6ebadf77d9 af87023b9bf0ee6b').split(' ').map((h) => BigInt(`0x${h}`));
const CACHED_E = [
  -1220, -1193, -1166, -1140, -1113, -1087, -1060, -1034, -1007, -980, -954, -927, -901, -874, -847, -821,
  -794, -768, -741, -715, -688, -661, -635, -608, -582, -555, -529, -502, -475, -449, -422, -396, -369, -343,
  -316, -289, -263, -236, -210, -183, -157, -130, -103, -77, -50, -24, 3, 30, 56, 83, 109, 136, 162, 189, 216,
  242, 269, 295, 322, 348, 375, 402, 428, 455, 481, 508, 534, 561, 588, 614, 641, 667, 694, 720, 747, 774, 800,
  827, 853, 880, 907, 933, 960, 986, 1013, 1039, 1066];

const view = new DataView(new ArrayBuffer(8));

function fromDouble(d: number): DiyFp {
  view.setFloat64(0, d);
  const u = view.getBigUint64(0);
  const biased = Number((u >> 52n) & 0x7ffn);
  const sig = u & SIGNIFICAND_MASK;
  return biased !== 0 ? { f: sig + HIDDEN, e: biased - EXPONENT_BIAS } : { f: sig, e: -EXPONENT_BIAS + 1 };
}

/** DiyFp::operator*: the upper 64 bits of the 128-bit product, rounded half up. */
function mul(a: DiyFp, b: DiyFp): DiyFp {
  const p = a.f * b.f;
  let h = p >> 64n;
  if ((p & (1n << 63n)) !== 0n) h++;
  return { f: h, e: a.e + b.e + 64 };
}

function normalize(x: DiyFp): DiyFp {
  const s = 64 - x.f.toString(2).length;
  return { f: (x.f << BigInt(s)) & M64, e: x.e - s };
}

function normalizedBoundaries(v: DiyFp): [minus: DiyFp, plus: DiyFp] {
  let pf = (v.f << 1n) + 1n, pe = v.e - 1;
  while ((pf & (HIDDEN << 1n)) === 0n) { pf <<= 1n; pe--; }
  pf = (pf << 10n) & M64; pe -= 10; // kDiySignificandSize - kDpSignificandSize - 2
  const m: DiyFp = v.f === HIDDEN ? { f: (v.f << 2n) - 1n, e: v.e - 2 } : { f: (v.f << 1n) - 1n, e: v.e - 1 };
  return [{ f: (m.f << BigInt(m.e - pe)) & M64, e: pe }, { f: pf, e: pe }];
}

function cachedPower(e: number): { c: DiyFp; K: number } {
  const dk = (-61 - e) * 0.30102999566398114 + 347; // positive, so the ceiling is cheap
  let k = Math.trunc(dk);
  if (dk - k > 0) k++;
  const index = (k >> 3) + 1;
  return { c: { f: CACHED_F[index]!, e: CACHED_E[index]! }, K: -(-348 + index * 8) };
}

function grisuRound(buf: number[], delta: bigint, rest: bigint, tenKappa: bigint, wpW: bigint): void {
  while (rest < wpW && ((delta - rest) & M64) >= tenKappa
    && (((rest + tenKappa) & M64) < wpW || ((wpW - rest) & M64) > ((rest + tenKappa - wpW) & M64))) {
    buf[buf.length - 1]!--;
    rest = (rest + tenKappa) & M64;
  }
}

function countDecimalDigit32(n: number): number {
  let d = 1;
  while (d < 9 && n >= POW10[d]!) d++;
  return d;
}

/** DigitGen: digits into `buf`, returns the decimal exponent adjustment. */
function digitGen(W: DiyFp, Mp: DiyFp, delta: bigint, buf: number[]): number {
  const shift = BigInt(-Mp.e);
  const oneF = 1n << shift;
  const wpW = (Mp.f - W.f) & M64;
  let p1 = Number((Mp.f >> shift) & 0xffffffffn);
  let p2 = Mp.f & (oneF - 1n);
  let kappa = countDecimalDigit32(p1);
  while (kappa > 0) {
    const pow = POW10[kappa - 1]!;
    const d = Math.floor(p1 / pow);
    p1 %= pow;
    if (d !== 0 || buf.length > 0) buf.push(d);
    kappa--;
    const tmp = (BigInt(p1) << shift) + p2;
    if (tmp <= delta) {
      grisuRound(buf, delta, tmp, (BigInt(POW10[kappa]!) << shift) & M64, wpW);
      return kappa;
    }
  }
  // kappa is unsigned in C++ and wraps below zero; as a signed int the arithmetic is the same.
  for (;;) {
    p2 = (p2 * 10n) & M64;
    delta = (delta * 10n) & M64;
    const d = Number(p2 >> shift);
    if (d !== 0 || buf.length > 0) buf.push(d);
    p2 &= oneF - 1n;
    kappa--;
    if (p2 < delta) {
      const index = -kappa;
      grisuRound(buf, delta, p2, oneF, (wpW * BigInt(index < 9 ? POW10[index]! : 0)) & M64);
      return kappa;
    }
  }
}

/** Grisu2 digits of a positive finite double: `digits × 10^K`. */
export function grisu2(value: number): { digits: string; K: number } {
  const v = fromDouble(value);
  const [wm, wp] = normalizedBoundaries(v);
  const { c, K } = cachedPower(wp.e);
  const W = mul(normalize(v), c);
  const Wp = mul(wp, c), Wm = mul(wm, c);
  Wm.f++;
  Wp.f--;
  const buf: number[] = [];
  const adj = digitGen(W, Wp, Wp.f - Wm.f, buf);
  return { digits: buf.join(''), K: K + adj };
}

/**
 * Format a finite double exactly as RapidJSON's Writer::Double (default
 * maxDecimalPlaces 324, whose truncation branches are unreachable for doubles).
 * @throws TypeError for NaN and ±Infinity (RapidJSON's writer refuses them too)
 */
export function rapidjsonDouble(x: number): string {
  if (!Number.isFinite(x)) throw new TypeError(`canonicalize: ${x} is not valid JSON`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'; // RapidJSON issue #289
  const sign = x < 0 ? '-' : '';
  const { digits, K } = grisu2(Math.abs(x));
  return sign + prettify(digits, K);
}

/** RapidJSON's Prettify: `digits × 10^k` as decimal or exponent form. */
export function prettify(digits: string, k: number): string {
  const length = digits.length;
  const kk = length + k; // 10^(kk-1) <= v < 10^kk
  if (k >= 0 && kk <= 21) return `${digits}${'0'.repeat(k)}.0`; // 1234e7 -> 12340000000.0
  if (kk > 0 && kk <= 21) return `${digits.slice(0, kk)}.${digits.slice(kk)}`; // 1234e-2 -> 12.34
  if (kk > -6 && kk <= 0) return `0.${'0'.repeat(-kk)}${digits}`; // 1234e-6 -> 0.001234
  const exp = kk - 1; // 1e30; 1234e30 -> 1.234e33 (exponent without '+', no padding)
  return length === 1 ? `${digits}e${exp}` : `${digits[0]}.${digits.slice(1)}e${exp}`;
}
