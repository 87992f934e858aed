"""One training epoch of scikit-learn's MLPClassifier on the 8x8 digits, for comparison with
`cargo bench -p autodiff-bench --bench training` (mlp_digits/epoch).

Same problem as benches/training.rs: 64-64-10, ReLU, softmax cross-entropy, mini-batch SGD
with batch 32, no momentum, float64, on a stratified 80% training split of
autodiff-runtime/data/digits.csv (1438 images), standardized on that split.

    pip install scikit-learn
    python3 benches/sklearn_mlp_epoch.py

Prints the median time of one epoch (`partial_fit` on the whole training split: one pass of
mini-batches) and of `fit` with max_iter=1 (one epoch plus setup and validation).
"""

import pathlib
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

RUNS = 21


def load():
    path = pathlib.Path(__file__).resolve().parents[2] / "autodiff-runtime/data/digits.csv"
    data = np.loadtxt(path, delimiter=",", dtype=np.float64)
    x, y = data[:, :-1], data[:, -1].astype(int)
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, stratify=y, random_state=42)
    x_train = StandardScaler().fit_transform(x_train).astype(np.float64)
    return x_train, y_train


def model():
    return MLPClassifier(
        hidden_layer_sizes=(64,),
        activation="relu",
        solver="sgd",
        batch_size=32,
        learning_rate_init=0.1,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        max_iter=1,
        shuffle=True,
        random_state=0,
    )


def median_ms(times):
    return 1e3 * statistics.median(times)


def main():
    x, y = load()
    classes = np.unique(y)
    warnings.simplefilter("ignore", ConvergenceWarning)

    # partial_fit: each call is one epoch of mini-batches over (x, y)
    clf = model()
    clf.partial_fit(x, y, classes=classes)  # warm-up: allocates the weights
    epochs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        clf.partial_fit(x, y)
        epochs.append(time.perf_counter() - start)

    fits = []
    for _ in range(RUNS):
        start = time.perf_counter()
        model().fit(x, y)
        fits.append(time.perf_counter() - start)

    print(f"digits: {x.shape[0]} training images, {x.shape[1]} features, dtype {x.dtype}")
    print(f"scikit-learn MLPClassifier 64-64-10 relu sgd batch 32, median of {RUNS} runs:")
    print(f"  one epoch (partial_fit):   {median_ms(epochs):.2f} ms/epoch")
    print(f"  fit with max_iter=1:       {median_ms(fits):.2f} ms")


if __name__ == "__main__":
    main()
