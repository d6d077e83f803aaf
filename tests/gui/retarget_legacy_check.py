"""Inside a real Blender 4.3 (no layered-action API for the bake): build the Mixamo-like rig,
run the `retarget` batch verb on it, and report what landed, as JSON.

blender -b --factory-startup --python retarget_legacy_check.py -- REPO MOTION.bvh OUT_DIR
"""

import json
import sys
import traceback

repo, motion, out_dir = sys.argv[sys.argv.index("--") + 1 :]
sys.path.insert(0, repo)
result: dict = {}
try:
    import addon_utils
    import bpy
    import numpy as np

    addon_utils.enable("addon")
    from addon.cli import main
    from addon.retarget.sample_rigs import mixamo_like_rig
    from ai_engine.retarget.bvh import read_bvh
    from ai_engine.retarget.quat import angle_between

    result["version"] = list(bpy.app.version)
    rig = mixamo_like_rig("MixamoRig")
    rig.animation_data_create().action = bpy.data.actions.new("keep_me")
    rig_blend, out_blend = f"{out_dir}/rig_legacy.blend", f"{out_dir}/out_legacy.blend"
    bpy.ops.wm.save_as_mainfile(filepath=rig_blend)
    result["code"] = main(["retarget", "--source", motion, "--target", rig_blend, "--armature", "MixamoRig",
                           "--blend", out_blend, "--bvh-out", f"{out_dir}/out_legacy.bvh"])  # fmt: skip
    bpy.ops.wm.open_mainfile(filepath=out_blend)
    scene = bpy.context.scene
    rig = bpy.data.objects["MixamoRig"]
    action = rig.animation_data.action
    result["action"] = action.name
    result["layered"] = hasattr(action, "layers") and len(action.layers) > 0
    result["fcurves"] = len(action.fcurves) if hasattr(action, "fcurves") else -1
    result["keep_me"] = "keep_me" in bpy.data.actions
    result["fps"] = scene.render.fps / scene.render.fps_base
    pose = read_bvh(motion).pose()
    names = [b.name for b in read_bvh(motion).joints]
    errors = []
    for i in range(0, len(pose.heads), 20):
        scene.frame_set(scene.frame_start + i)
        mw = rig.matrix_world
        for src_a, src_b, tgt_a, tgt_b in (
            ("UpperArm_L", "LowerArm_L", "mixamorig:LeftArm", "mixamorig:LeftForeArm"),
            ("UpperLeg_R", "LowerLeg_R", "mixamorig:RightUpLeg", "mixamorig:RightLeg"),
        ):
            t = np.array(mw @ rig.pose.bones[tgt_b].head) - np.array(mw @ rig.pose.bones[tgt_a].head)
            s = pose.heads[i, names.index(src_b)] - pose.heads[i, names.index(src_a)]
            errors.append(float(angle_between(t, s)))
    result["max_error"] = max(errors)
except Exception:  # report everything to the test
    result["error"] = traceback.format_exc()
with open(f"{out_dir}/result_legacy.json", "w") as handle:
    json.dump(result, handle)
