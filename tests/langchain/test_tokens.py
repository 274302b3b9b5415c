"""ChatAIMLAPI counts tokens locally (an estimate), without transformers or any download."""

from __future__ import annotations

import subprocess
import sys

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.tools import tool

from aimlapi_core.tokens import estimate_text_tokens
from langchain_aimlapi import ChatAIMLAPI


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return city


def test_get_num_tokens_is_the_text_estimate() -> None:
    assert ChatAIMLAPI().get_num_tokens("x" * 35) == 10


def test_messages_count_text_framing_and_tools() -> None:
    llm = ChatAIMLAPI()
    messages = [SystemMessage("Be brief."), HumanMessage("Hi there!")]
    without = llm.get_num_tokens_from_messages(messages)
    assert without == (4 + 3) + (4 + 3)
    with_tools = llm.get_num_tokens_from_messages(messages, tools=[get_weather])
    assert with_tools > without + 346  # the tool-use prompt, then the definition
    spec_text = with_tools - without - 346
    assert spec_text >= estimate_text_tokens("get_weatherCurrent weather for a city.")


def test_images_and_thinking_are_counted() -> None:
    llm = ChatAIMLAPI()
    image = HumanMessage(
        content=[
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "text", "text": "?"},
        ]
    )
    assert llm.get_num_tokens_from_messages([image]) == 4 + 1600 + 1
    thought = AIMessage(
        content=[
            {"type": "thinking", "thinking": "x" * 70, "signature": "sig"},
            {"type": "text", "text": "ok"},
        ]
    )
    assert llm.get_num_tokens_from_messages([HumanMessage("hi"), thought]) == (4 + 1) + (4 + 20 + 1)


def test_trim_messages_takes_the_model_as_token_counter() -> None:
    llm = ChatAIMLAPI()
    history = [HumanMessage("x" * 350), AIMessage("y" * 350), HumanMessage("What now?")]
    kept = trim_messages(history, max_tokens=120, token_counter=llm, strategy="last")
    assert kept == history[1:]


def test_counting_never_imports_transformers() -> None:
    # A fresh interpreter where transformers cannot be imported and every attempt is recorded.
    # (langchain-core < 1.5 itself *tries* `import transformers` when it is imported, and
    # carries on without it; what matters is that counting never needs it.)
    code = (
        "import sys\n"
        "attempts = []\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'transformers':\n"
        "            attempts.append(name)\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from langchain_core.messages import HumanMessage\n"
        "from langchain_aimlapi import ChatAIMLAPI\n"
        "llm = ChatAIMLAPI()\n"
        "attempts.clear()\n"
        "n = llm.get_num_tokens_from_messages([HumanMessage('Hello there, how are you?')])\n"
        "assert isinstance(n, int) and n > 0, n\n"
        "assert llm.get_num_tokens('Hello') > 0\n"
        "assert attempts == [], attempts\n"
        "assert 'transformers' not in sys.modules\n"
        "print(n)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == 4 + estimate_text_tokens("Hello there, how are you?")
