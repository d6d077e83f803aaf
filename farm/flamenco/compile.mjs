// Evaluate clapper.js's compileJob outside Flamenco, with a stub of the Manager's author API:
//     node farm/flamenco/compile.mjs < job.json   →   {"job_type": …, "tasks": [...]} or {"error": …}
// (used by farm/flamenco/clapper.test.mjs and tests/test_farm.py).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const here = path.dirname(fileURLToPath(import.meta.url));

export function compile(jobSettings) {
  const tasks = [];
  const author = {
    Task(name, type) {
      const task = { name, type, commands: [], dependencies: [] };
      task.addCommand = (command) => task.commands.push(command);
      task.addDependency = (other) => task.dependencies.push(other.name);
      return task;
    },
    Command(type, parameters) {
      return { type, parameters };
    },
  };
  const job = { settings: jobSettings, addTask: (task) => tasks.push(task) };
  // Flamenco's `path` helpers join with "/" (the Manager's two-way variables map them per OS).
  const flamencoPath = { join: (...parts) => path.posix.join(...parts) };
  const context = vm.createContext({ author, path: flamencoPath, print: () => {} });
  const source = readFileSync(path.join(here, "clapper.js"), "utf-8");
  vm.runInContext(`${source}\n;globalThis.__clapper = { JOB_TYPE, INPUT_FLAGS, compileJob };`, context);
  const { JOB_TYPE, INPUT_FLAGS, compileJob } = context.__clapper;
  try {
    compileJob(job);
  } catch (error) {
    return JSON.parse(JSON.stringify({ job_type: JOB_TYPE, input_flags: INPUT_FLAGS, error: String(error) }));
  }
  const plain = tasks.map(({ name, type, commands, dependencies }) => ({ name, type, commands, dependencies }));
  // Plain JSON values (the script ran in its own realm), as the Manager stores the job.
  return JSON.parse(JSON.stringify({ job_type: JOB_TYPE, input_flags: INPUT_FLAGS, tasks: plain }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const settings = JSON.parse(readFileSync(0, "utf-8"));
  process.stdout.write(JSON.stringify(compile(settings)) + "\n");
}
