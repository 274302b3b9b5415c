"""Functions run inside worker processes (spawn): importable by name, since a spawned child
imports the function it runs. ``tests/e2e/conftest.py`` puts this directory on ``sys.path``;
the child inherits the parent's ``sys.path``."""

from __future__ import annotations

import os
from typing import Any

KEY_VARIABLE = "AIMLAPI_API_KEY"


def langchain_worker(model: Any, prompt: str) -> dict[str, Any]:
    """Invoke and stream the pickled ``ChatAIMLAPI`` it was sent; report what it saw."""
    import asyncio

    answer = model.invoke(prompt)
    streamed = "".join(chunk.text for chunk in model.stream(prompt))

    async def use_async() -> Any:
        try:
            return await model.ainvoke(prompt)
        finally:
            await model.aclose()

    async_answer = asyncio.run(use_async())
    model.close()
    return {
        "pid": os.getpid(),
        "key_in_env": KEY_VARIABLE in os.environ,
        "text": answer.text,
        "streamed": streamed,
        "async_text": async_answer.text,
    }


def llama_index_worker(llm: Any, prompt: str) -> dict[str, Any]:
    """Complete, stream and acomplete with the pickled ``AIMLAPI`` it was sent."""
    import asyncio

    from llama_index.core.base.llms.types import ChatMessage

    text = llm.complete(prompt).text
    streamed = "".join(r.delta or "" for r in llm.stream_chat([ChatMessage(content=prompt)]))

    async def use_async() -> str:
        try:
            return str((await llm.acomplete(prompt)).text)
        finally:
            await llm.aclose()

    async_text = asyncio.run(use_async())
    llm.close()
    return {
        "pid": os.getpid(),
        "key_in_env": KEY_VARIABLE in os.environ,
        "text": text,
        "streamed": streamed,
        "async_text": async_text,
    }
