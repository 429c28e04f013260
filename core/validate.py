"""Validation with shape inference, in words a student understands.

Every problem names the block it belongs to (or the setting, for the training plan). The
same pass infers each block's output shape and parameter count, which the canvas shows and
``layerwise info`` prints. Pure Python: no Keras.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import catalog
from core.catalog import FINETUNE_PARAMS, PRETRAIN_PARAMS, TRAINING_PARAMS, ShapeError
from core.catalog.data import data_problems
from core.catalog.generation import OPTION_INDEX
from core.catalog.label_units import label_unit_problems
from core.limits import MAX_PARAMETERS
from core.project import Project
from core.shapes import describe
from core.spec import NetworkSpec, Wiring


@dataclass(frozen=True)
class Problem:
    block: str | None  # the block id, or None for a problem of the whole project
    message: str

    def __str__(self) -> str:
        return f"{self.block}: {self.message}" if self.block else self.message


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    shapes: dict[str, tuple] = field(default_factory=dict)  # block id -> output shape
    params: dict[str, int] = field(default_factory=dict)  # block id -> parameter count
    order: list[str] = field(default_factory=list)  # topological order
    output: str | None = None  # the block whose output is the network's output

    @property
    def ok(self) -> bool:
        return not self.problems

    def for_block(self, block_id: str) -> list[Problem]:
        return [p for p in self.problems if p.block == block_id]

    @property
    def total_params(self) -> int:
        return sum(self.params.values())


def _check_params(block, decl, report: Report) -> bool:
    good = True
    for name in block.params:
        if name not in decl.param_index:
            known = ", ".join(decl.param_index) or "none"
            report.problems.append(
                Problem(block.id, f"{decl.name} has no parameter '{name}' (it has: {known})")
            )
            good = False
    for name, value in decl.with_defaults(block.params).items():
        if name not in decl.param_index:
            continue
        message = decl.param_index[name].check(value)
        if message:
            report.problems.append(Problem(block.id, f"parameter '{name}' {message}"))
            good = False
    return good


def _check_wiring(spec: NetworkSpec, wiring: Wiring, report: Report) -> None:
    ids = wiring.ids
    for wire in spec.wires:
        if wire.source == wire.target:
            report.problems.append(Problem(wire.target, "is wired to itself"))
        for end in (wire.source, wire.target):
            if end not in ids:
                other = wire.target if end == wire.source else wire.source
                report.problems.append(
                    Problem(other if other in ids else None, f"is wired to a missing block '{end}'")
                )
    for block in spec.blocks:
        try:
            decl = catalog.get(block.type)
        except KeyError:
            continue
        wires = wiring.known_inputs(block.id)
        ports = [w.port for w in wires]
        if decl.max_inputs == 0 and wires:
            report.problems.append(Problem(block.id, "an Input block takes no incoming wire"))
        elif len(wires) < decl.min_inputs:
            need = "an input" if decl.min_inputs == 1 else f"{decl.min_inputs} inputs"
            report.problems.append(
                Problem(block.id, f"needs {need}: wire the output of another block into it")
            )
        elif len(wires) > decl.max_inputs:
            report.problems.append(
                Problem(block.id, f"takes at most {decl.max_inputs} input(s), has {len(wires)}")
            )
        if len(set(ports)) != len(ports):
            report.problems.append(Problem(block.id, "has two wires into the same input port"))


def validate_network(spec: NetworkSpec) -> Report:
    report = Report()
    if not spec.blocks:
        report.problems.append(Problem(None, "the network is empty: add an Input block"))
        return report
    known = {}
    for block in spec.blocks:
        try:
            decl = catalog.get(block.type)
        except KeyError:
            report.problems.append(Problem(block.id, f"unknown block type '{block.type}'"))
            continue
        if _check_params(block, decl, report):
            known[block.id] = decl
    if not any(b.type == "Input" for b in spec.blocks):
        report.problems.append(Problem(None, "the network has no Input block"))
    wiring = spec.wiring()
    _check_wiring(spec, wiring, report)

    cycle = spec.blocks_in_cycles()
    if cycle:
        for block_id in cycle:
            report.problems.append(
                Problem(block_id, "is part of a loop: data must flow one way, from Input to output")
            )
        return report
    report.order = spec.topological_order() or []
    _infer_shapes(spec, wiring, known, report)
    _check_size(report)
    _find_output(spec, wiring, report)
    return report


def _infer_shapes(spec: NetworkSpec, wiring: Wiring, known: dict, report: Report) -> None:
    """Each block's output shape and parameter count, in topological order."""
    by_id = {b.id: b for b in spec.blocks}
    for block_id in report.order:
        decl = known.get(block_id)
        if decl is None:
            continue
        sources = [w.source for w in wiring.inputs_of(block_id)]
        if any(s not in report.shapes for s in sources):
            continue  # an upstream problem is already reported
        if decl.max_inputs and not sources:
            continue
        shapes = [report.shapes[s] for s in sources]
        params = decl.with_defaults(by_id[block_id].params)
        try:
            report.shapes[block_id] = tuple(decl.infer(params, shapes))
            report.params[block_id] = int(decl.count(params, shapes))
        except ShapeError as exc:
            report.problems.append(Problem(block_id, str(exc)))


