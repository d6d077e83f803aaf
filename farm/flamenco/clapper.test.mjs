// node --test farm/flamenco/ : the job compiler's logic against a stub of Flamenco's author API.
import assert from "node:assert/strict";
import test from "node:test";

import { compile } from "./compile.mjs";

test("one blender task per clip, running -c clapper with the verb's input and its own .blend", () => {
  const out = compile({
    verb: "retarget",
    clips: "/takes/walk.bvh\n\n/takes/run.bvh\n",
    out_dir: "/farm/out",
    verb_args: '--target "/rigs/hero rig.blend" --armature Hero',
  });
  assert.equal(out.error, undefined);
  assert.deepEqual(out.tasks.map((t) => t.name), ["retarget-walk", "retarget-run"]);
  const [command] = out.tasks[0].commands;
  assert.equal(out.tasks[0].type, "blender");
  assert.equal(command.type, "blender-render");
  assert.equal(command.parameters.exe, "{blender}");
  assert.deepEqual(command.parameters.args, [
    "-c", "clapper", "retarget", "--source", "/takes/walk.bvh",
    "--blend", "/farm/out/walk/retarget.blend", "--json",
    "--target", "/rigs/hero rig.blend", "--armature", "Hero",
  ]);
});

test("clips sharing a name get numbered folders", () => {
  const out = compile({ verb: "cut-scenes", clips: "/a/shot.mp4\n/b/shot.mp4", out_dir: "/o", verb_args: "" });
  assert.deepEqual(out.tasks.map((t) => t.commands[0].parameters.args[5]), ["/o/shot-1/cut-scenes.blend", "/o/shot-2/cut-scenes.blend"]);
  assert.equal(out.tasks[0].commands[0].parameters.args[3], "/a/shot.mp4");  // positional input
});

test("bad jobs are refused with what to do", () => {
  assert.match(compile({ verb: "render", clips: "/a.mp4", out_dir: "/o" }).error, /Unknown Clapper verb "render"/);
  assert.match(compile({ verb: "capture", clips: "  \n", out_dir: "/o" }).error, /No clips given/);
  assert.match(compile({ verb: "capture", clips: "/a.mp4\n/a.mp4", out_dir: "/o" }).error, /given twice/);
});

test("the settings offer exactly the verbs the compiler knows", () => {
  const out = compile({ verb: "capture", clips: "/a.mp4", out_dir: "/o" });
  const verb = out.job_type.settings.find((s) => s.key === "verb");
  assert.deepEqual([...verb.choices].sort(), Object.keys(out.input_flags).sort());
});
