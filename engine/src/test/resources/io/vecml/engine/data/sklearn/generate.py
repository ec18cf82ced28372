#!/usr/bin/python3
"""Writes the scikit-learn reference fixtures of vecml (run from the repository root):

    /usr/bin/python3 engine/src/test/resources/io/vecml/engine/data/sklearn/generate.py

Needs scikit-learn and numpy (Debian: apt-get install python3-sklearn). Writes
  engine/src/test/resources/io/vecml/engine/data/sklearn/splits.txt   split and fold index lists
  cli/src/main/resources/io/vecml/cli/lecture-reference.json          the lecture's numbers
Every fixture line is computed here by scikit-learn / numpy; nothing is typed in by hand.
"""
import io
import json
import os
import platform
import sys
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

ROOT = os.getcwd()
HERE = os.path.join(ROOT, "engine/src/test/resources/io/vecml/engine/data/sklearn")
VERSIONS = "scikit-learn %s, numpy %s, Python %s" % (sklearn.__version__, np.__version__, platform.python_version())


def ints(a):
    return " ".join(str(int(v)) for v in a)


def layouts():
    """(name, labels) class layouts for the stratified splitters."""
    r = np.random.RandomState(12345)
    out = [
        ("iris", np.repeat([0, 1, 2], 50)),
        ("balanced4", np.tile([0, 1, 2, 3], 10)),
        ("skewed", r.choice([0, 1, 2], size=97, p=[0.6, 0.3, 0.1])),
        ("sparse-labels", r.choice([7, 2, 5], size=61)),
        ("ties", np.array([0, 0, 1, 1, 2, 2, 3, 3, 3])),
        ("two", np.array([1] * 13 + [0] * 8)),
        ("digits-like", r.randint(0, 10, size=200)),
    ]
    return out


