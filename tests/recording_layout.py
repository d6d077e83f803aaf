"""A stand-in for ``bpy.types.UILayout`` that records what a panel draws and checks every name.

Blender's own layout silently draws nothing for a misspelt property (it only prints
``rna_uiItemR: property not found``); this one raises, so a panel-draw test fails instead.
"""

from __future__ import annotations

from typing import Any


class LayoutError(AssertionError):
    pass


def _check_prop(data: Any, name: str, where: str) -> None:
    if data is None:
        raise LayoutError(f"{where}: layout.prop(None, {name!r})")
    rna = getattr(data, "bl_rna", None)
    if rna is None or name not in rna.properties:
        raise LayoutError(f"{where}: {type(data).__name__} has no property {name!r}")


class OperatorProperties:
    def __init__(self, idname: str, rna: Any) -> None:
        object.__setattr__(self, "_idname", idname)
        object.__setattr__(self, "_rna", rna)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._rna.properties:
            raise LayoutError(f"operator {self._idname} has no property {name!r}")


class RecordingLayout:
    """Records calls as (method, detail) pairs in ``calls`` (shared with sub-layouts)."""

    def __init__(self, where: str, calls: list[tuple[str, str]] | None = None) -> None:
        self.where = where
        self.calls: list[tuple[str, str]] = calls if calls is not None else []
        self.enabled = True
        self.active = True
        self.alert = False
        self.use_property_split = False
        self.use_property_decorate = False
        self.scale_x = 1.0
        self.scale_y = 1.0
        self.alignment = "EXPAND"
        self.operator_context = "INVOKE_DEFAULT"

    def _sub(self, kind: str) -> RecordingLayout:
        self.calls.append((kind, ""))
        return RecordingLayout(self.where, self.calls)

    def row(self, **_: Any) -> RecordingLayout:
        return self._sub("row")

    def column(self, **_: Any) -> RecordingLayout:
        return self._sub("column")

    def box(self) -> RecordingLayout:
        return self._sub("box")

    def split(self, **_: Any) -> RecordingLayout:
        return self._sub("split")

    def grid_flow(self, **_: Any) -> RecordingLayout:
        return self._sub("grid_flow")

    def column_flow(self, **_: Any) -> RecordingLayout:
        return self._sub("column_flow")

    def panel(self, idname: str, **_: Any) -> tuple[RecordingLayout, RecordingLayout]:
        return self._sub("panel_header"), self._sub("panel_body")

    def prop(self, data: Any, property: str, **_: Any) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("prop", property))

    def prop_search(self, data: Any, property: str, search_data: Any, search_property: str, **_: Any) -> None:
        _check_prop(data, property, self.where)
        _check_prop(search_data, search_property, self.where)
        self.calls.append(("prop_search", property))

    def prop_enum(self, data: Any, property: str, value: str, **_: Any) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("prop_enum", f"{property}={value}"))

    def props_enum(self, data: Any, property: str) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("props_enum", property))

    def operator(self, idname: str, **_: Any) -> OperatorProperties:
        import bpy

        module, _, name = idname.partition(".")
        try:
            rna = getattr(getattr(bpy.ops, module), name).get_rna_type()
        except (AttributeError, KeyError) as exc:
            raise LayoutError(f"{self.where}: unknown operator {idname!r}") from exc
        self.calls.append(("operator", idname))
        return OperatorProperties(idname, rna)

    def operator_menu_enum(self, idname: str, property: str, **_: Any) -> None:
        self.operator(idname)

    def template_list(
        self,
        listtype: str,
        list_id: str,
        dataptr: Any,
        propname: str,
        active_dataptr: Any,
        active_propname: str,
        **_: Any,
    ) -> None:
        import bpy

        if not hasattr(bpy.types, listtype):
            raise LayoutError(f"{self.where}: UIList {listtype!r} is not registered")
        _check_prop(dataptr, propname, self.where)
        _check_prop(active_dataptr, active_propname, self.where)
        self.calls.append(("template_list", propname))

    def template_icon_view(self, data: Any, property: str, **_: Any) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("template_icon_view", property))

    def template_ID(self, data: Any, property: str, **_: Any) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("template_ID", property))

    def template_image(self, data: Any, property: str, *args: Any, **_: Any) -> None:
        _check_prop(data, property, self.where)
        self.calls.append(("template_image", property))

    def template_preview(self, *args: Any, **_: Any) -> None:
        self.calls.append(("template_preview", ""))

    def label(self, text: str = "", **_: Any) -> None:
        self.calls.append(("label", text))

    def progress(self, **kwargs: Any) -> None:
        self.calls.append(("progress", str(kwargs.get("text", ""))))

    def separator(self, **_: Any) -> None:
        self.calls.append(("separator", ""))

    def separator_spacer(self) -> None:
        self.calls.append(("separator", ""))

    def menu(self, menu: str, **_: Any) -> None:
        self.calls.append(("menu", menu))

    def context_pointer_set(self, name: str, data: Any) -> None:
        self.calls.append(("context_pointer_set", name))


class ContextProxy:
    """``bpy.context`` with editor-only members (area, space_data...) answering None in background."""

    def __init__(self, context: Any, **overrides: Any) -> None:
        self._context = context
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._context, name, None)
