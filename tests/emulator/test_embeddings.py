"""`POST /v1/embeddings` on the emulator, driven with plain httpx: the documented shape, the
per-model validation (api-references/embedding-models/*), vectors whose similarity is lexical."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest
from emulator_support import Api

from aimlapi_emulator import Fault


def embed(api: Api, **body: Any) -> Any:
    response = api.post("/embeddings", {"model": "text-embedding-3-small", **body})
    assert response.status_code == 201, response.text
    return response


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def error(api: Api, body: dict[str, Any]) -> str:
    response = api.post("/embeddings", body)
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400
    return str(response.json()["message"])


def test_the_documented_example_comes_back_in_the_documented_shape(api: Api) -> None:
    # README / text-embedding-3-small.md: "Laura is a DJ." → 1536 values, 5 tokens, 1 credit.
    response = embed(api, input="Laura is a DJ.")
    body = response.json()
    assert body["object"] == "list"
    assert body["model"] == "text-embedding-3-small"
    assert body["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    assert body["meta"]["usage"]["credits_used"] == 1
    assert response.headers["x-aimlapi-credits-used"] == "1"
    (item,) = body["data"]
    assert (item["object"], item["index"]) == ("embedding", 0)
    assert len(item["embedding"]) == 1536
    assert math.isclose(sum(v * v for v in item["embedding"]), 1.0)


@pytest.mark.parametrize(
    ("model", "length", "credits", "status"),
    [
        ("text-embedding-3-large", 3072, 2, 201),  # the pages print 2 credits for these two
        ("text-embedding-ada-002", 1536, 2, 201),
        # No printed cost for these: only "at least one credit" is known.
        ("alibaba/qwen-text-embedding-v4", 1024, None, 200),  # its spec declares 200, not 201
        ("voyage-2", 1024, None, 201),
        ("text-multilingual-embedding-002", 768, None, 201),
    ],
)
def test_each_family_has_its_documented_vector_length(
    api: Api, model: str, length: int, credits: int | None, status: int
) -> None:
    response = api.post("/embeddings", {"model": model, "input": ["Laura is a DJ."]})
    assert response.status_code == status
    body = response.json()
    assert len(body["data"][0]["embedding"]) == length
    spent = body["meta"]["usage"]["credits_used"]
    assert spent == credits if credits is not None else spent >= 1


def test_vectors_are_deterministic_and_similar_when_texts_share_words(api: Api) -> None:
    texts = [
        "The ferry to Cray Island leaves at noon.",
        "The lighthouse keeper retired in 1962.",
        "When does the ferry to Cray Island leave?",
        "The ferry to Cray Island leaves at noon.",
    ]
    data = embed(api, input=texts).json()["data"]
    ferry, lighthouse, question, again = (d["embedding"] for d in data)
    assert [d["index"] for d in data] == [0, 1, 2, 3]
    assert ferry == again
    assert cosine(question, ferry) > 0.5
    assert abs(cosine(question, lighthouse)) < 0.1


def test_dimensions_and_base64(api: Api) -> None:
    floats = embed(api, input=["a small boat"], dimensions=256).json()["data"][0]["embedding"]
    packed = embed(api, input=["a small boat"], dimensions=256, encoding_format="base64")
    raw = base64.b64decode(packed.json()["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)  # little-endian float32, as OpenAI
    assert len(floats) == len(decoded) == 256
    assert all(
        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(floats, decoded, strict=True)
    )


SMALL, ADA, QWEN3, QWEN4 = (
    "text-embedding-3-small", "text-embedding-ada-002", "alibaba/qwen-text-embedding-v3",
    "alibaba/qwen-text-embedding-v4",
)  # fmt: skip
GOOGLE, VOYAGE, LAW = "text-multilingual-embedding-002", "voyage-2", "voyage-law-2"


@pytest.mark.parametrize(
    ("model", "fields", "message"),
    [
        ("text-embedding-4", {}, "model: Invalid enum value"),
        ("BAAI/bge-base-en-v1.5", {}, "received 'BAAI/bge-base-en-v1.5'"),  # deprecated
        (SMALL, {"user": "u1"}, "Unrecognized key(s) in object: 'user'"),
        (SMALL, {"task_type": "CLUSTERING"}, "Unrecognized key(s) in object: 'task_type'"),
        (VOYAGE, {"dimensions": 256}, "Unrecognized key(s) in object: 'dimensions'"),
        (VOYAGE, {"input_type": "query"}, "Expected 'document'"),
        (GOOGLE, {"encoding_format": "base64"}, "Unrecognized key(s) in object: 'encoding"),
        (GOOGLE, {"title": "T"}, "only applicable when task_type is RETRIEVAL_DOCUMENT"),
        (ADA, {"dimensions": 256}, "This model does not support specifying dimensions."),
        (SMALL, {"dimensions": 2000}, "between 1 and 1536"),
        (QWEN3, {"dimensions": 32}, "between 64 and 2048"),
        (SMALL, {"input": ""}, "input: String must contain at least 1 character(s)"),
        (SMALL, {"input": []}, "input: Array must contain at least 1 element(s)"),
        (SMALL, {"input": ["a", ""]}, "input cannot be an empty string"),
        (SMALL, {"input": ["a", 3]}, "input[1]: Expected string, received int"),
        (SMALL, {"input": ["x"] * 2049}, "input: Array must contain at most 2048 element(s)"),
        (QWEN4, {"input": ["x"] * 11}, "input: Array must contain at most 10 element(s)"),
        (LAW, {"input": ["x" * 801]}, "input[0]: String must contain at most 800 character(s)"),
        (LAW, {"input": "x " * 4001}, "input: String must contain at most 8000 character(s)"),
        (SMALL, {"input": "word " * 8192}, "maximum context length is 8191 tokens"),
        (GOOGLE, {"input": ["w " * 150] * 200}, "max 20000 tokens per request"),
        (GOOGLE, {"input": "w " * 2001, "auto_truncate": False}, "context length is 2000"),
    ],
)
def test_requests_the_model_does_not_take_get_the_documented_400(
    api: Api, model: str, fields: dict[str, Any], message: str
) -> None:
    assert message in error(api, {"model": model, "input": "x", **fields})


def test_google_truncates_a_long_input_by_default(api: Api) -> None:
    # The schema: auto_truncate "automatically truncates the input text" (default true).
    body = {"model": "text-multilingual-embedding-002", "input": "w " * 3000}
    response = api.post("/embeddings", body)
    assert response.status_code == 201
    assert response.json()["usage"]["prompt_tokens"] == 2000


def test_a_wrong_key_gets_the_documented_401(api: Api) -> None:
    response = api.post("/embeddings", {"model": "text-embedding-3-small", "input": "x"}, key="k")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_faults_apply_to_embeddings_too(fresh_api: Api) -> None:
    fresh_api.emu.add_fault(Fault(status=429, path="/embeddings"))
    body = {"model": "text-embedding-3-small", "input": "x"}
    assert fresh_api.post("/embeddings", body).status_code == 429
    assert fresh_api.post("/embeddings", body).status_code == 201
    assert [r.path for r in fresh_api.emu.requests] == ["/v1/embeddings"] * 2
