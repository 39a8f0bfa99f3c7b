import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HavenModule } from '../kernel/module.ts';

const MODULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../modules');

/** Every `src/modules/<name>/module.ts`, in name order. */
export async function loadModules(dir = MODULES_DIR): Promise<HavenModule[]> {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const modules: HavenModule[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'module.ts');
    let mod: { default?: HavenModule };
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(file)) continue;
      throw error;
    }
    if (!mod.default) throw new Error(`${file} must export a default HavenModule`);
    modules.push(mod.default);
  }
  return modules;
}