def _check_size(report: Report) -> None:
    """A network over :data:`MAX_PARAMETERS` weights cannot be trained here; the largest
    block is named, since its size is the setting to change."""
    total = report.total_params
    if total <= MAX_PARAMETERS:
        return
    largest = max(report.params, key=report.params.__getitem__)
    report.problems.append(
        Problem(
            largest,
            f"the network has {total:,} parameters, more than the {MAX_PARAMETERS:,} Layerwise "
            f"trains; this block alone has {report.params[largest]:,} (fewer units or smaller "
            "inputs make it smaller)",
        )
    )


def _find_output(spec: NetworkSpec, wiring: Wiring, report: Report) -> None:
    """The one block nothing reads from is the network's output."""
    sinks = [b.id for b in spec.blocks if not wiring.outputs_of(b.id) and b.type != "Input"]
    if len(sinks) == 1:
        report.output = sinks[0]
    elif len(sinks) > 1 and not report.problems:
        report.problems.append(
            Problem(
                None,
                "the network has several ends (" + ", ".join(sinks) + "); wire them so that "
                "exactly one block is the output",
            )
        )
    elif not sinks and len(spec.blocks) > 0 and not report.problems:
        report.problems.append(Problem(None, "the network has no block after its Input"))


def _check_settings(values: dict, params, where: str, block: str | None, report: Report):
    index = {p.name: p for p in params}
    for name, value in values.items():
        if name not in index:
            report.problems.append(Problem(block, f"{where}: unknown setting '{name}'"))
            continue
        message = index[name].check(value)
        if message:
            report.problems.append(Problem(block, f"{where}: '{name}' {message}"))


def _check_generation(settings: dict, report: Report) -> None:
    """The project's generation defaults, checked against the generation options' ranges
    (a NaN tempo or a 10^30 seed is refused here, not deep inside generation)."""
    for name, value in settings.items():
        if name not in OPTION_INDEX or value is None:
            continue
        try:
            OPTION_INDEX[name].normalise(value)
        except ValueError as exc:
            report.problems.append(Problem(None, f"generation: {exc}"))


def validate(project: Project) -> Report:
    """Validate the network, the data section and the training plan of ``project``."""
    report = validate_network(project.network)
    report.problems += [Problem(None, message) for message in data_problems(project.data)]
    plan = project.training.get("pretraining", {}).get("blocks", {})
    for block_id, settings in plan.items():
        if not project.network.has_block(block_id):
            report.problems.append(
                Problem(None, f"training.pretraining: settings for a missing block '{block_id}'")
            )
            continue
        block = project.network.block(block_id)
        if block.type not in catalog.REGISTRY:
            continue  # already reported as an unknown type
        kind = catalog.REGISTRY[block.type].pretrain
        if kind is None:
            report.problems.append(Problem(block_id, f"a {block.type} block does not pretrain"))
            continue
        _check_settings(settings, PRETRAIN_PARAMS[kind], "pretraining", block_id, report)
    _check_settings(
        project.training.get("finetune", {}), FINETUNE_PARAMS, "training.finetune", None, report
    )
    _check_settings(
        {"seed": project.training.get("seed")}, TRAINING_PARAMS, "training", None, report
    )
    _check_generation(project.generation, report)
    if report.output and project.finetune_settings().get("objective") == "classifier":
        shape = report.shapes.get(report.output)
        if shape is not None and len(shape) != 1:
            report.problems.append(
                Problem(
                    report.output,
                    f"a classifier's output must be one vector of class scores, but this "
                    f"block gives {describe(shape)}",
                )
            )
    if project.finetune_settings().get("objective") == "wake-sleep":
        _check_rbm_stack(project, report)
    report.problems += [
        Problem(block, message)
        for block, message in label_unit_problems(project.network, project.data)
    ]
    _check_joint_keys(project, report)
    return report


def _check_joint_keys(project: Project, report: Report) -> None:
    """An AutoregressiveKeys block ends a next-step model: its likelihood needs the frame
    that follows each step, which only the sequence objective gives it."""
    objective = project.finetune_settings().get("objective")
    for block in project.network.blocks:
        if block.type != "AutoregressiveKeys":
            continue
        if report.output is not None and block.id != report.output:
            report.problems.append(
                Problem(block.id, "an AutoregressiveKeys block must be the network's output")
            )
        if objective != "sequence":
            report.problems.append(
                Problem(
                    block.id,
                    f"an AutoregressiveKeys block trains with the sequence objective, "
                    f"not {objective!r}",
                )
            )


def _check_rbm_stack(project: Project, report: Report) -> None:
    """Wake-sleep fine-tunes a stack of RBMs: every block with weights must be one."""
    if not any(block.type == "RBM" for block in project.network.blocks):
        report.problems.append(
            Problem(None, "the wake-sleep objective needs a stack of RBM blocks; there is none")
        )
    for block in project.network.blocks:
        declared = catalog.REGISTRY.get(block.type)
        if declared is not None and declared.has_weights and block.type != "RBM":
            report.problems.append(
                Problem(
                    block.id,
                    f"the wake-sleep objective fine-tunes a stack of RBM blocks; "
                    f"a {block.type} block cannot take part",
                )
            )
