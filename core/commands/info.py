"""`layerwise info PROJECT [--json]`: output shape and parameter count of every block."""

import json
from typing import Any

from core.limits import printable


def register(subparsers):
    parser = subparsers.add_parser("info", help="shape and parameter count of every block")
    parser.add_argument("project", help="a project file (.json)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core import catalog
    from core import project as project_io
    from core.build import InvalidNetwork
    from core.validate import validate

    project = project_io.load(args.project)
    report = validate(project)
    if not report.ok:
        raise InvalidNetwork(report.problems)
    blocks: list[dict[str, Any]] = []
    for block_id in report.order:
        block = project.network.block(block_id)
        blocks.append(
            {
                "id": block_id,
                "type": block.type,
                "output_shape": list(report.shapes[block_id]),
                "params": report.params[block_id],
                "pretrain": catalog.get(block.type).pretrain,
            }
        )
    if args.json:
        print(
            json.dumps(
                {
                    "name": project.name,
                    "blocks": blocks,
                    "output": report.output,
                    "total_params": report.total_params,
                },
                indent=2,
            )
        )
        return 0
    width = max(len(b["id"]) for b in blocks)
    print(printable(project.name))
    for b in blocks:
        shape = "(" + ", ".join("any" if d is None else str(d) for d in b["output_shape"]) + ")"
        note = f"  pretrains as {b['pretrain']}" if b["pretrain"] else ""
        print(
            f"  {b['id']:<{width}}  {printable(b['type']):<20} {shape:<16} {b['params']:>12,}{note}"
        )
    print(f"  total parameters: {report.total_params:,}")
    return 0
