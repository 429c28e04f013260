"""The statistics of the piece on screen in Audition, beside the corpus its run learnt from.

Pitch-class entropy, scale consistency, polyphony, note density, empty-beat rate and pitch
range of the piece shown, with the corpus's means and the overlap of their distributions
(Yang and Lerch 2020, as ``layerwise evaluate`` reports per generation method) when the
piece belongs to a run whose data is known. Everything is computed on a worker: the
corpus once per run, then each piece as it is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.workers.calls import CallWorker
from core.evaluate.corpus import SHOWN

COLUMNS = ("This piece", "Corpus", "Overlap")


def corpus_of(run_dir: str | None):
    """Worker: the run's corpus (None without a run, or when it learnt no music)."""
    from core.evaluate.corpus import run_corpus

    return run_corpus(run_dir) if run_dir else None


def report_of(piece, corpus):
    """Worker: the piece's statistics against ``corpus``."""
    from core.evaluate.corpus import piece_report

    return piece_report(piece, corpus)


class PieceStatistics(QGroupBox):
    """Follows ``panel.pieceChanged``: measures ``panel.piece`` against ``panel.run_dir``'s
    corpus and fills the table (``pieceStatistics``)."""

    def __init__(self, panel) -> None:
        super().__init__("Statistics of this piece")
        self.setObjectName("pieceStatistics")
        self.panel = panel
        self._corpora: dict = {}  # run folder → Corpus or None, once known
        self._asked: object = None  # the piece whose report is awaited
        self.report: dict | None = None  # the last report shown
        self.table = QTableWidget(len(SHOWN), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setVerticalHeaderLabels([label for _, label in SHOWN])
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setFocusPolicy(Qt.NoFocus)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(rows.fontMetrics().height() + 6)
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(rows.length() + header + 2 * self.table.frameWidth() + 8)
        self.note = QLabel("No piece yet")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        self.worker = CallWorker(self)
        self.worker.result.connect(self._on_result)
        self.worker.failed.connect(self._on_failed)
        panel.pieceChanged.connect(self.refresh)

    @Slot()
    def refresh(self) -> None:
        """Measure the panel's current piece (its run's corpus first, once)."""
        piece, run_dir = self.panel.piece, self.panel.run_dir
        self._asked = piece
        if piece is None:
            return
        self.note.setText("Measuring the piece…")
        if run_dir in self._corpora or not run_dir:
            corpus = self._corpora.get(run_dir)
            self.worker.call(("piece", piece), report_of, piece, corpus)
        else:
            self.note.setText("Reading the corpus of this run…")
            self.worker.call(("corpus", run_dir), corpus_of, run_dir)

    @Slot(object, object)
    def _on_result(self, tag, value) -> None:
        what, key = tag
        if what == "corpus":
            self._corpora[key] = value
            if key == self.panel.run_dir:
                self.refresh()
        elif key is self._asked:
            self.show_report(value)

    @Slot(object, str)
    def _on_failed(self, tag, message: str) -> None:
        what, key = tag
        if what == "corpus":
            self._corpora[key] = None  # the piece is still measured, alone
            if key == self.panel.run_dir:
                self.refresh()
            return
        if key is self._asked:
            self.note.setText(f"Cannot measure this piece: {message}")

    def show_report(self, report: dict) -> None:
        self.report = report
        for row, (name, _) in enumerate(SHOWN):
            figures = report["statistics"][name]
            for column, key in enumerate(("piece", "corpus", "overlap")):
                text = _share(figures[key]) if key == "overlap" else _figure(figures[key])
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        if report["corpus"] is None:
            self.note.setText("No corpus known for this piece: its own figures only")
        else:
            overlap = _share(report["mean_overlap"])
            quarters = _figure(report["part_quarters"])
            self.note.setText(
                f"Against {report['corpus']}, in parts of {quarters} quarter notes like the "
                f"corpus's pieces: mean overlap {overlap} (1: the piece sits among the corpus "
                "as its own pieces do)"
            )


def _figure(value) -> str:
    return "–" if value is None else f"{value:.3g}"


def _share(value) -> str:
    """An overlap (0 to 1) as two decimals: the figure's precision, never 5.6e-138."""
    return "–" if value is None else f"{value:.2f}"
