"""The baseline model: a fast text classifier per closed question, its predictions for
Label Studio, and the uncertainty that orders what to annotate next.

    features    character n-gram TF-IDF on the Arabic matching normalization (numpy)
    linear      a fitted logistic regression as arrays, applied with numpy
    classifier  fitting it (scikit-learn), out-of-fold probabilities, accuracy/macro-F1
    data        a snapshot's aggregated labels -> training examples; the newest snapshot
    train       train_model(): all of it from one read of a snapshot
    saved       BaselineModel: save/load as JSON + NPZ (never a pickle)
    predict     predict_file(): JSONL in `corpus push --predictions` format
    priority    uncertainty(probabilities): margin sampling scores

    from toolkit.model import train_model, BaselineModel, predict_file
    trained = train_model(schema, snapshot)             # corpus model train
    folder = trained.model.save(trained.folder())
    predict_file(schema, BaselineModel.load(folder), "exports/corpus.jsonl",
                 out="predictions.jsonl", snapshot=snapshot)   # corpus model predict

The model is a baseline anyone can replace: push reads any model's predictions in
the same JSONL format. scikit-learn is loaded only to fit.
"""

from __future__ import annotations

from .classifier import OutOfFold, Params
from .data import newest_snapshot, training_data
from .predict import PredictResult, predict_file, prediction_records
from .priority import most_uncertain_first, uncertainty
from .saved import BaselineModel, latest_model, models_dir
from .train import QuestionReport, Trained, out_of_fold_probabilities, train_model

__all__ = [
    "BaselineModel",
    "OutOfFold",
    "Params",
    "PredictResult",
    "QuestionReport",
    "Trained",
    "latest_model",
    "models_dir",
    "most_uncertain_first",
    "newest_snapshot",
    "out_of_fold_probabilities",
    "predict_file",
    "prediction_records",
    "train_model",
    "training_data",
    "uncertainty",
]
