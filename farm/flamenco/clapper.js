// SPDX-License-Identifier: GPL-3.0-or-later
//
// Flamenco job type "Clapper Batch": one task per clip, each running
//     {blender} {blenderArgs} -c clapper VERB CLIP --blend OUT/<stem>/VERB.blend --json VERB-ARGS…
// on a worker that has the Clapper extension installed (the same command line that
// `python -m addon batch VERB … --blender EXE` runs per input; see farm/README.md).
// Install: copy this file into the Manager's `scripts/` folder and restart the Manager.

const CLAPPER_VERBS = ["add-footage", "cut-scenes", "capture", "fx-material", "retarget"];
// How each verb takes its one input (addon/batch.py INPUT_FLAGS): null = a positional argument.
const INPUT_FLAGS = {
  "add-footage": null,
  "cut-scenes": null,
  capture: null,
  "fx-material": null,
  retarget: "--source",
};

const JOB_TYPE = {
  label: "Clapper Batch",
  description: "Run a Clapper verb on many clips, one Blender task per clip",
  settings: [
    { key: "verb", type: "string", choices: CLAPPER_VERBS, required: true, default: "cut-scenes" },
    {
      key: "clips",
      type: "string",
      required: true,
      description: "The inputs, one path per line (videos, .bvh motions, fx models)",
    },
    { key: "out_dir", type: "string", subtype: "dir_path", required: true, description: "One folder per clip here" },
    {
      key: "verb_args",
      type: "string",
      default: "",
      description: "Options for every task's verb, e.g. --target rig.blend --armature Rig",
    },
    { key: "priority_chunk", type: "int32", default: 0, visible: "hidden" },
  ],
};

function clapperClips(text) {
  return String(text || "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function clapperStem(path) {
  const name = path.split(/[\\/]/).pop();
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name || "input";
}

// One folder per clip: its file's stem, numbered when two clips share one.
function clapperKeys(clips) {
  const counts = {};
  for (const clip of clips) counts[clapperStem(clip)] = (counts[clapperStem(clip)] || 0) + 1;
  const seen = {};
  return clips.map((clip) => {
    const stem = clapperStem(clip);
    if (counts[stem] === 1) return stem;
    seen[stem] = (seen[stem] || 0) + 1;
    return `${stem}-${seen[stem]}`;
  });
}

function clapperSplitArgs(text) {
  const args = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let match;
  while ((match = re.exec(String(text || ""))) !== null) args.push(match[1] ?? match[2] ?? match[3]);
  return args;
}

function clapperArgs(verb, clip, blend, extra) {
  const flag = INPUT_FLAGS[verb];
  const given = flag ? [flag, clip] : [clip];
  return ["-c", "clapper", verb, ...given, "--blend", blend, "--json", ...extra];
}

function compileJob(job) {
  const settings = job.settings;
  const verb = settings.verb;
  if (!(verb in INPUT_FLAGS)) {
    throw `Unknown Clapper verb "${verb}": use one of ${CLAPPER_VERBS.join(", ")}.`;
  }
  const clips = clapperClips(settings.clips);
  if (clips.length === 0) throw "No clips given: list one input path per line.";
  const repeated = clips.filter((clip, i) => clips.indexOf(clip) !== i);
  if (repeated.length) throw `${repeated[0]} is given twice: each input runs once; drop the repeat.`;
  const extra = clapperSplitArgs(settings.verb_args);
  const keys = clapperKeys(clips);
  clips.forEach((clip, i) => {
    const blend = path.join(settings.out_dir, keys[i], `${verb}.blend`);
    const task = author.Task(`${verb}-${keys[i]}`, "blender");
    const command = author.Command("blender-render", {
      exe: "{blender}",
      exeArgs: "{blenderArgs}",
      argsBefore: [],
      blendfile: "",
      args: clapperArgs(verb, clip, blend, extra),
    });
    task.addCommand(command);
    job.addTask(task);
  });
}
