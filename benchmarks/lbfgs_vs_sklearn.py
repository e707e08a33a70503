"""L-BFGS (``solver="lbfgs"``) against scikit-learn's ``LogisticRegression`` on the cat data.

Both minimise the same objective (the course's cost + ``lambd / (2m) |w|^2`` with
``lambd = 1 / C``) with SciPy's L-BFGS-B from zeros and the same options (gtol =
tol, ftol = 64 eps, maxls = 50). For each C it prints our iterations, scikit-learn's
``n_iter_``, the relative difference of the coefficients ``(w, b)`` and the cost
difference (both costs computed with our objective), at scikit-learn's default
``tol = 1e-4`` (``max_iter`` 100) and at ``tol = 1e-10`` (``max_iter`` 15000).

    python benchmarks/lbfgs_vs_sklearn.py /work/shared/datasets

Set ``OPENBLAS_NUM_THREADS`` to fix the thread count: the results depend on it (rounding).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import array_api_compat
import numpy as np
from sklearn.linear_model import LogisticRegression

from logistic_neuron.data.loading import load_dataset
from logistic_neuron.neuron.lbfgs import minimize_lbfgs, objective


def main(folder: str) -> None:
    data = load_dataset(
        str(Path(folder) / "train_catvnoncat.h5"), str(Path(folder) / "test_catvnoncat.h5")
    )
    X, Y = data.train.X(), data.train.Y().astype(np.float64)
    xp = array_api_compat.array_namespace(X)
    print("| C | tol | our iterations | sklearn n_iter_ | relative coef difference "
          "| cost difference (ours - sklearn's) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for tol, max_iter in ((1e-4, 100), (1e-10, 15000)):
        for C in (1.0, 10.0, 100.0):
            ours = minimize_lbfgs(
                np.zeros((X.shape[0], 1)), 0.0, X, Y, lambd=1 / C, tol=tol, max_iter=max_iter
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SciPy's deprecations in old scikit-learn
                clf = LogisticRegression(C=C, tol=tol, max_iter=max_iter).fit(X.T, Y.ravel())
            theta = np.r_[ours.w.ravel(), ours.b]
            theirs = np.r_[clf.coef_.ravel(), clf.intercept_]
            relative = np.linalg.norm(theta - theirs) / np.linalg.norm(theirs)
            their_cost = objective(theirs, X, Y, 1 / C, xp, X.dtype)[0]
            print(
                f"| {C:g} | {tol:g} | {ours.n_iter} | {clf.n_iter_[0]} | {relative:.1e} "
                f"| {ours.cost - their_cost:+.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