def main():
    lines = ["# scikit-learn reference splits for vecml, written by generate.py with " + VERSIONS,
             "# sample <seed> <numbers>: RandomState(seed).random_sample(5) as float.hex",
             "# perm <n> <seed> | <permutation(n)>",
             "# tts <n> <seed> <test_size> | <train> | <test>            train_test_split(arange(n), ...)",
             "# stts <seed> <test_size> <labels> | <train> | <test>       ... stratify=labels",
             "# kfold <n> <k> <seed|none> | <train_0> | <test_0> | ...    KFold(k, shuffle=seed given)",
             "# skfold <k> <seed|none> <labels> | <train_0> | <test_0> | ...  StratifiedKFold",
             "# labels are comma-separated"]
    for seed in [0, 1, 42, 12345, 2**32 - 1]:
        lines.append("sample %d %s" % (seed, " ".join(float.hex(float(v)) for v in np.random.RandomState(seed).random_sample(5))))
    for n in [0, 1, 2, 3, 10, 150, 1000]:
        for seed in [0, 42, 2**31 - 1, 2**32 - 1]:
            lines.append("perm %d %d | %s" % (n, seed, ints(np.random.RandomState(seed).permutation(n))))
    for n in [2, 5, 25, 150, 151, 999]:
        for seed in [0, 42, 2024]:
            for f in [0.1, 0.2, 0.25, 0.3, 0.33, 0.5, 0.9]:
                if np.ceil(f * n) >= n:
                    continue
                tr, te = train_test_split(np.arange(n), test_size=f, random_state=seed)
                lines.append("tts %d %d %r | %s | %s" % (n, seed, f, ints(tr), ints(te)))
    for name, y in layouts():
        for seed in [0, 42, 7]:
            for f in [0.2, 0.25, 0.33, 0.5]:
                try:
                    tr, te = train_test_split(np.arange(len(y)), test_size=f, random_state=seed, stratify=y)
                except ValueError:
                    continue
                lines.append("stts %d %r %s | %s | %s" % (seed, f, ",".join(str(int(v)) for v in y), ints(tr), ints(te)))
    for n in [2, 3, 7, 10, 25, 120, 150, 301]:
        for k in [2, 3, 5, 10]:
            if k > n:
                continue
            for seed in [None, 0, 42, 99]:
                cv = KFold(k, shuffle=seed is not None, random_state=seed)
                parts = []
                for tr, te in cv.split(np.zeros(n)):
                    parts += [ints(tr), ints(te)]
                lines.append("kfold %d %d %s | %s" % (n, k, "none" if seed is None else seed, " | ".join(parts)))
    for name, y in layouts():
        for k in [2, 3, 5]:
            if np.all(k > np.bincount(np.unique(y, return_inverse=True)[1])):
                continue
            for seed in [None, 0, 42, 99]:
                cv = StratifiedKFold(k, shuffle=seed is not None, random_state=seed)
                parts = []
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for tr, te in cv.split(np.zeros(len(y)), y):
                        parts += [ints(tr), ints(te)]
                lines.append("skfold %d %s %s | %s" % (k, "none" if seed is None else seed,
                                                       ",".join(str(int(v)) for v in y), " | ".join(parts)))
    with open(os.path.join(HERE, "splits.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    lecture()


def lecture():
    """The lecture's recipes, as its notebook runs them, on the data vecml ships."""
    iris_path = os.path.join(ROOT, "engine/src/main/resources/io/vecml/engine/data/iris.csv")
    data = np.loadtxt(iris_path, delimiter=",", skiprows=1)
    X, y = data[:, :4], data[:, 4].astype(int)
    X_train, X_test, y_train, y_test, i_train, i_test = train_test_split(
        X, y, np.arange(len(y)), test_size=0.2, random_state=42)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_test = scaler.transform(X_test)
    grid = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(range(1, 31)),
                                                 "metric": ["euclidean", "manhattan"]},
                        cv=KFold(3, shuffle=True, random_state=42), scoring="accuracy")
    grid.fit(X_train, y_train)
    best = grid.best_estimator_
    res = grid.cv_results_
    candidates = []
    for i, p in enumerate(res["params"]):
        candidates.append({"metric": p["metric"], "k": p["n_neighbors"], "mean": float(res["mean_test_score"][i]),
                           "std": float(res["std_test_score"][i]), "rank": int(res["rank_test_score"][i])})
    folds = [{"train": [int(v) for v in tr], "test": [int(v) for v in te]}
             for tr, te in KFold(3, shuffle=True, random_state=42).split(X_train)]

    scores_path = os.path.join(ROOT, "cli/src/main/resources/io/vecml/cli/student_scores.csv")
    s = np.loadtxt(scores_path, delimiter=",", skiprows=1)
    Xs, ys = s[:, :1], s[:, 1]
    Xs_train, Xs_test, ys_train, ys_test, j_train, j_test = train_test_split(
        Xs, ys, np.arange(len(ys)), test_size=0.2, random_state=42)
    reg = LinearRegression().fit(Xs_train, ys_train)
    pred = reg.predict(Xs_test)
    mse = mean_squared_error(ys_test, pred)

    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    labels = np.array([0, 1, 2])
    margins = np.maximum(0, scores - scores[np.arange(3), labels][:, None] + 1)
    margins[np.arange(3), labels] = 0
    svm = margins.sum(axis=1)
    f = np.array([123, 456, 789], dtype=np.float64)
    f -= np.max(f)
    p = np.exp(f) / np.sum(np.exp(f))

    ref = {
        "writtenBy": "engine/src/test/resources/io/vecml/engine/data/sklearn/generate.py with " + VERSIONS,
        "iris": {
            "testSize": 0.2, "randomState": 42,
            "trainIndices": [int(v) for v in i_train], "testIndices": [int(v) for v in i_test],
            "folds": folds,
            "bestMetric": grid.best_params_["metric"], "bestK": int(grid.best_params_["n_neighbors"]),
            "bestCvScore": float(grid.best_score_),
            "testAccuracy": float(best.score(X_test, y_test)),
            "candidates": candidates,
        },
        "studentScores": {
            "testSize": 0.2, "randomState": 42,
            "trainIndices": [int(v) for v in j_train], "testIndices": [int(v) for v in j_test],
            "intercept": float(reg.intercept_), "coefficient": float(reg.coef_[0]),
            "mae": float(mean_absolute_error(ys_test, pred)), "mse": float(mse), "rmse": float(np.sqrt(mse)),
            "prediction925": float(reg.predict(np.array([[9.25]]))[0]),
        },
        "svm": {"scores": scores.tolist(), "labels": labels.tolist(), "losses": svm.tolist(),
                "meanLoss": float(svm.mean())},
        "softmax": {"scores": [123, 456, 789], "probabilities": p.tolist()},
    }
    out = os.path.join(ROOT, "cli/src/main/resources/io/vecml/cli/lecture-reference.json")
    with open(out, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
