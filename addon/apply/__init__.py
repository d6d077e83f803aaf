"""Writers of engine results into Blender data (strips, actions, shape keys, images)."""
