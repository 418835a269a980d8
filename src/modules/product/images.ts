/**
 * Product pictures the service draws itself: an SVG per product and view,
 * made from the product's category (colours and a pictogram) and its name (the
 * caption, Korean included), the same bytes every time for the same input. A
 * shop needs no image host, and no internet, to look right.
 *
 * Served at `/images/products/{id}.svg` (the main picture) and
 * `/images/products/{id}-{n}.svg` (gallery views 2–20). Catalog rows keep such
 * a picture as that path; answers make it absolute with the public base URL.
 */
import { createHash } from 'node:crypto';

/** Where the service serves product pictures. */
export const PRODUCT_IMAGE_PREFIX = '/images/products/';

/** The gallery's last view (a product has at most 20 images). */
export const MAX_IMAGE_VIEW = 20;

/** The path of a product's picture: view 1 is the main one. */
export function productImagePath(productId: number, view = 1): string {
  return `${PRODUCT_IMAGE_PREFIX}${productId}${view > 1 ? `-${view}` : ''}.svg`;
}

/** `12.svg` → {id 12, view 1}, `12-3.svg` → {id 12, view 3}; anything else is no picture of ours. */
export function parseImageFile(file: string): { productId: number; view: number } | null {
  const m = /^([1-9]\d{0,14})(?:-([2-9]|1\d|20))?\.svg$/.exec(file);
  if (!m) return null;
  return { productId: Number(m[1]), view: m[2] ? Number(m[2]) : 1 };
}

/**
 * A stored image URL as answered: a path on this service (`/images/…`) gets
 * the public base URL in front; absolute URLs (another host) stay as they are.
 */
export function absoluteUrl(url: string, base: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? `${base}${url}` : url;
}

/**
 * The reverse, for what an admin sends back: a URL on this service's own
 * public base is kept as its path, so pictures keep following the base URL.
 */
export function storedUrl(url: string, base: string): string {
  return url.startsWith(`${base}/`) ? url.slice(base.length) : url;
}

interface Palette {
  /** Hue of the background, degrees. */
  hue: number;
  icon: string;
}

/** Each demo category's hue and pictogram; other categories get a hue from their name and a shopping bag. */
const CATEGORY_STYLES: Record<string, Palette> = {
  스마트폰: { hue: 218, icon: 'phone' },
  '노트북·태블릿': { hue: 200, icon: 'laptop' },
  오디오: { hue: 268, icon: 'headphones' },
  웨어러블: { hue: 168, icon: 'watch' },
  가전: { hue: 28, icon: 'appliance' },
  패션: { hue: 335, icon: 'shirt' },
  스포츠: { hue: 128, icon: 'ball' },
  뷰티: { hue: 350, icon: 'bottle' },
};

/** White shapes in a 240 × 240 box centred on the origin. */
const ICONS: Record<string, string> = {
  phone:
    '<rect x="-62" y="-112" width="124" height="224" rx="22" fill="#fff"/>' +
    '<rect x="-50" y="-94" width="100" height="180" rx="8" fill="currentColor" opacity=".55"/>' +
    '<rect x="-18" y="-106" width="36" height="7" rx="3.5" fill="currentColor" opacity=".55"/>',
  laptop:
    '<rect x="-92" y="-86" width="184" height="122" rx="10" fill="#fff"/>' +
    '<rect x="-80" y="-74" width="160" height="98" rx="4" fill="currentColor" opacity=".55"/>' +
    '<path d="M-116 46h232l-14 26h-204z" fill="#fff"/>',
  headphones:
    '<path d="M-86 30v-22a86 86 0 0 1 172 0v22" fill="none" stroke="#fff" stroke-width="18" stroke-linecap="round"/>' +
    '<rect x="-104" y="14" width="46" height="84" rx="18" fill="#fff"/>' +
    '<rect x="58" y="14" width="46" height="84" rx="18" fill="#fff"/>',
  watch:
    '<rect x="-34" y="-116" width="68" height="232" rx="18" fill="#fff" opacity=".7"/>' +
    '<circle r="70" fill="#fff"/>' +
    '<circle r="56" fill="currentColor" opacity=".55"/>' +
    '<path d="M0 0v-38M0 0l26 14" stroke="#fff" stroke-width="8" stroke-linecap="round"/>',
  appliance:
    '<rect x="-88" y="-108" width="176" height="216" rx="16" fill="#fff"/>' +
    '<rect x="-88" y="-108" width="176" height="38" rx="16" fill="currentColor" opacity=".35"/>' +
    '<circle cy="20" r="58" fill="currentColor" opacity=".55"/>' +
    '<circle cy="20" r="38" fill="#fff" opacity=".6"/>' +
    '<circle cx="56" cy="-89" r="8" fill="#fff"/>',
  shirt: '<path d="M-38-100l38 22 38-22 78 40-30 58-30-14v118h-112v-118l-30 14-30-58z" fill="#fff"/>',
  ball:
    '<circle r="100" fill="#fff"/>' +
    '<path d="M-100 0h200M0-100v200M-70-70a100 100 0 0 1 0 140M70-70a100 100 0 0 0 0 140" fill="none" stroke="currentColor" stroke-width="8" opacity=".55"/>',
  bottle:
    '<rect x="-26" y="-112" width="52" height="42" rx="8" fill="#fff" opacity=".75"/>' +
    '<rect x="-18" y="-74" width="36" height="26" fill="#fff"/>' +
    '<rect x="-66" y="-50" width="132" height="162" rx="30" fill="#fff"/>' +
    '<rect x="-40" y="-4" width="80" height="64" rx="10" fill="currentColor" opacity=".45"/>',
  bag:
    '<path d="M-40-50v-22a40 40 0 0 1 80 0v22" fill="none" stroke="#fff" stroke-width="14" stroke-linecap="round"/>' +
    '<path d="M-92-56h184l-14 164h-156z" fill="#fff"/>',
};

