// Builds static/vendor/codemirror/code-editor.js and, next to it, LICENSE.txt naming every
// package the bundle contains (read from esbuild's metafile, so the list cannot drift).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "..", "static", "vendor", "codemirror");

const result = await build({
  entryPoints: [join(here, "entry.js")],
  outfile: join(outdir, "code-editor.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  banner: { js: "/* Code editor: CodeMirror 6 (MIT). Packages and licences: LICENSE.txt. Rebuild: make editor-bundle */" },
  metafile: true,
  logLevel: "info",
});

function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

function packageInfo(name) {
  const root = join(here, "node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const file = readdirSync(root).find((entry) => /^licen[cs]e/i.test(entry));
  const text = file ? readFileSync(join(root, file), "utf8").trim() : `Licence: ${license}`;
  return { title: `${name} ${version} (${license})`, text };
}

const packages = bundledPackages(result.metafile).map(packageInfo);
const summary = [
  "code-editor.js bundles these packages from the npm registry, built with esbuild from",
  "frontend/code-editor (package-lock.json pins them; rebuild with `make editor-bundle`).",
  "",
  ...packages.map(({ title }) => `- ${title}`),
].join("\n");
const sections = packages.map(({ title, text }) => `${title}\n\n${text}`);
writeFileSync(join(outdir, "LICENSE.txt"), `${[summary, ...sections].join(`\n\n${"-".repeat(72)}\n\n`)}\n`);
