"""The block palette: every catalog block, grouped, with a search box.

Drag a block onto the canvas, or double-click it to add it beside the network.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app import style
from app.canvas.view import BLOCK_MIME
from core import catalog

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


class _Tree(QTreeWidget):
    def startDrag(self, actions):
        item = self.currentItem()
        type_name = item.data(0, TYPE_ROLE) if item else None
        if not type_name:
            return
        mime = QMimeData()
        mime.setData(BLOCK_MIME, type_name.encode("utf-8"))
        mime.setText(type_name)
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


def _search_text(decl) -> str:
    """What a search matches: the block's name, group, help, parameter names and the Keras
    classes it builds (so "MaxPooling2D" or "relu6" find their block)."""
    recipe = decl.recipe(decl.defaults())
    classes = {recipe.class_name(rank) for rank in (2, 3)} if recipe else set()
    choices = [str(c) for p in decl.params for c in p.choices]
    words = [decl.name, decl.group, decl.help, *classes, *(p.name for p in decl.params), *choices]
    return " ".join(words).lower()


class Palette(QWidget):
    blockActivated = Signal(str)  # a block type chosen by double-click or Enter

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search blocks…")
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.group_items: dict[str, QTreeWidgetItem] = {}
        self.block_items: dict[str, QTreeWidgetItem] = {}
        self._search_text = {b.name: _search_text(b) for b in catalog.BLOCKS}
        for group, blocks in catalog.by_group().items():
            if not blocks:
                continue
            top = QTreeWidgetItem([group])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setForeground(0, QBrush(style.group_colour(group).darker(120)))
            self.tree.addTopLevelItem(top)
            self.group_items[group] = top
            for decl in blocks:
                child = QTreeWidgetItem([decl.name])
                child.setData(0, TYPE_ROLE, decl.name)
                child.setToolTip(
                    0,
                    f"<b>{decl.name}</b><br>{decl.help}"
                    + (f"<br><i>Pretrains greedily ({decl.pretrain})</i>" if decl.pretrain else ""),
                )
                child.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                child.setForeground(0, QBrush(QColor(style.TEXT)))
                top.addChild(child)
                self.block_items[decl.name] = child
            top.setExpanded(True)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree.itemActivated.connect(self._on_activated)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for top in self.group_items.values():
            shown = 0
            for i in range(top.childCount()):
                child = top.child(i)
                match = not needle or needle in self._search_text[child.data(0, TYPE_ROLE)]
                child.setHidden(not match)
                shown += match
            top.setHidden(shown == 0)
            if needle:
                top.setExpanded(True)

    def visible_types(self) -> list[str]:
        return [
            name
            for name, item in self.block_items.items()
            if not item.isHidden() and not item.parent().isHidden()
        ]

    def _activate_first(self) -> None:
        visible = self.visible_types()
        if visible:
            self.blockActivated.emit(visible[0])

    def _on_activated(self, item, column) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.blockActivated.emit(type_name)
