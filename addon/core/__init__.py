"""What every feature of the add-on shares: the job operator and worker client, preferences, the
Blender-version shims, panel pieces and the batch verbs' open/save helpers."""

# The add-on's own package ("addon" in a checkout, "bl_ext.<repo>.clapper" when installed): the key
# of its preferences in ``context.preferences.addons``.
ADDON_PACKAGE = (__package__ or "").rpartition(".")[0]
