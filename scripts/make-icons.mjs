// Draws the toolbar/store icons (a white "G" on a Gong-purple rounded square) as PNGs, no dependencies:
// node scripts/make-icons.mjs  →  public/icon/{16,32,48,128}.png
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../public/icon');
const TOP = [0x9a, 0x5b, 0xf0]; // gradient top-left
const BOTTOM = [0x6a, 0x22, 0xc9]; // bottom-right

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// Shapes in unit coordinates (0..1). Returns [inBackground, inGlyph].
function sample(x, y, size) {
  const pad = size <= 16 ? 0 : 0.03;
  const r = 0.22;
  const lo = pad, hi = 1 - pad;
  const qx = Math.max(lo + r - x, 0, x - (hi - r));
  const qy = Math.max(lo + r - y, 0, y - (hi - r));
  const inBg = x >= lo && x <= hi && y >= lo && y <= hi && qx * qx + qy * qy <= r * r;
  // The "G": a thick ring open at the upper right, plus a bar into the centre.
  const cx = 0.5, cy = 0.5;
  const R = 0.29, t = size <= 16 ? 0.12 : 0.1;
  const dx = x - cx, dy = y - cy;
  const d = Math.hypot(dx, dy);
  const angle = Math.atan2(-dy, dx); // 0 = right, +90° = up
  const inRing = d <= R + t / 2 && d >= R - t / 2 && !(angle > 0.02 && angle < 0.85);
  const inBar = y >= cy - t / 2 && y <= cy + t / 2 && x >= cx + 0.02 && x <= cx + R + t / 2;
  return [inBg, inBg && (inRing || inBar)];
}

mkdirSync(OUT, { recursive: true });
for (const size of [16, 32, 48, 128]) {
  const buf = Buffer.alloc(size * size * 4);
  const S = 6; // supersampling per axis for anti-aliasing
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0, glyph = 0;
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const [b, g] = sample((px + (sx + 0.5) / S) / size, (py + (sy + 0.5) / S) / size, size);
          bg += b ? 1 : 0;
          glyph += g ? 1 : 0;
        }
      const a = bg / (S * S), gl = glyph / (S * S);
      const k = (px + py) / (2 * size);
      const base = TOP.map((c, i) => c + (BOTTOM[i] - c) * k);
      // Glyph is white over the background; coverage blends it.
      const mix = a > 0 ? gl / a : 0;
      const o = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) buf[o + i] = Math.round(base[i] * (1 - mix) + 255 * mix);
      buf[o + 3] = Math.round(a * 255);
    }
  }
  writeFileSync(join(OUT, `${size}.png`), png(size, buf));
}
console.log(`icons written to ${OUT}`);