const FONT = "'Noto Sans CJK KR','Noto Sans KR','NanumGothic','Apple SD Gothic Neo','Malgun Gothic',sans-serif";
const SIZE = 600;
const CAPTION_FONT = 38;
const CAPTION_WIDTH = 520;
const CAPTION_LINES = 3;

/** FNV-1a: a small, stable hash for the picture's variations. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Text as XML character data: markup escaped, characters XML cannot carry dropped. */
function xmlText(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Rough advance of a character in ems: wide for Hangul, CJK and full-width forms, narrow otherwise. */
function advance(ch: string): number {
  const c = ch.codePointAt(0)!;
  if ((c >= 0x1100 && c <= 0x11ff) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60)) {
    return 1;
  }
  if (ch === ' ') return 0.3;
  if (/[A-Z0-9MW]/.test(ch)) return 0.66;
  return 0.56;
}

const widthOf = (text: string) => [...text].reduce((w, ch) => w + advance(ch), 0) * CAPTION_FONT;

/** The caption in at most three lines, broken at spaces where it can be; a cut last line ends with '…'. */
export function captionLines(name: string): string[] {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  const push = (word: string) => {
    const candidate = line ? `${line} ${word}` : word;
    if (widthOf(candidate) <= CAPTION_WIDTH) {
      line = candidate;
      return;
    }
    if (line) lines.push(line);
    line = '';
    // A word wider than a line is broken between characters.
    let part = '';
    for (const ch of word) {
      if (widthOf(part + ch) > CAPTION_WIDTH) {
        lines.push(part);
        part = '';
      }
      part += ch;
    }
    line = part;
  };
  for (const word of words) push(word);
  if (line) lines.push(line);
  if (lines.length <= CAPTION_LINES) return lines;
  let last = lines[CAPTION_LINES - 1];
  while (last.length > 0 && widthOf(`${last}…`) > CAPTION_WIDTH) last = [...last].slice(0, -1).join('');
  return [...lines.slice(0, CAPTION_LINES - 1), `${last.trimEnd()}…`];
}

/** The picture of a product, as an SVG document (UTF-8 text). */
export function drawProductImage(product: { name: string; category: string | null }, view = 1): string {
  const category = product.category?.trim() || null;
  const style = (category && CATEGORY_STYLES[category]) || { hue: hash(category ?? product.name) % 360, icon: 'bag' };
  const h = hash(`${product.name}#${view}`);
  const hue = (style.hue + (h % 25) - 12 + 360) % 360;
  const from = `hsl(${hue} 62% 58%)`;
  const to = `hsl(${(hue + 28) % 360} 58% 38%)`;
  const ink = `hsl(${hue} 55% 30%)`;
  // Views differ in the light's direction and the pictogram's size and place.
  const angle = ((view - 1) * 70 + (h % 40)) % 360;
  const scale = view === 1 ? 1 : 1.15 + ((h >>> 8) % 30) / 100;
  const dx = view === 1 ? 0 : ((h >>> 12) % 81) - 40;
  const dy = view === 1 ? 0 : ((h >>> 16) % 41) - 20;
  const rotate = view === 1 ? 0 : ((h >>> 20) % 31) - 15;
  const dots = Array.from({ length: 4 }, (_, i) => {
    const k = hash(`${product.name}:${view}:${i}`);
    return `<circle cx="${k % SIZE}" cy="${(k >>> 10) % 380}" r="${30 + ((k >>> 20) % 70)}" fill="#fff" opacity=".${12 + 4 * (i % 3)}"/>`;
  }).join('');

  const lines = captionLines(product.name);
  const lineHeight = CAPTION_FONT * 1.25;
  const bandTop = SIZE - 36 - lines.length * lineHeight - 28;
  const caption = lines
    .map((text, i) => `<text x="${SIZE / 2}" y="${(bandTop + 28 + CAPTION_FONT + i * lineHeight).toFixed(1)}">${xmlText(text)}</text>`)
    .join('');
  const label = category
    ? `<g font-size="24" font-weight="700"><rect x="28" y="28" width="${Math.ceil(widthOf(category) * (24 / CAPTION_FONT)) + 36}" height="44" rx="22" fill="#fff" opacity=".9"/>` +
      `<text x="46" y="58" fill="${ink}">${xmlText(category)}</text></g>`
    : '';
  const iconY = Math.min(250, bandTop / 2 + 20);

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${xmlText(product.name)}" font-family="${FONT}">` +
    `<title>${xmlText(product.name)}</title>` +
    `<defs><linearGradient id="bg" gradientTransform="rotate(${angle} .5 .5)"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="${SIZE}" height="${SIZE}" fill="url(#bg)"/>` +
    dots +
    `<g transform="translate(${SIZE / 2 + dx} ${iconY + dy}) rotate(${rotate}) scale(${scale})" color="${ink}">${ICONS[style.icon] ?? ICONS.bag}</g>` +
    label +
    `<rect x="0" y="${bandTop.toFixed(1)}" width="${SIZE}" height="${(SIZE - bandTop).toFixed(1)}" fill="#000" opacity=".28"/>` +
    `<g font-size="${CAPTION_FONT}" font-weight="700" fill="#fff" text-anchor="middle">${caption}</g>` +
    '</svg>\n'
  );
}

/** A strong validator of the picture's bytes. */
export function imageEtag(svg: string): string {
  return `"${createHash('sha256').update(svg).digest('base64url').slice(0, 27)}"`;
}
