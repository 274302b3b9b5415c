"""What both fault matrices (test_fault_matrix.py, test_fault_matrix_batches_embeddings.py)
ask of an error: whether the key can still be read from it or anything chained to it."""

from __future__ import annotations


def key_in(exc: BaseException, key: str) -> bool:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return any(
        key in str(e) or key in repr(e) or key in repr(e.args) or key in repr(vars(e))
        for e in chain
    )
