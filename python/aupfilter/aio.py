"""Filtering a streaming completion in asyncio: wrap the async generator of
deltas, iterate the filtered text.

    async for text in aupfilter.filter_stream(rs, deltas(), role="completion"):
        await send(text)

Each delta goes through Stream.feed as it arrives; what it releases is
yielded at once (empty pieces are skipped), the held-back rest after the
last delta. When the stream blocks, the block message is the last piece and
the source is closed (stop_on_block=True): the model stops generating.
The final verdict is on the iterator's .verdict once it is exhausted."""

from typing import Any, AsyncIterable, Callable, Optional

class FilteredStream:
    """Async iterator of released text over an async iterable of deltas.
    `text_of` takes the text out of a delta (default: the delta is the str,
    None is skipped), e.g. lambda c: c.choices[0].delta.content."""

    def __init__(self, ruleset, source: AsyncIterable[Any], role: str = "completion",
                 text_of: Optional[Callable[[Any], Optional[str]]] = None,
                 stop_on_block: bool = True):
        self.ruleset = ruleset
        self.verdict = None
        self.stream = ruleset.stream(role)
        self._source = source
        self._iter = source.__aiter__()
        self._text_of = text_of
        self._stop_on_block = stop_on_block
        self._done = False

    def __aiter__(self):
        return self

    async def __anext__(self) -> str:
        while not self._done:
            try:
                delta = await self._iter.__anext__()
            except StopAsyncIteration:
                self._finish()
                if self.stream.tail:
                    return self.stream.tail
                break
            except BaseException:
                self._done = True
                self.stream._free()
                raise
            text = self._text_of(delta) if self._text_of else delta
            if text is None:
                continue
            out = self.stream.feed(text)
            if self.stream.blocked and self._stop_on_block:
                await self._close_source()
                self._finish()
                out += self.stream.tail
            if out:
                return out
        raise StopAsyncIteration

    def _finish(self):
        self._done = True
        self.verdict = self.stream.close()

    async def _close_source(self):
        aclose = getattr(self._iter, "aclose", None)
        if aclose is not None:
            await aclose()

    async def aclose(self):
        """Stops early: closes the source and frees the stream (no verdict)."""
        if not self._done:
            self._done = True
            self.stream._free()
            await self._close_source()


def filter_stream(ruleset, source: AsyncIterable[Any], role: str = "completion",
                  text_of: Optional[Callable[[Any], Optional[str]]] = None,
                  stop_on_block: bool = True) -> FilteredStream:
    """See FilteredStream."""
    return FilteredStream(ruleset, source, role, text_of, stop_on_block)
