"""Search time of cnnlab.retrieval's indexes from 10^4 to 10^6 vectors.

For each collection size: exact NumPy search (``ExactIndex``), exact FAISS
(``FaissIndex(kind="flat")``) and FAISS' inverted file (``kind="ivf"``, about
sqrt(N) cells, ``nprobe`` of them searched), on vectors of dimension ``--dim`` (69, lesson 14's
embedding) drawn around 1,000 random class centres, as embeddings of many classes
lie (``--data uniform``: isotropic Gaussian vectors, the worst case for an inverted
file, which then finds few true neighbours). Prints, per index, the time to build it, the
median time per query over ``--queries`` queries searched as one batch, and the
share of the exact top-``k`` that the approximate index finds. No NumPy or FAISS
thread setting is changed: the figures are for this machine as it is.

    python benchmarks/retrieval.py [--sizes 10000 100000 1000000] [--dim 69] [--plot scaling.png]
"""

import argparse
import statistics
import time

import numpy as np

from cnnlab.retrieval import ExactIndex, FaissIndex


def timed(function, repeats=1):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def measure(size, dim, queries, k, nprobe, repeats, rng, data):
    centres = rng.standard_normal((1000, dim), dtype=np.float32) if data == "clustered" else None
    draw = (lambda n: centres[rng.integers(0, 1000, n)] + 0.5 * rng.standard_normal((n, dim), dtype=np.float32)) \
        if data == "clustered" else (lambda n: rng.standard_normal((n, dim), dtype=np.float32))
    vectors, probes = draw(size), draw(queries)
    nlist = max(16, int(round(np.sqrt(size))))
    makers = {
        "numpy exact": lambda: ExactIndex(dim).add(vectors),
        "faiss flat": lambda: FaissIndex(dim).add(vectors),
        f"faiss ivf (nprobe {nprobe})": lambda: FaissIndex(dim, kind="ivf", nlist=nlist, nprobe=nprobe).add(vectors),
    }
    rows, exact_ids = [], None
    for name, make in makers.items():
        index, build = timed(make)
        (_, ids), search = timed(lambda: index.search(probes, k), repeats)
        if exact_ids is None:
            exact_ids = ids
        found = np.mean([len(set(a) & set(b)) / k for a, b in zip(ids, exact_ids)])
        rows.append({"size": size, "index": name, "build_s": build, "ms_per_query": 1000 * search / queries,
                     "recall": found, "nlist": nlist})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dim", type=int, default=69)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--nprobe", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", choices=("clustered", "uniform"), default="clustered")
    parser.add_argument("--plot", default=None, help="also save the scaling curve to this image file")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = []
    print(f"{args.data} vectors of dim {args.dim}, {args.queries} queries as one batch, top-{args.k}; "
          f"median of {args.repeats}")
    print(f"{'vectors':>9s}  {'index':22s} {'build s':>8s} {'ms/query':>9s} {'top-k found':>12s}")
    for size in args.sizes:
        for row in measure(size, args.dim, args.queries, args.k, args.nprobe, args.repeats, rng, args.data):
            rows.append(row)
            print(f"{row['size']:9d}  {row['index']:22s} {row['build_s']:8.2f} {row['ms_per_query']:9.3f} "
                  f"{row['recall']:11.0%}", flush=True)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for name in dict.fromkeys(row["index"] for row in rows):
            mine = [row for row in rows if row["index"] == name]
            ax.loglog([r["size"] for r in mine], [r["ms_per_query"] for r in mine], marker="o", label=name)
        ax.set_xlabel("vectors in the index")
        ax.set_ylabel("ms per query")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
