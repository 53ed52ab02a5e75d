"""A layered drawing of a directed acyclic graph (Sugiyama et al. 1981), in NumPy.

The four classic steps, each kept simple enough for a model's few hundred layers:

1. rank: every node one rank below its deepest predecessor (longest path from the
   sources), so parallel branches share ranks and sit side by side;
2. dummies: an edge that skips ranks (a shortcut, a U-Net skip) gets an invisible
   station on every rank it crosses, so it is routed *between* boxes, never through one;
3. order: barycentre sweeps reduce edge crossings; ties keep the order in which the
   model's code created the branches and in which a merge takes its arguments;
4. place: on each rank, positions closest (least squares) to the mean of their
   neighbours subject to boxes not overlapping, solved exactly by isotonic regression
   (pool adjacent violators); alternating sweeps straighten chains and long edges.

Coordinates are abstract: "across" runs along a rank, "along" runs from rank to rank
(top to bottom, or left to right, is the caller's choice).
"""

from typing import NamedTuple

import numpy as np


class Layout(NamedTuple):
    """``boxes``: key -> (centre across, start along) of each node (its box spans
    ``start .. start + depth`` along). ``routes``: (source, target) -> list of (across,
    along) points from the source's exit to the target's entry. ``extent``: (across,
    along) size of the whole drawing, starting at (0, 0)."""

    boxes: dict
    routes: dict
    extent: tuple


