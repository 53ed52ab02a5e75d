"""The :class:`Summary` that :func:`cnnlab.shapes.summarize` returns: rows, totals,
and their text and HTML tables."""

from .memory import format_bytes


_COLUMNS = (
    ("name", "Layer", "<"),
    ("type", "Type", "<"),
    ("output_shape", "Output shape", "<"),
    ("params", "Params", ">"),
    ("activations", "Activations", ">"),
    ("activation_bytes", "Memory", ">"),
    ("macs", "MACs", ">"),
)

class Summary:
    """A model's per-layer shapes, parameters, activations, memory and MACs.

    Attributes:
        name: the model's name.
        rows: a list of dicts, one per layer call, with keys ``name``,
            ``type``, ``output_shape`` (per example, batch axis dropped; a
            list for a multi-output layer), ``params``, ``trainable_params``,
            ``activations`` (values in the output), ``activation_bytes``,
            ``macs`` and ``view`` (True for a layer whose output is its input
            reshaped or passed through, such as ``Flatten``, ``Dropout`` or a
            nested model's input: not counted again in the totals). Unknown
            values are None.
        totals: a dict with ``params``, ``trainable_params``,
            ``non_trainable_params``, ``activations``, ``activation_bytes`` and
            ``macs`` summed over the rows (views excluded), and ``complete``:
            False when some row had an unknown value, listed in ``notes``.
        notes: a list of strings explaining unknown values.

    ``str(summary)`` is an aligned text table; notebooks show it as HTML.
    """

    def __init__(self, name, rows, notes=()):
        self.name = name
        self.rows = list(rows)
        self.notes = list(notes)
        counted = [row for row in self.rows if not row["view"]]
        totals = {
            key: sum(row[key] for row in self.rows)
            for key in ("params", "trainable_params")
        }
        totals["non_trainable_params"] = totals["params"] - totals["trainable_params"]
        complete = True
        for key in ("activations", "activation_bytes", "macs"):
            known = [row[key] for row in counted if row[key] is not None]
            complete = complete and len(known) == len(counted)
            totals[key] = sum(known)
        totals["complete"] = complete
        self.totals = totals

    def _cells(self):
        def cell(row, key):
            value = row[key]
            if value is None:
                return "?"
            if isinstance(value, str):
                text = value
            elif key == "output_shape":
                text = str(value) if isinstance(value, tuple) else ", ".join(map(str, value))
            elif key == "activation_bytes":
                text = format_bytes(value)
            else:
                text = f"{value:,}"
            if row.get("view") and key in ("activations", "activation_bytes"):
                text = f"({text})"
            return text

        body = [[cell(row, key) for key, _, _ in _COLUMNS] for row in self.rows]
        total = {**self.totals, "name": "Total", "type": "", "output_shape": "", "view": False}
        footer = [cell(total, key) for key, _, _ in _COLUMNS]
        if not self.totals["complete"]:
            footer = [f"{c}+" if key in ("activations", "activation_bytes", "macs") else c
                      for c, (key, _, _) in zip(footer, _COLUMNS)]
        return [title for _, title, _ in _COLUMNS], body, footer

    def __str__(self):
        header, body, footer = self._cells()
        widths = [max(len(r[i]) for r in (header, footer, *body)) for i in range(len(header))]

        def line(cells):
            return "  ".join(
                f"{c:{align}{w}}" for c, w, (_, _, align) in zip(cells, widths, _COLUMNS)
            ).rstrip()

        rule = "-" * len(line(["x" * w for w in widths]))
        lines = [f'Model "{self.name}" (one example; memory in binary units; '
                 f'views in parentheses are not counted)', rule, line(header), rule]
        lines += [line(cells) for cells in body]
        lines += [rule, line(footer)]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self):
        return (f"<Summary {self.name!r}: {len(self.rows)} rows, "
                f"{self.totals['params']:,} params, {self.totals['macs']:,} MACs>")

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self) if cycle else str(self))

    def _repr_html_(self):
        import html

        header, body, footer = self._cells()

        def tr(cells, tag="td"):
            return "<tr>" + "".join(
                f'<{tag} style="text-align:{"left" if align == "<" else "right"}">'
                f"{html.escape(c)}</{tag}>"
                for c, (_, _, align) in zip(cells, _COLUMNS)
            ) + "</tr>"

        notes = "".join(f"<p>Note: {html.escape(n)}</p>" for n in self.notes)
        return (f"<p>Model <b>{html.escape(self.name)}</b> (one example)</p><table>"
                f"<thead>{tr(header, 'th')}</thead><tbody>"
                + "".join(tr(cells) for cells in body)
                + f"</tbody><tfoot>{tr(footer, 'th')}</tfoot></table>{notes}")
