// Runs one Python program in real Pyodide under node, as xlwings Lite runs Python in the browser:
// the pure-Python wheels and sdists of a local folder unpacked into site-packages, the xlgbreport
// package copied in from the repository, and never the network (fetch refuses: nothing may come
// from Pyodide's CDN or PyPI). Used by tests/test_lite_pyodide.py.
//
//   node tests/lite/run.mjs CONFIG.json
//
// CONFIG: {"repo": repository root, "cache": folder of *.whl and *.tar.gz, "program": a .py file,
//          "files": {name: local path}} (each file is copied to /input/<name> for the program).
// The program's stdout is printed; a Python error prints its traceback and exits 1.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const refused = [];
globalThis.fetch = async (url) => {
  refused.push(String(url));
  throw new Error(`network refused in the Lite test: ${url}`);
};

const here = path.dirname(fileURLToPath(import.meta.url));
const out = [];
const pyodide = await loadPyodide({
  indexURL: path.join(here, "node_modules", "pyodide") + path.sep,
  stdout: (line) => out.push(line),
  stderr: (line) => process.stderr.write(line + "\n"),
});
const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");

for (const name of readdirSync(config.cache).sort()) {
  const bytes = new Uint8Array(readFileSync(path.join(config.cache, name)));  // not a Buffer
  if (name.endsWith(".whl")) {
    pyodide.unpackArchive(bytes, "wheel", { extractDir: site });
  } else if (name.endsWith(".tar.gz")) {  // an sdist: its pure-Python package under src/
    pyodide.unpackArchive(bytes, "gztar", { extractDir: "/tmp/sdists" });
  }
}
pyodide.runPython(`
import glob, os, shutil
for init in glob.glob("/tmp/sdists/*/src/*/__init__.py"):
    folder = os.path.dirname(init)
    shutil.copytree(folder, os.path.join("${site}", os.path.basename(folder)),
                    ignore=shutil.ignore_patterns("*.c", "*.pyi"))
`);

// The package as it installs: xlgbreport/, with the top-level templates/ as xlgbreport/templates.
function copy(from, to) {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    const source = path.join(from, name);
    if (statSync(source).isDirectory()) {
      if (name !== "__pycache__") copy(source, `${to}/${name}`);
    } else {
      pyodide.FS.writeFile(`${to}/${name}`, readFileSync(source));
    }
  }
}
copy(path.join(config.repo, "xlgbreport"), `${site}/xlgbreport`);
copy(path.join(config.repo, "templates"), `${site}/xlgbreport/templates`);
pyodide.FS.mkdirTree("/input");
for (const [name, source] of Object.entries(config.files ?? {})) {
  pyodide.FS.writeFile(`/input/${name}`, readFileSync(source));
}

try {
  await pyodide.runPythonAsync(readFileSync(config.program, "utf8"));  // top-level await allowed
} catch (error) {
  process.stderr.write(String(error) + "\n");
  process.exit(1);
}
if (refused.length) {
  process.stderr.write(`network was asked for: ${refused.join(", ")}\n`);
  process.exit(1);
}
process.stdout.write(out.join("\n") + "\n");
