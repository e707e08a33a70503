"""How good a classifier is: accuracy, confusion matrix, precision, recall, log loss."""

from __future__ import annotations

from dataclasses import dataclass

from logistic_neuron.neuron.activation import sigmoid
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.prediction import THRESHOLD
from logistic_neuron.neuron.propagation import cost_from_logits


@dataclass(frozen=True)
class Evaluation:
    """Scores of probabilities against true labels.

    Attributes
    ----------
    m : int
        Number of examples.
    accuracy : float
        Percent, as the course computes it.
    true_positives, false_positives, true_negatives, false_negatives : int
    precision, recall : float
        ``nan`` when undefined (no predicted / no actual positives).
    log_loss : float
        Mean cross-entropy of the probabilities (the cost ``J``).
    """

    m: int
    accuracy: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    precision: float
    recall: float
    log_loss: float

    @property
    def confusion_matrix(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """``((TN, FP), (FN, TP))``: rows are true labels 0, 1; columns predictions 0, 1."""
        return (
            (self.true_negatives, self.false_positives),
            (self.false_negatives, self.true_positives),
        )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def evaluate_logits(logits: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Score a classifier from its pre-activations ``z = w^T x + b`` against 0/1 labels.

    Parameters
    ----------
    logits : array, shape (m,) or (1, m)
    labels : array, shape (m,) or (1, m)

    Returns
    -------
    Evaluation
    """
    z = np.asarray(logits, dtype=np.float64).reshape(1, -1)
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    p = sigmoid(z).reshape(-1)
    if p.shape != y.shape or p.size == 0:
        raise ValueError(f"need as many probabilities as labels, got {p.size} and {y.size}")
    predicted = (p > THRESHOLD).astype(np.float64)
    tp = int(np.sum((predicted == 1) & (y == 1)))
    fp = int(np.sum((predicted == 1) & (y == 0)))
    tn = int(np.sum((predicted == 0) & (y == 0)))
    fn = int(np.sum((predicted == 0) & (y == 1)))
    # From z, not from p: p saturates at exactly 0 or 1, and log(0) is -inf.
    log_loss = cost_from_logits(z, y.reshape(1, -1))
    return Evaluation(
        m=int(p.size),
        accuracy=float(100 - np.mean(np.abs(predicted - y)) * 100),
        true_positives=tp,
        false_positives=fp,
        true_negatives=tn,
        false_negatives=fn,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        log_loss=log_loss,
    )