def layered_layout(keys, edges, sizes, *, rank_gap=0.35, node_gap=0.2, sweeps=12):
    """Lay out a DAG in ranks.

    Args:
        keys: node keys in a topological order (creation order breaks ties).
        edges: ``(source, target)`` pairs; a target's edges in its argument order.
        sizes: key -> ``(breadth, depth)``: a node's extent across and along.
        rank_gap: free space between consecutive ranks.
        node_gap: free space between neighbours on a rank.
        sweeps: barycentre sweeps of the ordering step.

    Returns:
        A :class:`Layout`.
    """
    preds = {key: [] for key in keys}
    succs = {key: [] for key in keys}
    for source, target in edges:
        preds[target].append(source)
        succs[source].append(target)
    rank = {}
    for key in keys:
        rank[key] = 1 + max((rank[p] for p in preds[key]), default=-1)
    # A source that only feeds deep nodes (a second input, a constant) sits just
    # above its first consumer instead of at the top.
    for key in keys:
        if not preds[key] and succs[key]:
            rank[key] = max(rank[key], min(rank[s] for s in succs[key]) - 1)

    # Dummy stations: chain[(s, t)] lists the stations of an edge, real ends included.
    up, down, chain = {}, {}, {}
    station_rank = dict(rank)
    for source, target in edges:
        path = [source]
        for r in range(rank[source] + 1, rank[target]):
            dummy = ("dummy", source, target, r)
            station_rank[dummy] = r
            path.append(dummy)
        path.append(target)
        chain[source, target] = path
        for a, b in zip(path, path[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    ranks = [[] for _ in range(max(station_rank.values()) + 1)]
    for station in _initial_order(keys, succs, chain):
        ranks[station_rank[station]].append(station)

    ranks = _order(ranks, up, down, sweeps)
    breadth = {s: (sizes[s][0] if s in sizes else 0.0) for row in ranks for s in row}
    across = _place(ranks, up, down, breadth, node_gap)

    depth_of_rank = [max((sizes[s][1] for s in row if s in sizes), default=0.0) for row in ranks]
    start = np.concatenate([[0.0], np.cumsum(np.array(depth_of_rank) + rank_gap)])
    boxes = {key: (across[key], float(start[rank[key]])) for key in keys}
    routes = {}
    for (source, target), path in chain.items():
        points = []
        for station in path:
            r = station_rank[station]
            top, bottom = start[r], start[r] + depth_of_rank[r]
            if station == source:
                points.append((across[station], start[r] + sizes[station][1]))
                points.append((across[station], bottom + rank_gap / 4))
            elif station == target:
                points.append((across[station], top - rank_gap / 4))
                points.append((across[station], top))
            else:
                points += [(across[station], top - rank_gap / 4), (across[station], bottom + rank_gap / 4)]
        routes[source, target] = points
    _spread_ports(routes, across, breadth)
    low = min(across[s] - breadth[s] / 2 for s in across)
    high = max(across[s] + breadth[s] / 2 for s in across)
    shift = -low
    boxes = {key: (x + shift, y) for key, (x, y) in boxes.items()}
    routes = {edge: [(x + shift, y) for x, y in points] for edge, points in routes.items()}
    return Layout(boxes, routes, (high - low, float(start[-1] - rank_gap)))


def _spread_ports(routes, across, breadth):
    """Where several edges leave (or enter) one box, spread their ends along its edge in
    the order of where they go (come from), so that they neither overlap nor cross."""
    leaving, entering = {}, {}
    for (source, target), points in routes.items():
        leaving.setdefault(source, []).append(points)
        entering.setdefault(target, []).append(points)
    for ends, near, far in ((leaving, (0, 1), 2), (entering, (-1, -2), -3)):
        for key, group in ends.items():
            if len(group) < 2:
                continue
            group.sort(key=lambda points: points[far][0])
            width = 0.7 * breadth[key]
            for k, points in enumerate(group):
                x = across[key] - width / 2 + width * k / (len(group) - 1)
                for i in near:
                    points[i] = (x, points[i][1])


def _initial_order(keys, succs, chain):
    """Depth-first from the sources, children in creation order: a first ordering in
    which branches appear as the code wrote them."""
    index = {key: k for k, key in enumerate(keys)}
    seen, order = set(), []

    def visit(key):
        if key in seen:
            return
        seen.add(key)
        order.append(key)
        for target in sorted(succs[key], key=index.get):
            for station in chain[key, target][1:-1]:
                if station not in seen:
                    seen.add(station)
                    order.append(station)
            visit(target)

    for key in keys:
        visit(key)
    return order


def _crossings(upper, lower, down):
    position = {s: k for k, s in enumerate(lower)}
    pairs = [(i, position[t]) for i, s in enumerate(upper) for t in down.get(s, ()) if t in position]
    if len(pairs) < 2:
        return 0
    pairs = np.array(pairs)
    a, b = pairs[:, None, :], pairs[None, :, :]
    cross = ((a[..., 0] < b[..., 0]) & (a[..., 1] > b[..., 1]))
    return int(cross.sum())


def _order(ranks, up, down, sweeps):
    def total(rows):
        return sum(_crossings(rows[r], rows[r + 1], down) for r in range(len(rows) - 1))

    best, best_count = [row[:] for row in ranks], total(ranks)
    rows = [row[:] for row in ranks]
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for r in sequence:
            neighbour_row = rows[r - 1] if downward else rows[r + 1]
            neighbours = up if downward else down
            position = {s: k for k, s in enumerate(neighbour_row)}
            back = down if downward else up
            keys = []
            for k, station in enumerate(rows[r]):
                # Ports: the station's place among its neighbour's links (a merge's
                # argument order, a fork's creation order), a small spread that makes
                # ties resolve the way the code lists the branches.
                ports = []
                for n in neighbours.get(station, []):
                    if n in position:
                        siblings = back[n]
                        ports.append(position[n] + 0.01 * (siblings.index(station) - (len(siblings) - 1) / 2))
                keys.append((np.mean(ports) if ports else float(k), k))
            rows[r] = [rows[r][k] for _, k in sorted(keys)]
        count = total(rows)
        if count < best_count:
            best, best_count = [row[:] for row in rows], count
    return best


def _isotonic(target, weight):
    """Pool adjacent violators: the non-decreasing sequence closest to ``target`` in
    weighted least squares."""
    blocks = []  # [mean, weight, length]
    for t, w in zip(target, weight):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([[m] * n for m, _, n in blocks])


def _place(ranks, up, down, breadth, node_gap, sweeps=60):
    across = {}
    for row in ranks:
        x = 0.0
        for station in row:
            across[station] = x + breadth[station] / 2
            x += breadth[station] + node_gap
    simple = {s: len(up.get(s, ())) <= 1 and len(down.get(s, ())) <= 1 for row in ranks for s in row}

    def settle(row, use_up, use_down):
        if not row:
            return
        # Minimum centre-to-centre distances make the ordering constraints x_i+1 - x_i
        # >= gap_i; subtracting their running sum turns them into plain monotonicity.
        gaps = [0.0] + [(breadth[a] + breadth[b]) / 2 + node_gap for a, b in zip(row, row[1:])]
        offset = np.cumsum(gaps)
        target, weight = [], []
        for station, off in zip(row, offset):
            linked = (up.get(station, []) if use_up else []) + (down.get(station, []) if use_down else [])
            back = ([down] * len(up.get(station, [])) if use_up else []) + \
                   ([up] * len(down.get(station, [])) if use_down else [])
            if linked:
                # A fork or a merge pulls each of its many neighbours weakly (1 / its
                # degree); links inside a chain (long edges included) pull hard, so
                # chains run straight.
                w = [(8.0 if simple[station] and simple[n] else 1.0) / len(links[n])
                     for n, links in zip(linked, back)]
                target.append(np.average([across[n] for n in linked], weights=w) - off)
                weight.append(sum(w))
            else:
                target.append(across[station] - off)
                weight.append(0.1)
        for station, y in zip(row, _isotonic(target, weight) + offset):
            across[station] = float(y)

    for sweep in range(sweeps):
        for row in (ranks if sweep % 2 == 0 else ranks[::-1]):
            settle(row, use_up=True, use_down=True)
    return across
