// Lays out the site as browsers get it (scripts/build.sh): public/ at the root; in pkg/ the
// wasm-bindgen output and the stylesheet under names that carry a hash of their content; brotli
// (quality 11) and gzip (level 9) copies of each; and the hash file naming them.
//   node scripts/pack-site.mjs <wasm-bindgen out dir> <site root> <hash file>
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [bindgen, site, hashFile] = process.argv.slice(2);
const name = "portcullis";
const pkg = join(site, "pkg");
rmSync(site, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
mkdirSync(dirname(hashFile), { recursive: true });
cpSync("public", site, { recursive: true });
if (existsSync(join(bindgen, "snippets"))) cpSync(join(bindgen, "snippets"), join(pkg, "snippets"), { recursive: true });

const compress = (file, data) => {
  const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length };
  writeFileSync(`${file}.br`, brotliCompressSync(data, { params }));
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
};
// The public scripts are revalidated rather than cached, but still travel compressed.
for (const file of readdirSync(site)) {
  if (/\.(js|svg|css)$/.test(file)) compress(join(site, file), readFileSync(join(site, file)));
}

// 16 bytes of the SHA-256, base64url: a name changes exactly when the content does.
const hashOf = (data) => createHash("sha256").update(data).digest().subarray(0, 16).toString("base64url");
const lines = [];
for (const [kind, from] of [["js", join(bindgen, `${name}.js`)], ["wasm", join(bindgen, `${name}.wasm`)], ["css", "style/main.css"]]) {
  const data = readFileSync(from);
  const hash = hashOf(data);
  const file = join(pkg, `${name}.${hash}.${kind}`);
  writeFileSync(file, data);
  compress(file, data);
  lines.push(`${kind}: ${hash}`);
}
writeFileSync(hashFile, lines.join("\n") + "\n");
console.log(lines.join(", "));
